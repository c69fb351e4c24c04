"""Booking: advisors' diaries, workshop capacity, appointments, loaners.

Double booking is held by the database: ``SlotReservation`` is the grid of
advisor slots actually taken, unique per (advisor, start), which works on
SQLite and PostgreSQL alike. Overlapping reservations of one loaner are
refused on PostgreSQL by the exclusion constraint ``loaner_reservation_no_overlap``
added in migration 0002; SQLite has no such constraint, so there the booking
transaction checks the overlap under its immediate write lock.
"""

import uuid
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import OpeningHours, Site
from aftersales.customers.models import Customer, LabourOperation, MobilityService, Part, Translated, Vehicle
from aftersales.lib.system_texts import ShownText

Weekday = OpeningHours.Weekday
Skill = LabourOperation.Skill


class AdvisorSchedule(models.Model):
    """An advisor's working hours at a site on one weekday, with an optional break."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="advisor_schedules", verbose_name=_("site"))
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advisor_schedules", verbose_name=_("advisor")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))
    break_starts = models.TimeField(_("break starts"), null=True, blank=True)
    break_ends = models.TimeField(_("break ends"), null=True, blank=True)

    class Meta:
        ordering = ["site", "advisor", "weekday", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["site", "advisor", "weekday", "starts"], name="unique_advisor_shift"),
            models.CheckConstraint(condition=models.Q(ends__gt=models.F("starts")), name="advisor_shift_ends_after_start"),
            models.CheckConstraint(
                condition=models.Q(break_starts__isnull=True, break_ends__isnull=True)
                | models.Q(break_starts__gte=models.F("starts"), break_ends__gt=models.F("break_starts"), break_ends__lte=models.F("ends")),
                name="advisor_break_inside_shift",
            ),
        ]
        verbose_name = _("advisor working hours")
        verbose_name_plural = _("advisor working hours")

    def __str__(self) -> str:
        return f"{self.advisor} {self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class Absence(models.Model):
    """An advisor or a technician away for whole days (leave, sickness, training)."""

    class Reason(models.TextChoices):
        LEAVE = "leave", _("Leave")
        SICKNESS = "sickness", _("Sickness")
        TRAINING = "training", _("Training")
        OTHER = "other", _("Other")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="absences", verbose_name=_("site"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences", verbose_name=_("person"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (included)"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start")]
        indexes = [models.Index(fields=["site", "ends_on"], name="absence_site_end_idx")]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")

    def __str__(self) -> str:
        return f"{self.person} {self.starts_on}–{self.ends_on} ({self.get_reason_display()})"


def validate_skills(value) -> None:
    if not isinstance(value, list) or not set(value) <= set(Skill.values):
        raise ValidationError(_("Skills must be a list of: %(skills)s."), params={"skills": ", ".join(Skill.values)})


class TechnicianProfile(models.Model):
    """What a technician can do and how many hours they attend each weekday."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="technician_profile", verbose_name=_("technician")
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="technicians", verbose_name=_("site"))
    skills = models.JSONField(_("skills"), default=list, validators=[validate_skills], help_text=_('e.g. ["mechanics", "express"]'))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["site", "user"]
        verbose_name = _("technician profile")
        verbose_name_plural = _("technician profiles")

    def __str__(self) -> str:
        return str(self.user)


class TechnicianAttendance(models.Model):
    profile = models.ForeignKey(TechnicianProfile, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("technician"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    hours = models.DecimalField(
        _("attended hours"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )

    class Meta:
        ordering = ["profile", "weekday"]
        constraints = [models.UniqueConstraint(fields=["profile", "weekday"], name="unique_attendance_per_weekday")]
        verbose_name = _("daily attendance")
        verbose_name_plural = _("daily attendance")

    def __str__(self) -> str:
        return f"{self.profile} {self.get_weekday_display()}: {self.hours} h"


class SiteCapacityRule(models.Model):
    """The capacity limits of a site's booking; a site without a row uses the defaults."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="capacity_rule", verbose_name=_("site"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("reception slot (minutes)"), default=15, choices=[(10, "10"), (15, "15"), (20, "20"), (30, "30")]
    )
    appointments_per_advisor_hour = models.PositiveSmallIntegerField(_("reception appointments per advisor and hour"), default=3)
    workshop_buffer_percent = models.DecimalField(
        _("workshop hours kept free (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("15"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Kept for walk-ins and extra work found during repairs."),
    )
    waiters_per_interval = models.PositiveSmallIntegerField(_("customers waiting on site per interval"), default=2)
    waiter_interval_minutes = models.PositiveSmallIntegerField(_("waiting interval (minutes)"), default=60)
    loaner_online_reserve_percent = models.DecimalField(
        _("loaners kept back from online booking (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("25"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    min_lead_minutes = models.PositiveSmallIntegerField(_("minimum notice (minutes)"), default=60)
    reception_minutes = models.PositiveSmallIntegerField(
        _("time from reception to the workshop (minutes)"),
        default=30,
        help_text=_("Added to the flat-rate hours to promise the return time."),
    )

    class Meta:
        verbose_name = _("capacity rules")
        verbose_name_plural = _("capacity rules")

    def __str__(self) -> str:
        return str(self.site)


class CapacityOverride(models.Model):
    """One day's limit on one axis replacing the usual one (a sick technician, an event)."""

    class Axis(models.TextChoices):
        ADVISOR_HOUR = "advisor_hour", _("Reception appointments per advisor and hour")
        WORKSHOP_HOURS = "workshop_hours", _("Workshop hours available")
        BUFFER = "buffer", _("Workshop hours kept free (%)")
        WAITERS = "waiters", _("Customers waiting on site per interval")
        LOANERS = "loaners", _("Loaners available")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="capacity_overrides", verbose_name=_("site"))
    day = models.DateField(_("day"))
    axis = models.CharField(_("axis"), max_length=16, choices=Axis.choices)
    skill = models.CharField(
        _("skill"), max_length=10, choices=Skill.choices, blank=True, help_text=_("Workshop hours only; empty for all skills together.")
    )
    value = models.DecimalField(_("limit"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("created by"))

    class Meta:
        ordering = ["site", "day", "axis"]
        constraints = [
            models.UniqueConstraint(fields=["site", "day", "axis", "skill"], name="unique_capacity_override"),
            models.CheckConstraint(
                condition=models.Q(skill="") | models.Q(axis="workshop_hours"), name="override_skill_only_for_workshop_hours"
            ),
        ]
        verbose_name = _("capacity override")
        verbose_name_plural = _("capacity overrides")

    def __str__(self) -> str:
        return f"{self.site} {self.day} {self.get_axis_display()} {self.skill}: {self.value}"


DEFAULT_DOCUMENTS = _("Service book, registration papers, wheel-lock key")


@cache
def default_documents_in_every_language() -> frozenset[str]:
    """The default list of documents as any language writes it: a booking form left untouched stored one of these."""
    texts = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            texts.add(str(DEFAULT_DOCUMENTS))
    return frozenset(texts)


def new_calendar_uid() -> str:
    """The UID of a booking's calendar event, kept across its moves (RFC 7986 recommends a UUID)."""
    return str(uuid.uuid4())


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CONFIRMED = "confirmed", _("Confirmed by the customer")
        ARRIVED = "arrived", _("Arrived")
        NO_SHOW = "no_show", _("No-show")
        CANCELLED = "cancelled", _("Cancelled")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        CONVERTED = "converted", _("Converted to a work order")

    TRANSITIONS = {
        Status.BOOKED: {Status.CONFIRMED, Status.ARRIVED, Status.NO_SHOW, Status.CANCELLED, Status.RESCHEDULED},
        Status.CONFIRMED: {Status.ARRIVED, Status.NO_SHOW, Status.CANCELLED, Status.RESCHEDULED},
        Status.ARRIVED: {Status.CONVERTED},
        Status.NO_SHOW: {Status.RESCHEDULED},
        Status.CANCELLED: set(),
        Status.RESCHEDULED: set(),
        Status.CONVERTED: set(),
    }
    ACTIVE_STATUSES = (Status.BOOKED, Status.CONFIRMED, Status.ARRIVED, Status.CONVERTED)

    class ConfirmationStatus(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        NO_RESPONSE = "no_response", _("No response")

    class ConfirmedVia(models.TextChoices):
        LINK = "link", _("by the link in the message")
        PHONE = "phone", _("by phone")
        SMS_REPLY = "sms_reply", _("by SMS reply")

    class BookingChannel(models.TextChoices):
        PHONE_IN = "phone_in", _("Inbound call")
        PHONE_OUT = "phone_out", _("Outbound call")
        DESK = "desk", _("At the desk")
        WALK_IN = "walk_in", _("Walk-in")
        EMAIL_WEB = "email_web", _("E-mail or web request")
        ONLINE = "online", _("Online self-booking")
        APP = "app", _("App")

    class Origin(models.TextChoices):
        INBOUND_CALL = "inbound_call", _("Inbound call")
        OUTBOUND_CALL = "outbound_call", _("Outbound call")
        REMINDER = "reminder", _("Reminder")
        CAMPAIGN = "campaign", _("Campaign")
        ONLINE = "online", _("Online")
        WALK_IN = "walk_in", _("Walk-in")
        APP = "app", _("App")
        EMAIL_WEB = "email_web", _("E-mail or web request")

    class ArrivalArea(models.TextChoices):
        MECHANICAL = "mechanical", _("Mechanical workshop")
        EXPRESS = "express", _("Express service")
        BODYSHOP = "bodyshop", _("Bodyshop")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("site"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("customer"))
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("vehicle"))
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="advised_appointments", verbose_name=_("advisor")
    )
    starts_at = models.DateTimeField(_("reception at"))
    handover_at = models.DateTimeField(_("handover at"))
    workshop_day = models.DateField(_("workshop day"), help_text=_("The reception day in the site's time zone."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.BOOKED)
    confirmation_status = models.CharField(
        _("confirmation"), max_length=12, choices=ConfirmationStatus.choices, default=ConfirmationStatus.PENDING
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_via = models.CharField(_("confirmed via"), max_length=20, choices=ConfirmedVia.choices, blank=True)
    channel = models.CharField(_("booked through"), max_length=10, choices=BookingChannel.choices)
    origin = models.CharField(_("origin"), max_length=14, choices=Origin.choices)
    origin_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("origin record type")
    )
    origin_object_id = models.PositiveBigIntegerField(_("origin record id"), null=True, blank=True)
    origin_record = GenericForeignKey("origin_content_type", "origin_object_id")
    customer_words = models.TextField(_("in the customer's words"), blank=True)
    urgent = models.BooleanField(_("urgent or breakdown"), default=False)
    breakdown_call = models.ForeignKey(
        "BreakdownCall",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("breakdown or accident call"),
        help_text=_("The call this diagnosis appointment was booked in; kept when the appointment is moved."),
    )
    customer_waits = models.BooleanField(_("customer waits on site"), default=False)
    mobility = models.ManyToManyField(MobilityService, blank=True, related_name="appointments", verbose_name=_("mobility"))
    checklist = models.JSONField(_("call checklist"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    currency = models.CharField(_("currency"), max_length=3)
    labour_total = models.DecimalField(_("labour, before VAT"), max_digits=12, decimal_places=2, default=Decimal("0"))
    parts_total = models.DecimalField(_("parts, before VAT"), max_digits=12, decimal_places=2, default=Decimal("0"))
    net_total = models.DecimalField(_("total before VAT"), max_digits=12, decimal_places=2, default=Decimal("0"))
    vat_total = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2, default=Decimal("0"))
    gross_total = models.DecimalField(_("total, VAT included"), max_digits=12, decimal_places=2, default=Decimal("0"))
    flat_rate_hours = models.DecimalField(_("flat-rate hours"), max_digits=7, decimal_places=2, default=Decimal("0"))
    rescheduled_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="rescheduled_to", verbose_name=_("rescheduled from")
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="booked_appointments", verbose_name=_("booked by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    calendar_uid = models.CharField(_("calendar event"), max_length=255, default=new_calendar_uid, editable=False)
    calendar_sequence = models.PositiveIntegerField(_("calendar event version"), default=0, editable=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        permissions = [("override_capacity", _("Can book past a capacity limit, with a reason"))]
        constraints = [
            models.CheckConstraint(condition=models.Q(handover_at__gt=models.F("starts_at")), name="handover_after_reception"),
            models.CheckConstraint(
                condition=models.Q(origin_content_type__isnull=True, origin_object_id__isnull=True)
                | models.Q(origin_content_type__isnull=False, origin_object_id__isnull=False),
                name="appointment_origin_record_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "starts_at"], name="appointment_site_start_idx"),
            models.Index(fields=["advisor", "starts_at"], name="appointment_advisor_start_idx"),
            models.Index(fields=["site", "workshop_day", "status"], name="appointment_site_day_idx"),
            models.Index(fields=["status"], name="appointment_status_idx"),
            models.Index(fields=["origin_content_type", "origin_object_id"], name="appointment_origin_idx"),
            models.Index(fields=["site", "created_at"], name="appointment_site_created_idx"),  # KPI figures' rebuild (kpis.rollup)
        ]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at, self.site.tz) if self.site_id else self.starts_at
        return f"{local:%Y-%m-%d %H:%M} {self.customer}"

    @property
    def arrival_area_label(self) -> str:
        area = self.checklist.get("arrival_area", "")
        return str(self.ArrivalArea(area).label) if area in self.ArrivalArea.values else area

    @property
    def documents_label(self) -> str:
        """The documents to bring as the agent typed them; the untouched default list (or none) in the reader's language."""
        typed = self.checklist.get("documents_to_bring", "").strip()
        return str(DEFAULT_DOCUMENTS) if not typed or typed in default_documents_in_every_language() else typed


class AppointmentJob(models.Model):
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("appointment"))
    operation = models.ForeignKey(LabourOperation, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("labour operation"))
    description = models.CharField(_("description"), max_length=200)
    skill = models.CharField(_("skill"), max_length=10, choices=Skill.choices)
    flat_rate_hours = models.DecimalField(
        _("flat-rate hours"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    labour_price = models.DecimalField(_("labour, before VAT"), max_digits=10, decimal_places=2)
    parts_price = models.DecimalField(_("parts kit, before VAT"), max_digits=10, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["appointment", "pk"]
        verbose_name = _("booked job")
        verbose_name_plural = _("booked jobs")

    def __str__(self) -> str:
        return self.description

    def localized_description(self, language: str | None = None) -> str:
        """The job as a reader of ``language`` (the active language when None) reads it: a catalogue job in their language."""
        return self.operation.relocalized("description", self.description, language) if self.operation_id else self.description


class AppointmentEvent(models.Model):
    """Every change of an appointment's status, and every capacity override, with who and why."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events", verbose_name=_("appointment"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_status = models.CharField(_("from"), max_length=12, choices=Appointment.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Appointment.Status.choices)
    note = models.TextField(_("note"), blank=True)
    note_code = models.CharField(_("message code"), max_length=60, blank=True)
    note_params = models.JSONField(_("message parameters"), default=dict, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    note_display = ShownText("note", _("note"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("appointment event")
        verbose_name_plural = _("appointment events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.from_status or '-'} → {self.to_status}"


class SlotReservation(models.Model):
    """One advisor slot taken: the unique (advisor, start) pair forbids double booking."""

    class Kind(models.TextChoices):
        RECEPTION = "reception", _("Reception")
        HANDOVER = "handover", _("Handover")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="slot_reservations", verbose_name=_("site"))
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="slot_reservations", verbose_name=_("advisor")
    )
    starts_at = models.DateTimeField(_("starts at"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="slots", verbose_name=_("appointment"))

    class Meta:
        ordering = ["starts_at", "advisor"]
        constraints = [models.UniqueConstraint(fields=["advisor", "starts_at"], name="unique_advisor_slot")]
        indexes = [models.Index(fields=["site", "starts_at"], name="slot_site_start_idx")]
        verbose_name = _("slot reservation")
        verbose_name_plural = _("slot reservations")

    def __str__(self) -> str:
        return f"{self.advisor} {self.starts_at:%Y-%m-%d %H:%M} {self.kind}"


class Loaner(Translated):
    translated_fields = ("category",)

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="loaners", verbose_name=_("site"))
    description = models.CharField(_("vehicle"), max_length=120)
    plate = models.CharField(_("registration plate"), max_length=16)
    category = models.CharField(_("category"), max_length=40, help_text=_("e.g. city car, estate, electric"))
    active = models.BooleanField(_("in the fleet"), default=True)
    # The loan contract's terms for this loaner; empty: the site's (LoanTerms).
    daily_price = models.DecimalField(
        _("price per day, VAT included"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0 when lent free of charge; empty: the site's loan terms."),
    )
    insurance_excess = models.DecimalField(
        _("insurance excess"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Empty: the site's loan terms."),
    )
    daily_km_allowance = models.PositiveIntegerField(
        _("mileage allowance per day (km)"), null=True, blank=True, help_text=_("Empty: the site's loan terms.")
    )

    class Meta:
        ordering = ["site", "category", "plate"]
        constraints = [models.UniqueConstraint(fields=["site", "plate"], name="unique_loaner_plate_per_site")]
        verbose_name = _("loaner")
        verbose_name_plural = _("loaners")

    def __str__(self) -> str:
        return f"{self.description} {self.plate}"


class LoanTerms(models.Model):
    """A site's loan contract terms, for its loaners that have none of their own."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="loan_terms", verbose_name=_("site"))
    daily_price = models.DecimalField(
        _("price per day, VAT included"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0 when loaners are lent free of charge."),
    )
    insurance_excess = models.DecimalField(
        _("insurance excess"), max_digits=10, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    daily_km_allowance = models.PositiveIntegerField(
        _("mileage allowance per day (km)"), null=True, blank=True, help_text=_("Empty: no limit.")
    )

    class Meta:
        verbose_name = _("loan terms")
        verbose_name_plural = _("loan terms")

    def __str__(self) -> str:
        return str(self.site)


class LoanerReservation(models.Model):
    """A loaner out from drop-off to handover; overlaps are refused (see the module docstring).

    When the loaner comes back (``returned_at``), the period is cut to end
    then (``ends_at``; the booked end stays in the audit row), so the slot
    engine, ``free_loaners`` and the PostgreSQL exclusion constraint free the
    loaner from that moment with no extra filter.
    """

    loaner = models.ForeignKey(Loaner, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("loaner"))
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="loaner_reservations", verbose_name=_("appointment")
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    confirmed_at = models.DateTimeField(_("checked and confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("confirmed by")
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("taken back by")
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="loaner_period_ends_after_start")]
        indexes = [
            models.Index(fields=["loaner", "starts_at"], name="loaner_period_idx"),
            models.Index(fields=["starts_at"], name="loaner_period_start_idx"),  # KPI figures' rebuild (kpis.rollup)
        ]
        verbose_name = _("loaner reservation")
        verbose_name_plural = _("loaner reservations")

    def __str__(self) -> str:
        return f"{self.loaner} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"


# --- Parts for the 24-48 h preparation ----------------------------------------
# A simple stock per site, kept here until the parts desk has its own app
# (which may then take these three models over with their data).


NOT_NEGATIVE = MinValueValidator(Decimal("0"))


class PartStock(models.Model):
    """How many of one part a site holds: on the shelf, set aside for appointments, and ordered."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="part_stock", verbose_name=_("site"))
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="stock", verbose_name=_("part"))
    on_hand = models.DecimalField(_("on hand"), max_digits=10, decimal_places=2, default=Decimal("0"), validators=[NOT_NEGATIVE])
    reserved = models.DecimalField(_("reserved"), max_digits=10, decimal_places=2, default=Decimal("0"), validators=[NOT_NEGATIVE])
    on_order = models.DecimalField(_("on order"), max_digits=10, decimal_places=2, default=Decimal("0"), validators=[NOT_NEGATIVE])

    class Meta:
        ordering = ["site", "part"]
        constraints = [
            models.UniqueConstraint(fields=["site", "part"], name="unique_stock_per_site_part"),
            models.CheckConstraint(condition=models.Q(on_hand__gte=0, reserved__gte=0, on_order__gte=0), name="stock_not_negative"),
        ]
        verbose_name = _("part stock")
        verbose_name_plural = _("part stock")

    def __str__(self) -> str:
        return f"{self.part} @ {self.site}: {self.on_hand}"


class PartReservation(models.Model):
    """Parts set aside on the shelf for one appointment (moved from on hand to reserved)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="part_reservations", verbose_name=_("appointment"))
    part = models.ForeignKey(Part, on_delete=models.PROTECT, verbose_name=_("part"))
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    reserved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reserved by"))
    reserved_at = models.DateTimeField(_("reserved at"), default=timezone.now)

    class Meta:
        ordering = ["appointment", "part"]
        constraints = [models.UniqueConstraint(fields=["appointment", "part"], name="unique_part_reservation")]
        verbose_name = _("part reservation")
        verbose_name_plural = _("part reservations")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.part}"


class PartOrderRequest(models.Model):
    """A part the parts advisor is asked to order for an appointment."""

    class Status(models.TextChoices):
        OPEN = "open", _("To order")
        ORDERED = "ordered", _("Ordered")
        CANCELLED = "cancelled", _("Cancelled")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="part_order_requests", verbose_name=_("site"))
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="part_order_requests", verbose_name=_("appointment")
    )
    part = models.ForeignKey(Part, on_delete=models.PROTECT, verbose_name=_("part"))
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    needed_by = models.DateTimeField(_("needed by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("handled by")
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    supplier = models.CharField(_("supplier"), max_length=120, blank=True)
    expected_on = models.DateField(_("expected arrival"), null=True, blank=True)

    class Meta:
        ordering = ["needed_by", "pk"]
        constraints = [models.UniqueConstraint(fields=["appointment", "part"], name="unique_part_order_request")]
        indexes = [models.Index(fields=["site", "status"], name="part_order_site_status_idx")]
        verbose_name = _("part order request")
        verbose_name_plural = _("part order requests")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.part} ({self.get_status_display()})"


class PartsDelayWarning(models.Model):
    """The customer told that a part will be missing on the appointment day: who sent it, when, and the date given.

    Numbered per appointment: a second warning is a deliberate new number (``appointments.parts.warn_parts_delay``).
    """

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="parts_warnings", verbose_name=_("appointment"))
    number = models.PositiveSmallIntegerField(_("number"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    expected_on = models.DateField(_("parts expected on"), null=True, blank=True)
    message = models.ForeignKey(
        "messaging.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("message")
    )

    class Meta:
        ordering = ["appointment", "number"]
        constraints = [models.UniqueConstraint(fields=["appointment", "number"], name="unique_parts_warning_number")]
        verbose_name = _("parts delay warning")
        verbose_name_plural = _("parts delay warnings")

    def __str__(self) -> str:
        return f"{self.appointment_id} #{self.number}"


class WebRequest(models.Model):
    """A customer's message from the site's contact form, or an e-mail staff recorded by hand.

    Staff must answer it within 2 working hours of the site (DOMAIN §1):
    ``due_at`` is computed once, when it is received, with the site's opening
    hours, public holidays and closures (``lib.business_hours.add_working_hours``).
    """

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        EMAIL = "email", _("E-mail")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="web_requests", verbose_name=_("site"))
    brand = models.ForeignKey("accounts.Brand", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("brand"))
    channel = models.CharField(_("received by"), max_length=10, choices=Channel.choices)
    name = models.CharField(_("name"), max_length=160)
    mobile = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    vehicle_text = models.CharField(_("vehicle"), max_length=200, blank=True)
    message = models.TextField(_("message"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due by"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="web_requests", verbose_name=_("customer")
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("answered by")
    )
    escalated_at = models.DateTimeField(_("flagged to the managers at"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(mobile="", email=""), name="web_request_has_contact"),
        ]
        indexes = [
            models.Index(fields=["site", "answered_at", "due_at"], name="web_request_site_due_idx"),
            models.Index(
                fields=["due_at"],
                condition=models.Q(answered_at__isnull=True, escalated_at__isnull=True),
                name="web_request_to_escalate_idx",
            ),
            models.Index(fields=["site", "received_at"], name="web_request_received_idx"),  # KPI figures' rebuild (kpis.rollup)
        ]
        verbose_name = _("web or e-mail request")
        verbose_name_plural = _("web and e-mail requests")

    def __str__(self) -> str:
        return f"{self.name} · {self.received_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("appointments:web_request", kwargs={"pk": self.pk})

    def is_overdue(self, now=None) -> bool:
        return self.answered_at is None and self.due_at <= (now or timezone.now())


# --- The breakdown or accident call ---------------------------------------------


class BreakdownCall(models.Model):
    """What the agent established on a breakdown or accident call; its diagnosis appointment points here (``appointments``).

    Written once, with the appointment, by ``appointments.breakdown.take_breakdown_call``.
    """

    class Kind(models.TextChoices):
        BREAKDOWN = "breakdown", _("Breakdown")
        ACCIDENT = "accident", _("Accident")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="breakdown_calls", verbose_name=_("site"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="breakdown_calls", verbose_name=_("customer"))
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="breakdown_calls", verbose_name=_("vehicle"))
    kind = models.CharField(_("breakdown or accident"), max_length=10, choices=Kind.choices)
    location = models.CharField(_("where the vehicle is"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    anyone_injured = models.BooleanField(_("someone injured"), default=False)
    emergency_services_alerted = models.BooleanField(_("emergency services alerted"), default=False)
    towing_needed = models.BooleanField(_("towing needed"), default=False)
    assistance_partner = models.ForeignKey(
        "accounts.AssistanceContact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assistance partner called"),
    )
    courtesy_car_needed = models.BooleanField(_("courtesy car needed"), default=False)
    insurer = models.CharField(_("insurer"), max_length=120, blank=True)
    policy_number = models.CharField(_("policy number"), max_length=60, blank=True)
    assistance_file_number = models.CharField(_("assistance file number"), max_length=60, blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("taken by"))
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)

    class Meta:
        ordering = ["-taken_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(location="") | models.Q(latitude__isnull=False), name="breakdown_call_has_location"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="breakdown_call_coordinates_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(anyone_injured=True, emergency_services_alerted=False), name="breakdown_call_injured_alerted"
            ),
        ]
        indexes = [models.Index(fields=["site", "taken_at"], name="breakdown_call_site_idx")]
        verbose_name = _("breakdown or accident call")
        verbose_name_plural = _("breakdown and accident calls")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer} · {self.taken_at:%Y-%m-%d %H:%M}"

    @property
    def map_url(self) -> str:
        """The vehicle's position on OpenStreetMap, when its coordinates were given."""
        if self.latitude is None:
            return ""
        return f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}#map=16/{self.latitude}/{self.longitude}"


# --- The reception screen in the customer area (kiosk mode) -----------------------


class ReceptionScreen(models.Model):
    """A screen in the customer area showing the day's arrivals in kiosk mode, opened by its own link without a login.

    The link carries a random key of which only the SHA-256 is kept; a manager
    makes one link per screen and revokes it when the screen is gone.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="reception_screens", verbose_name=_("site"))
    name = models.CharField(_("screen"), max_length=80, help_text=_("Where the screen is, e.g. “Reception, ground floor”."))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"), editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("revoked by")
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last shown"), null=True, blank=True)

    class Meta:
        ordering = ["site", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True, revoked_by__isnull=True) | models.Q(revoked_at__isnull=False),
                name="reception_screen_revoked_with_moment",
            )
        ]
        verbose_name = _("reception screen")
        verbose_name_plural = _("reception screens")

    def __str__(self) -> str:
        return f"{self.site} · {self.name}"
