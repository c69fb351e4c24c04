"""Customers, their vehicles and consents, and the reference data around them."""

from decimal import Decimal
from fnmatch import fnmatchcase

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Brand, Site
from aftersales.lib.phones import format_for_display


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    APP = "app", _("App")


class Translated(models.Model):
    """Reference data whose texts are kept per language.

    Each field named in ``translated_fields`` holds its text in the default language (settings.LANGUAGE_CODE);
    ``translations`` holds the other languages: {"fr": {"name": "…"}, "ru": {"name": "…"}}. The admin edits them one
    input per language and field (customers.translations). Readers get ``localized(field)``, or the ``localized``
    template filter: the active language by default, i.e. the staff user's on their screens and the customer's where
    messages, PDFs and public pages render under the customer's language.
    """

    translated_fields: tuple[str, ...] = ()

    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        abstract = True

    def localized(self, field: str, language: str | None = None) -> str:
        """``field`` in ``language`` (the active language when None), else in the default language."""
        if field not in self.translated_fields:
            raise ValueError(f"{type(self).__name__}.{field} is not a translated field")
        language = (language or get_language() or settings.LANGUAGE_CODE).lower()
        for code in (language, language.split("-")[0]):
            text = self.translations.get(code, {}).get(field)
            if text:
                return text
        return getattr(self, field)

    def relocalized(self, field: str, text: str, language: str | None = None) -> str:
        """``text`` for a reader of ``language``: where it is a copy of ``field`` made in some language (the whole text,
        or its start before ": "), that copy comes back in ``language``; any other text is returned as written."""
        copies = {getattr(self, field), *(texts.get(field) for texts in self.translations.values())}
        for copy in sorted(filter(None, copies), key=len, reverse=True):
            if text == copy or text.startswith(f"{copy}: "):
                return self.localized(field, language) + text[len(copy) :]
        return text


class Customer(models.Model):
    class Kind(models.TextChoices):
        PRIVATE = "private", _("Private")
        COMPANY = "company", _("Company")
        FLEET = "fleet", _("Fleet")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="customers", verbose_name=_("site"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PRIVATE)
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80)
    company_name = models.CharField(_("company"), max_length=120, blank=True)
    mobile = models.CharField(_("mobile phone"), max_length=20, blank=True)
    phone_other = models.CharField(_("other phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    preferred_channel = models.CharField(_("preferred contact channel"), max_length=10, choices=Channel.choices, default=Channel.SMS)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    search_name = models.CharField(max_length=300, editable=False, default="")
    search_phones = models.CharField(max_length=60, editable=False, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["site", "last_name"], name="customer_site_name_idx")]
        permissions = [
            ("export_customer", _("Can export everything held about a customer")),
            ("erase_customer", _("Can erase a customer's personal data")),
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        person = " ".join(part for part in (self.first_name, self.last_name) if part)
        if self.company_name:
            return f"{self.company_name} ({person})" if person else self.company_name
        return person

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])

    @property
    def mobile_display(self) -> str:
        return format_for_display(self.mobile)

    @property
    def phone_other_display(self) -> str:
        return format_for_display(self.phone_other)

    def has_contact_channel(self) -> bool:
        return bool(self.mobile or self.phone_other or self.email)


class ConsentRecord(models.Model):
    """Each grant or withdrawal of consent, kept as history; the latest per channel holds."""

    class Source(models.TextChoices):
        FORM = "form", _("Staff form")
        PHONE_CALL = "phone_call", _("Phone call")
        ONLINE = "online", _("Online")
        SMS_REPLY = "sms_reply", _("SMS reply")
        IMPORT = "import", _("Import")
        UNSUBSCRIBE_PAGE = "unsubscribe", _("Unsubscribe link in an e-mail")
        ONE_CLICK = "one_click", _("One-click unsubscribe from the mail program")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents", verbose_name=_("customer"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["customer", "channel", "-recorded_at"], name="consent_latest_idx")]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.customer} {self.channel} {'+' if self.granted else '-'}"


class Vehicle(models.Model):
    class Energy(models.TextChoices):
        PETROL = "petrol", _("Petrol")
        DIESEL = "diesel", _("Diesel")
        HYBRID = "hybrid", _("Hybrid")
        PLUG_IN = "plug_in", _("Plug-in hybrid")
        ELECTRIC = "electric", _("Electric")

    vin = models.CharField(_("VIN"), max_length=17, unique=True)
    plate = models.CharField(_("registration plate"), max_length=16, blank=True)
    plate_key = models.CharField(max_length=16, editable=False, default="", db_index=True)
    make = models.CharField(_("make"), max_length=40)
    model = models.CharField(_("model"), max_length=60)
    year = models.PositiveSmallIntegerField(_("model year"), null=True, blank=True)
    energy = models.CharField(_("energy"), max_length=10, choices=Energy.choices)
    first_registration = models.DateField(_("first registration"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    connected_services = models.BooleanField(_("connected services"), default=False)
    next_service_due_date = models.DateField(_("next service due on"), null=True, blank=True)
    next_service_due_km = models.PositiveIntegerField(_("next service due at (km)"), null=True, blank=True)
    owner = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("current owner")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["make", "model", "pk"]
        indexes = [models.Index(fields=["next_service_due_date"], name="vehicle_service_due_idx")]  # the reminder sweep
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")

    def __str__(self) -> str:
        return f"{self.make} {self.model} {self.plate or self.vin}"

    def get_absolute_url(self) -> str:
        return reverse("customers:vehicle_detail", args=[self.pk])


class Ownership(models.Model):
    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="ownerships", verbose_name=_("vehicle"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="ownerships", verbose_name=_("customer"))
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["vehicle"], condition=models.Q(ended_on__isnull=True), name="one_current_owner_per_vehicle"),
        ]
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")

    def __str__(self) -> str:
        return f"{self.vehicle} · {self.customer}"


class MileageReading(models.Model):
    class Source(models.TextChoices):
        CUSTOMER = "customer", _("Told by the customer")
        RECEPTION = "reception", _("Read at reception")
        HANDOVER = "handover", _("Read at handover")
        CONNECTED_CAR = "connected", _("Connected car")

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="mileage_readings", verbose_name=_("vehicle"))
    km = models.PositiveIntegerField(_("mileage (km)"))
    read_at = models.DateTimeField(_("read at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    correction_reason = models.CharField(_("correction reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["-read_at", "-pk"]
        indexes = [models.Index(fields=["vehicle", "-read_at"], name="mileage_latest_idx")]
        verbose_name = _("mileage reading")
        verbose_name_plural = _("mileage readings")

    def __str__(self) -> str:
        return f"{self.vehicle}: {self.km} km"


class Campaign(Translated):
    """A recall or service campaign; it concerns the VINs its patterns match."""

    translated_fields = ("title", "description")

    class Kind(models.TextChoices):
        RECALL = "recall", _("Recall")
        SERVICE = "service", _("Service campaign")

    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    vin_patterns = models.TextField(
        _("VIN patterns"),
        help_text=_("One per line; * stands for any characters, ? for one. A full VIN matches that vehicle only."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return f"{self.code} {self.localized('title')}"

    def matches(self, vin: str) -> bool:
        return any(fnmatchcase(vin, pattern.strip().upper()) for pattern in self.vin_patterns.splitlines() if pattern.strip())


class Part(Translated):
    translated_fields = ("name",)

    number = models.CharField(_("part number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["number"]
        verbose_name = _("part")
        verbose_name_plural = _("parts")

    def __str__(self) -> str:
        return f"{self.number} {self.localized('name')}"


class CataloguePrice(models.Model):
    """A catalogue item's price in one currency: a site quotes the price in its own currency, never another's
    (aftersales.customers.prices reads them)."""

    currency = models.CharField(
        _("currency"),
        max_length=3,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Give the ISO 4217 code in capitals, e.g. EUR."))],
        help_text=_("ISO 4217 code, e.g. EUR"),
    )
    amount = models.DecimalField(_("price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class PartPrice(CataloguePrice):
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="prices", verbose_name=_("part"))

    class Meta:
        ordering = ["part", "currency"]
        constraints = [models.UniqueConstraint(fields=["part", "currency"], name="unique_part_price_per_currency")]
        verbose_name = _("unit price, before VAT")
        verbose_name_plural = _("unit prices, before VAT")


class LabourOperation(Translated):
    translated_fields = ("description",)

    class Skill(models.TextChoices):
        MECHANICS = "mechanics", _("Mechanics")
        BODYWORK = "bodywork", _("Bodywork")
        EXPRESS = "express", _("Express service")
        DIAGNOSIS = "diagnosis", _("Diagnosis")

    code = models.CharField(_("code"), max_length=30, unique=True)
    description = models.CharField(_("description"), max_length=200)
    brand = models.ForeignKey(
        Brand, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("brand"), help_text=_("Empty for every brand.")
    )
    flat_rate_hours = models.DecimalField(
        _("flat-rate hours"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    skill = models.CharField(_("skill"), max_length=10, choices=Skill.choices)
    parts = models.ManyToManyField(Part, through="OperationPart", blank=True, verbose_name=_("parts kit"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("labour operation")
        verbose_name_plural = _("labour operations")

    def __str__(self) -> str:
        return f"{self.code} {self.localized('description')}"


class OperationPrice(CataloguePrice):
    """A fixed labour price in one currency. An operation with fixed prices has no price in the other currencies; one
    without any is priced flat-rate hours × the site's labour rate."""

    operation = models.ForeignKey(LabourOperation, on_delete=models.CASCADE, related_name="prices", verbose_name=_("operation"))

    class Meta:
        ordering = ["operation", "currency"]
        constraints = [models.UniqueConstraint(fields=["operation", "currency"], name="unique_operation_price_per_currency")]
        verbose_name = _("fixed labour price, before VAT")
        verbose_name_plural = _("fixed labour prices, before VAT")


class OperationPart(models.Model):
    operation = models.ForeignKey(LabourOperation, on_delete=models.CASCADE, related_name="kit_lines", verbose_name=_("operation"))
    part = models.ForeignKey(Part, on_delete=models.PROTECT, verbose_name=_("part"))
    quantity = models.DecimalField(
        _("quantity"), max_digits=8, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0.01"))]
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["operation", "part"], name="unique_part_per_kit")]
        verbose_name = _("parts-kit line")
        verbose_name_plural = _("parts-kit lines")

    def __str__(self) -> str:
        return f"{self.operation.code}: {self.quantity} × {self.part.number}"


class SeasonalOffer(Translated):
    """A priced offer the desk, online booking and the reminders tell the customer about while it runs."""

    translated_fields = ("title", "description")

    class Kind(models.TextChoices):
        SEASONAL = "seasonal", _("Seasonal offer")
        PACKAGE = "package", _("Service package")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SEASONAL)
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("brand"))
    sites = models.ManyToManyField(Site, blank=True, related_name="seasonal_offers", verbose_name=_("sites"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["-starts_on"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="offer_ends_after_start")]
        verbose_name = _("seasonal offer")
        verbose_name_plural = _("seasonal offers")

    def __str__(self) -> str:
        return self.localized("title")


class OfferPrice(CataloguePrice):
    """An offer's price in one currency. An offer with prices has no price in the other currencies; one without any
    is told without a price."""

    offer = models.ForeignKey(SeasonalOffer, on_delete=models.CASCADE, related_name="prices", verbose_name=_("offer"))

    class Meta:
        ordering = ["offer", "currency"]
        constraints = [models.UniqueConstraint(fields=["offer", "currency"], name="unique_offer_price_per_currency")]
        verbose_name = _("price, VAT included")
        verbose_name_plural = _("prices, VAT included")


class MobilityServiceQuerySet(models.QuerySet):
    def offered(self, *, site: Site, brand: Brand | None):
        """The site's active services for a vehicle of ``brand`` (None: a make the site does not sell): those for every
        brand, and the brand's own."""
        for_brand = models.Q(brands__isnull=True) | (models.Q(brands=brand) if brand is not None else models.Q())
        return self.filter(for_brand, site=site, active=True)


class MobilityService(Translated):
    translated_fields = ("name",)

    class Kind(models.TextChoices):
        LOANER = "loaner", _("Courtesy car")
        SHUTTLE = "shuttle", _("Shuttle")
        PICKUP_DELIVERY = "pickup", _("Pick-up and delivery")
        TAXI_VOUCHER = "taxi", _("Taxi voucher")
        TRANSPORT_VOUCHER = "transport", _("Public-transport voucher")
        LOUNGE = "lounge", _("Waiting lounge with wifi")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="mobility_services", verbose_name=_("site"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    price = models.DecimalField(
        _("price, VAT included"), max_digits=10, decimal_places=2, default=Decimal("0"), help_text=_("In the site's currency.")
    )
    active = models.BooleanField(_("active"), default=True)
    brands = models.ManyToManyField(
        Brand,
        blank=True,
        related_name="mobility_services",
        verbose_name=_("brands"),
        help_text=_("Offered only for vehicles of these brands. Empty: for every vehicle."),
    )

    objects = MobilityServiceQuerySet.as_manager()

    class Meta:
        ordering = ["site", "kind"]
        constraints = [models.UniqueConstraint(fields=["site", "kind"], name="unique_mobility_kind_per_site")]
        verbose_name = _("mobility service")
        verbose_name_plural = _("mobility services")

    def __str__(self) -> str:
        return f"{self.localized('name')} · {self.site}"
