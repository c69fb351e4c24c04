"""Dealer group, sites with their calendars and brand contact points, staff."""

import zoneinfo
from datetime import date
from decimal import Decimal

import holidays as holiday_calendars
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.lib.encryption import EncryptedCharField
from aftersales.lib.phones import format_for_display, normalize_phone

TIME_ZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones())


def validate_country_code(value: str) -> None:
    if value not in holiday_calendars.list_supported_countries():
        raise ValidationError(_("%(code)s is not a supported country code."), params={"code": value})


class DealerGroup(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("dealer group")
        verbose_name_plural = _("dealer groups")

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    group = models.ForeignKey(DealerGroup, on_delete=models.PROTECT, related_name="sites", verbose_name=_("dealer group"))
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    legal_name = models.CharField(_("legal name"), max_length=160, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=16)
    city = models.CharField(_("city"), max_length=80)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country_code], help_text=_("ISO 3166 code, e.g. FR"))
    holiday_subdivision = models.CharField(_("holiday subdivision"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217 code, e.g. EUR"))
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    labour_rate = models.DecimalField(_("hourly labour rate, before VAT"), max_digits=10, decimal_places=2, default=Decimal("0"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    invoice_prefix = models.CharField(_("invoice-number prefix"), max_length=12)
    brands = models.ManyToManyField(Brand, through="SiteBrand", related_name="sites", verbose_name=_("brands"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def public_holidays(self, years) -> holiday_calendars.HolidayBase:
        return holiday_calendars.country_holidays(self.country, subdiv=self.holiday_subdivision or None, years=years)

    def is_closed_on(self, day: date) -> bool:
        """A public holiday, an extra closure, or a weekday without opening hours."""
        if day in self.public_holidays(day.year):
            return True
        if self.closures.filter(day=day).exists():
            return True
        return not self.opening_hours.filter(weekday=day.weekday()).exists()


class GaplessCounter(models.Model):
    """The last number given at a site in a year, locked to take the next one (``aftersales.lib.counters``).

    A concrete counter adds its ``site`` foreign key and a unique constraint on (site, year).
    """

    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.site} {self.year}: {self.last}"


class SiteBrand(models.Model):
    """A brand sold at a site, with its own contact point where it needs one."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="brand_contacts", verbose_name=_("site"))
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="site_contacts", verbose_name=_("brand"))
    public_name = models.CharField(
        _("name shown to customers"),
        max_length=120,
        blank=True,
        help_text=_("The site's name in messages, pages and documents for this brand, e.g. Toyota Marseille. Empty: the site's name."),
    )
    phone = models.CharField(_("brand phone"), max_length=20, blank=True)
    email = models.EmailField(_("brand e-mail"), blank=True)
    greeting = models.CharField(
        _("greeting formula"),
        max_length=200,
        help_text=_("Read by the agent at the start of a call; {agent} is replaced by the agent's first name."),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "brand"], name="unique_brand_per_site")]
        verbose_name = _("brand contact point")
        verbose_name_plural = _("brand contact points")

    def __str__(self) -> str:
        return f"{self.brand} · {self.site}"

    def greeting_for(self, agent) -> str:
        return self.greeting.replace("{agent}", agent.first_name or agent.get_username())


class OpeningHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("site"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["site", "weekday", "opens"]
        constraints = [
            models.UniqueConstraint(fields=["site", "weekday", "opens"], name="unique_opening_interval"),
            models.CheckConstraint(condition=models.Q(closes__gt=models.F("opens")), name="opening_closes_after_opens"),
        ]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class SiteClosure(models.Model):
    """A day the site is closed on top of the public holidays (inventory, event)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="closures", verbose_name=_("site"))
    day = models.DateField(_("day"))
    reason = models.CharField(_("reason"), max_length=120)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="unique_closure_per_day")]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")

    def __str__(self) -> str:
        return f"{self.site} {self.day}: {self.reason}"


class AssistanceContact(models.Model):
    """Whom a site's agents call for a customer broken down or after an accident: its assistance and towing partners, its insurers."""

    class Kind(models.TextChoices):
        ASSISTANCE = "assistance", _("Assistance and towing partner")
        INSURER = "insurer", _("Insurer")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="assistance_contacts", verbose_name=_("site"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=20)
    hours = models.CharField(_("when to call"), max_length=80, blank=True, help_text=_("e.g. 24/7, or Mon–Fri 8:00–18:00"))
    note = models.CharField(_("note for the agent"), max_length=200, blank=True)
    brand = models.ForeignKey(
        Brand,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("brand"),
        help_text=_("Only for this brand's vehicles; empty: for every vehicle."),
    )
    position = models.PositiveSmallIntegerField(_("position in the list"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["site", "kind", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "kind", "name"], name="unique_assistance_contact")]
        verbose_name = _("assistance or insurer contact")
        verbose_name_plural = _("assistance and insurer contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self) -> None:
        if self.phone and self.site_id:
            try:
                self.phone = normalize_phone(self.phone, self.site.country)
            except ValidationError as error:
                raise ValidationError({"phone": error.messages}) from None

    @property
    def phone_display(self) -> str:
        return format_for_display(self.phone)


class User(AbstractUser):
    """A member of staff. Roles are groups; sites say whose records they see."""

    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    sites = models.ManyToManyField(Site, blank=True, related_name="staff", verbose_name=_("sites"))
    group_wide = models.BooleanField(
        _("sees every site of the group"),
        default=False,
        help_text=_("For group managers: every site of their dealer group."),
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def visible_sites(self):
        """The sites whose records this user may see."""
        if self.is_superuser:
            return Site.objects.all()
        if self.group_wide:
            return Site.objects.filter(group__sites__staff=self).distinct()
        return self.sites.all()

    def role_names(self) -> set[str]:
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return self._role_names


class AuthEvent(models.Model):
    """A login, failed login, logout or refused page, kept for the administrators."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGOUT = "logout", _("logout")
        SESSION_EXPIRED = "session_expired", _("session expired")
        PERMISSION_DENIED = "permission_denied", _("permission refused")
        TWO_FACTOR_FAILED = "two_factor_failed", _("wrong two-factor code")

    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="auth_events",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username given"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("login and access event")
        verbose_name_plural = _("login and access events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.username} · {self.at:%Y-%m-%d %H:%M:%S}"


class TwoFactorDevice(models.Model):
    """A staff member's TOTP authenticator (RFC 6238), confirmed once a code from it was accepted."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="two_factor_device",
        verbose_name=_("user"),
    )
    secret = EncryptedCharField(_("secret"), max_length=255)  # encrypted at rest (FIELD_ENCRYPTION_KEYS)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    last_used_step = models.BigIntegerField(
        _("last time step used"),
        null=True,
        blank=True,
        help_text=_("A code is accepted once: replays are refused."),
    )

    class Meta:
        verbose_name = _("two-factor device")
        verbose_name_plural = _("two-factor devices")

    def __str__(self) -> str:
        return str(self.user)


class RecoveryCode(models.Model):
    """A one-time code for when the authenticator is lost; only its hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recovery_codes",
        verbose_name=_("user"),
    )
    code_hash = models.CharField(_("code hash"), max_length=128)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user} #{self.pk}"


# The seller's legal identity printed on invoices and work orders lives in its own module (it imports Site from here).
from .legal_identity import LegalIdentity  # noqa: E402, F401
