"""Work orders: from the customer's arrival to the car handed to the workshop.

A work order's number comes from ``WorkOrderCounter``: one row per site and
year, locked while the next number is taken, with a unique constraint on
(site, year, sequence) as the last line, so numbers have no gaps and no
duplicates. ``WorkOrder.TRANSITIONS`` lists the allowed status moves; the
workshop and quality stages add their statuses to it.

Once the customer signed, the agreed lines are frozen: ``services`` refuses
to edit or delete them, and ``save()``/``delete()`` of a line refuse too as a
safety net. Work found later is added as lines with ``approval`` pending.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import GaplessCounter, Site
from aftersales.customers.models import Customer, LabourOperation, MobilityService, Part, Translated, Vehicle
from aftersales.lib.system_texts import ShownText
from appointments.models import Appointment, Loaner

FUEL_EIGHTHS = [(eighths, f"{eighths}/8") for eighths in range(9)]


class WorkOrderCounter(GaplessCounter):
    """The last work-order number given at a site in a year (locked to take the next one)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="work_order_counters", verbose_name=_("site"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "year"], name="unique_work_order_counter")]
        verbose_name = _("work-order counter")
        verbose_name_plural = _("work-order counters")


class Payer(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    WARRANTY = "warranty", _("Warranty")
    INTERNAL = "internal", _("Internal")


class JobStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    DONE = "done", _("Done")


class HoldReason(models.TextChoices):
    PARTS = "parts", _("Waiting for parts")
    APPROVAL = "approval", _("Waiting for approval")


class Approval(models.TextChoices):
    """Lines agreed at reception, and additions found later with their own approval."""

    AGREED = "agreed", _("Agreed at reception")
    PENDING = "pending", _("Addition waiting for approval")
    APPROVED = "approved", _("Addition approved")
    DECLINED = "declined", _("Addition declined")


class WorkOrder(models.Model):
    class Status(models.TextChoices):
        PREPARED = "prepared", _("Prepared in advance")
        DRAFT = "draft", _("Check-in in progress")
        CHECKED_IN = "checked_in", _("Checked in")
        SIGNED = "signed", _("Signed by the customer")
        IN_WORKSHOP = "in_workshop", _("In the workshop")
        QUALITY_CHECK = "quality_check", _("Waiting for the quality check")
        READY = "ready", _("Ready for invoicing")
        DELIVERED = "delivered", _("Handed over to the customer")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.PREPARED: {Status.DRAFT, Status.CANCELLED},
        Status.DRAFT: {Status.CHECKED_IN, Status.CANCELLED},
        Status.CHECKED_IN: {Status.SIGNED, Status.CANCELLED},
        Status.SIGNED: {Status.IN_WORKSHOP},
        Status.IN_WORKSHOP: {Status.QUALITY_CHECK},
        Status.QUALITY_CHECK: {Status.IN_WORKSHOP, Status.READY},
        Status.READY: {Status.DELIVERED},
        Status.DELIVERED: set(),
        Status.CANCELLED: set(),
    }
    WORKSHOP_STATUSES = (Status.IN_WORKSHOP, Status.QUALITY_CHECK)
    EDITABLE_STATUSES = (Status.PREPARED, Status.DRAFT, Status.CHECKED_IN)
    NOT_A_VISIT = (Status.PREPARED, Status.CANCELLED)  # prepared for a customer not yet there, or cancelled

    class PaymentMethod(models.TextChoices):
        CARD = "card", _("Card")
        CASH = "cash", _("Cash")
        TRANSFER = "transfer", _("Bank transfer")
        ACCOUNT = "account", _("Company account")

    class Departure(models.TextChoices):
        WAITS = "waits", _("Waits on site")
        LEAVES = "leaves", _("Leaves and comes back")
        MOBILITY = "mobility", _("Mobility service")
        LOANER = "loaner", _("Takes a loaner")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("site"))
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=40, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    appointment = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="work_order", verbose_name=_("appointment")
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("customer"))
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("vehicle"))
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("advisor"))
    created_at = models.DateTimeField(
        _("opened at"),
        default=timezone.now,
        help_text=_("When the customer was received: an order prepared in advance takes the moment of the check-in."),
    )
    check_in_step = models.PositiveSmallIntegerField(_("check-in steps done"), default=0)
    # 1. preparation
    cover_seat = models.BooleanField(_("seat cover fitted"), default=False)
    cover_steering_wheel = models.BooleanField(_("steering-wheel cover fitted"), default=False)
    cover_floor_mat = models.BooleanField(_("floor mat fitted"), default=False)
    covers_not_fitted_reason = models.CharField(_("why no cover was fitted"), max_length=300, blank=True)
    # 2. greeting
    customer_words = models.TextField(_("requested work, in the customer's words"), blank=True)
    requested_work_confirmed = models.BooleanField(_("requested work confirmed with the customer"), default=False)
    # 3. walk-around
    mileage_in = models.PositiveIntegerField(_("mileage in (km)"), null=True, blank=True)
    mileage_out = models.PositiveIntegerField(_("mileage out (km)"), null=True, blank=True)
    fuel_level = models.PositiveSmallIntegerField(_("fuel level (eighths)"), null=True, blank=True, choices=FUEL_EIGHTHS)
    valuables = models.CharField(_("valuables left in the car"), max_length=300, blank=True)
    # 4. findings
    findings = models.TextField(_("findings confirmed with the customer"), blank=True)
    # 5. time and cost
    promised_at = models.DateTimeField(_("promised return"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    labour_total = models.DecimalField(_("labour, before VAT"), max_digits=12, decimal_places=2, default=Decimal("0"))
    parts_total = models.DecimalField(_("parts, before VAT"), max_digits=12, decimal_places=2, default=Decimal("0"))
    net_total = models.DecimalField(_("total before VAT"), max_digits=12, decimal_places=2, default=Decimal("0"))
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=Decimal("0"))
    vat_total = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2, default=Decimal("0"))
    gross_total = models.DecimalField(_("total, VAT included"), max_digits=12, decimal_places=2, default=Decimal("0"))
    # 6. documents
    doc_radio_code = models.BooleanField(_("radio code"), default=False)
    doc_wheel_lock_key = models.BooleanField(_("wheel-lock key"), default=False)
    doc_service_book = models.BooleanField(_("service book"), default=False)
    doc_driving_licence = models.BooleanField(_("driving licence"), default=False)
    doc_registration_papers = models.BooleanField(_("registration papers"), default=False)
    # 7. agreement
    spending_limit = models.DecimalField(
        _("spending limit for extra work without asking"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    payment_method = models.CharField(_("payment method"), max_length=10, choices=PaymentMethod.choices, blank=True)
    contact_phone = models.CharField(_("contact phone for the day"), max_length=20, blank=True)
    # 8. how the customer waits or leaves
    departure = models.CharField(_("the customer"), max_length=10, choices=Departure.choices, blank=True)
    mobility = models.ForeignKey(
        MobilityService, null=True, blank=True, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("mobility service")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "year", "sequence"], name="unique_work_order_sequence"),
            models.CheckConstraint(condition=models.Q(fuel_level__lte=8), name="work_order_fuel_in_eighths"),
        ]
        indexes = [
            models.Index(fields=["site", "created_at"], name="work_order_site_created_idx"),
            models.Index(
                fields=["site", "status"],
                name="work_order_in_workshop_idx",
                condition=models.Q(status__in=["in_workshop", "quality_check"]),
            ),
        ]
        permissions = [
            ("dispatch_jobs", _("Can dispatch jobs to technicians and bays")),
            ("work_on_jobs", _("Can clock on jobs, tick them and inspect vehicles")),
            ("decide_extra_work", _("Can price extra work and record the customer's decisions")),
            ("check_quality", _("Can do the quality check")),
        ]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("workshop:detail", kwargs={"pk": self.pk})

    @property
    def is_signed(self) -> bool:
        return self.status not in (*self.EDITABLE_STATUSES, self.Status.CANCELLED)


class FrozenWhenSigned(models.Model):
    """A line of the order; an agreed line of a signed order refuses to change (services check first)."""

    approval = models.CharField(_("approval"), max_length=10, choices=Approval.choices, default=Approval.AGREED)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and self._frozen():
            stored = type(self).objects.filter(pk=self.pk).values(*self.AGREED_FIELDS).first()
            if stored is not None and any(stored[name] != getattr(self, name) for name in self.AGREED_FIELDS):
                raise ValueError("an agreed line of a signed work order cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._frozen():
            raise ValueError("an agreed line of a signed work order cannot be deleted")
        return super().delete(*args, **kwargs)

    def _frozen(self) -> bool:
        return self.approval == Approval.AGREED and self.work_order.is_signed


class WorkOrderJob(FrozenWhenSigned):
    """One job: the customer's concern, and later the cause and the correction (the three C's)."""

    AGREED_FIELDS = ("concern", "operation_id", "flat_rate_hours", "labour_price", "payer")

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("work order"))
    operation = models.ForeignKey(LabourOperation, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("labour operation"))
    concern = models.CharField(_("concern"), max_length=300)
    cause = models.TextField(_("cause"), blank=True)
    correction = models.TextField(_("correction"), blank=True)
    skill = models.CharField(_("skill"), max_length=10, choices=LabourOperation.Skill.choices)
    flat_rate_hours = models.DecimalField(
        _("flat-rate hours"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    labour_price = models.DecimalField(_("labour, before VAT"), max_digits=10, decimal_places=2)
    payer = models.CharField(_("payer"), max_length=10, choices=Payer.choices, default=Payer.CUSTOMER)
    from_appointment = models.BooleanField(_("booked"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    # the workshop: dispatch, sign-off by the technician, rework
    status = models.CharField(_("workshop status"), max_length=12, choices=JobStatus.choices, default=JobStatus.WAITING)
    hold_reason = models.CharField(_("on hold for"), max_length=10, choices=HoldReason.choices, blank=True)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workshop_jobs",
        verbose_name=_("technician"),
    )
    bay = models.ForeignKey("Bay", null=True, blank=True, on_delete=models.PROTECT, related_name="jobs", verbose_name=_("bay"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed off by")
    )
    done_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField(_("sent back by the quality check"), default=0)
    inspection_result = models.ForeignKey(
        "InspectionResult",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
        verbose_name=_("inspection item"),
    )

    class Meta:
        ordering = ["work_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(done_by__isnull=False, done_at__isnull=False),
                name="work_order_job_done_is_signed",
            ),
        ]
        indexes = [
            models.Index(fields=["done_by", "done_at"], name="work_order_job_done_idx"),
            models.Index(fields=["done_at"], name="work_order_job_done_at_idx"),  # KPI figures' rebuild (kpis.rollup)
        ]
        verbose_name = _("work-order job")
        verbose_name_plural = _("work-order jobs")

    def __str__(self) -> str:
        return self.concern

    def localized_concern(self, language: str | None = None) -> str:
        """The concern as a reader of ``language`` (the active language when None) reads it."""
        return self.relocalized(self.concern, language)

    def relocalized(self, text: str, language: str | None = None) -> str:
        """``text`` written from this job (its concern, a deferred item) for a reader of ``language``: the catalogue
        inspection point or the catalogue operation it was copied from comes back in their language."""
        if self.inspection_result_id:
            text = self.inspection_result.item.relocalized("label", text, language)
        if self.operation_id:
            text = self.operation.relocalized("description", text, language)
        return text


def job_text_sources(path: str = "") -> list[str]:
    """The joins a job's texts are read in the reader's language from, for select_related (``path``: "declined_job__")."""
    return [f"{path}operation", f"{path}inspection_result__item"]


class WorkOrderPart(FrozenWhenSigned):
    """A parts line: a catalogue part, or a part described in free text (not in the catalogue) with its own price."""

    AGREED_FIELDS = ("part_id", "description", "quantity", "unit_price", "payer")

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="parts", verbose_name=_("work order"))
    job = models.ForeignKey(WorkOrderJob, null=True, blank=True, on_delete=models.CASCADE, related_name="parts", verbose_name=_("job"))
    part = models.ForeignKey(Part, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("part"))
    description = models.CharField(_("part not in the catalogue"), max_length=120, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    unit_price = models.DecimalField(_("unit price, before VAT"), max_digits=10, decimal_places=2)
    payer = models.CharField(_("payer"), max_length=10, choices=Payer.choices, default=Payer.CUSTOMER)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["work_order", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(part__isnull=False) | ~models.Q(description=""), name="work_order_part_named")
        ]
        verbose_name = _("work-order part")
        verbose_name_plural = _("work-order parts")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.part or self.description}"

    @property
    def name(self) -> str:
        """The part's name as stored (the catalogue's, else the free text)."""
        return self.part.name if self.part_id else self.description

    @property
    def number(self) -> str:
        return self.part.number if self.part_id else ""

    def localized_name(self, language: str | None = None) -> str:
        return self.part.localized("name", language) if self.part_id else self.description


class DamageMark(models.Model):
    """A defect found on the walk-around, placed on one view of the vehicle diagram (x, y from 0 to 1)."""

    class View(models.TextChoices):
        FRONT = "front", _("Front")
        REAR = "rear", _("Rear")
        LEFT = "left", _("Left side")
        RIGHT = "right", _("Right side")
        TOP = "top", _("Top")

    class Kind(models.TextChoices):
        SCRATCH = "scratch", _("Scratch")
        DENT = "dent", _("Dent")
        CRACK = "crack", _("Crack")
        CHIP = "chip", _("Chip")

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="damage_marks", verbose_name=_("work order"))
    view = models.CharField(_("view"), max_length=5, choices=View.choices)
    x = models.DecimalField("x", max_digits=5, decimal_places=4, validators=[MinValueValidator(0), MaxValueValidator(1)])
    y = models.DecimalField("y", max_digits=5, decimal_places=4, validators=[MinValueValidator(0), MaxValueValidator(1)])
    kind = models.CharField(_("damage"), max_length=7, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["work_order", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(x__gte=0, x__lte=1, y__gte=0, y__lte=1), name="damage_mark_inside_view"),
        ]
        verbose_name = _("damage mark")
        verbose_name_plural = _("damage marks")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_view_display()})"


def photo_path(instance: "WorkOrderPhoto", filename: str) -> str:
    return f"workshop/{instance.work_order.site_id}/{instance.work_order_id}/{timezone.now():%Y%m%d%H%M%S%f}.{instance.extension}"


class WorkOrderPhoto(models.Model):
    """A walk-around photo, stored under MEDIA_ROOT and only served through a permission-checked view."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="photos", verbose_name=_("work order"))
    image = models.FileField(_("photo"), upload_to=photo_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    extension = models.CharField(_("extension"), max_length=5)
    size = models.PositiveIntegerField(_("size (bytes)"))
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    inspection_result = models.ForeignKey(
        "InspectionResult",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("inspection item"),
    )
    damage_mark = models.ForeignKey(
        DamageMark, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos", verbose_name=_("damage shown")
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["work_order", "pk"]
        verbose_name = _("walk-around photo")
        verbose_name_plural = _("walk-around photos")

    def __str__(self) -> str:
        return self.caption or self.image.name


class LoanerHandover(models.Model):
    """The loaner handed over at drop-off, with its fuel and mileage out."""

    work_order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="loaner_handover", verbose_name=_("work order"))
    loaner = models.ForeignKey(Loaner, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("loaner"))
    fuel_out = models.PositiveSmallIntegerField(_("loaner fuel out (eighths)"), choices=FUEL_EIGHTHS)
    mileage_out = models.PositiveIntegerField(_("loaner mileage out (km)"))
    handed_over_at = models.DateTimeField(_("handed over at"), default=timezone.now)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("handed over by")
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(fuel_out__lte=8), name="loaner_fuel_in_eighths")]
        verbose_name = _("loaner handover")
        verbose_name_plural = _("loaner handovers")

    def __str__(self) -> str:
        return f"{self.loaner} → {self.work_order}"


class Signature(models.Model):
    """The customer's agreement to the order: drawn on the tablet or by a one-time code, with the hash of what was signed."""

    class Method(models.TextChoices):
        DRAWN = "drawn", _("Signed on the tablet")
        OTP = "otp", _("Signed by SMS code")

    work_order = models.OneToOneField(WorkOrder, on_delete=models.PROTECT, related_name="signature", verbose_name=_("work order"))
    method = models.CharField(_("method"), max_length=5, choices=Method.choices)
    image = models.FileField(_("drawn signature"), upload_to="workshop/signatures/", max_length=200, blank=True)
    content_hash = models.CharField(_("SHA-256 of the signed content"), max_length=64)
    content = models.JSONField(_("signed content"))
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("witnessed by")
    )

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")

    def __str__(self) -> str:
        return f"{self.work_order} {self.get_method_display()} {self.signed_at:%Y-%m-%d %H:%M}"


class WorkOrderEvent(models.Model):
    """Every status change of a work order, with who and when."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events", verbose_name=_("work order"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_status = models.CharField(_("from"), max_length=16, choices=WorkOrder.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=WorkOrder.Status.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    note_code = models.CharField(_("message code"), max_length=60, blank=True)
    note_params = models.JSONField(_("message parameters"), default=dict, blank=True)
    note_display = ShownText("note", _("note"))

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["at"], name="work_order_event_at_idx")]  # KPI figures' rebuild (kpis.rollup)
        verbose_name = _("work-order event")
        verbose_name_plural = _("work-order events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.from_status or '-'} → {self.to_status}"


# --- the workshop ---------------------------------------------------------------------


class Bay(Translated):
    """A workshop bay (lift, bodywork booth, express lane) of a site."""

    translated_fields = ("name",)

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="bays", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=40)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["site", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="unique_bay_name_per_site")]
        verbose_name = _("bay")
        verbose_name_plural = _("bays")

    def __str__(self) -> str:
        return self.localized("name")


class AttendanceSpan(models.Model):
    """The attendance clock: a day at work (clock in to clock out) or a break inside it; open while ``ended_at`` is empty."""

    class Kind(models.TextChoices):
        DAY = "day", _("At work")
        BREAK = "break", _("Break")

    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendance_spans", verbose_name=_("technician")
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="attendance_spans", verbose_name=_("site"))
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["technician", "started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["technician", "kind"], condition=models.Q(ended_at__isnull=True), name="one_open_attendance_span_per_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="attendance_span_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["site", "started_at"], name="attendance_site_started_idx")]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return f"{self.technician} {self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"


class JobClocking(models.Model):
    """The job clock: a technician on one job line; at most one open clocking per technician."""

    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="job_clockings", verbose_name=_("technician")
    )
    job = models.ForeignKey(WorkOrderJob, on_delete=models.PROTECT, related_name="clockings", verbose_name=_("job"))
    started_at = models.DateTimeField(_("clocked on"))
    ended_at = models.DateTimeField(_("clocked off"), null=True, blank=True)

    class Meta:
        ordering = ["technician", "started_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["technician"], condition=models.Q(ended_at__isnull=True), name="one_open_job_clocking"),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="job_clocking_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["started_at"], name="job_clocking_started_idx")]  # KPI figures' rebuild (kpis.rollup)
        verbose_name = _("job clocking")
        verbose_name_plural = _("job clockings")

    def __str__(self) -> str:
        return f"{self.technician} on {self.job} {self.started_at:%Y-%m-%d %H:%M}"


class ClockingReview(models.Model):
    """A sign-off whose clocked time is implausible against the job's sold hours (``workshop.plausibility``): the
    KPIs leave the job out of the efficiency figure until the foreman confirms the time as clocked or corrects it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the foreman's confirmation")
        CONFIRMED = "confirmed", _("Confirmed as clocked")
        CORRECTED = "corrected", _("Corrected by the foreman")

    job = models.OneToOneField(WorkOrderJob, on_delete=models.CASCADE, related_name="clocking_review", verbose_name=_("job"))
    technician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed off by"))
    flagged_at = models.DateTimeField(_("signed off at"))
    sold_hours = models.DecimalField(_("sold hours"), max_digits=6, decimal_places=2)
    clocked = models.DurationField(
        _("clocked time"),
        help_text=_("Flagged when under a quarter or over four times the sold hours, unless the two are less than 15 minutes apart."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    corrected_clocked = models.DurationField(_("real clocked time"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["flagged_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(decided_by__isnull=False, decided_at__isnull=False),
                name="clocking_review_decided_is_signed",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="corrected") | (models.Q(corrected_clocked__isnull=False) & ~models.Q(reason="")),
                name="clocking_review_correction_has_time_and_reason",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="clocking_review_pending_idx", condition=models.Q(status="pending"))]
        verbose_name = _("clocking review")
        verbose_name_plural = _("clocking reviews")

    def __str__(self) -> str:
        return f"{self.job} ({self.get_status_display()})"

    @property
    def clocked_minutes(self) -> int:
        return int(self.clocked.total_seconds() // 60)

    @property
    def clocked_hours(self) -> Decimal:
        return (Decimal(self.clocked.total_seconds()) / 3600).quantize(Decimal("0.01"))


class Rating(models.TextChoices):
    GREEN = "green", _("OK")
    AMBER = "amber", _("Soon")
    RED = "red", _("Now")


class InspectionTemplate(Translated):
    """A multi-point inspection checklist for a brand (empty: every brand) and a service type."""

    translated_fields = ("name",)

    name = models.CharField(_("name"), max_length=80)
    brand = models.ForeignKey(
        "accounts.Brand", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("brand"), help_text=_("Empty for every brand.")
    )
    service_type = models.CharField(_("service type"), max_length=40, blank=True, help_text=_("Empty for every service."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("inspection checklist")
        verbose_name_plural = _("inspection checklists")

    def __str__(self) -> str:
        return self.localized("name")


class InspectionItem(Translated):
    """One point of a checklist; an amber or red rating proposes ``operation`` (or ``hours`` of free-text work)."""

    translated_fields = ("section", "label", "measurement_label")

    template = models.ForeignKey(InspectionTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("checklist"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    section = models.CharField(_("section"), max_length=40)
    label = models.CharField(_("point"), max_length=80)
    measurement_label = models.CharField(_("measurement"), max_length=40, blank=True, help_text=_("e.g. Tread depth (mm)"))
    operation = models.ForeignKey(
        LabourOperation, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("labour operation proposed")
    )
    hours = models.DecimalField(
        _("hours proposed without an operation"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0.1"))],
    )

    class Meta:
        ordering = ["template", "position", "pk"]
        verbose_name = _("inspection point")
        verbose_name_plural = _("inspection points")

    def __str__(self) -> str:
        return f"{self.localized('section')}: {self.localized('label')}"


class Inspection(models.Model):
    """The multi-point inspection of one work order."""

    work_order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="inspection", verbose_name=_("work order"))
    template = models.ForeignKey(InspectionTemplate, on_delete=models.PROTECT, verbose_name=_("checklist"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("completed by")
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.work_order} {self.template}"


class InspectionResult(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results", verbose_name=_("inspection"))
    item = models.ForeignKey(InspectionItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("point"))
    rating = models.CharField(_("rating"), max_length=5, choices=Rating.choices, blank=True)
    measurement = models.DecimalField(_("measurement"), max_digits=7, decimal_places=2, null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by")
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        ordering = ["inspection", "item__position", "pk"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="unique_result_per_point")]
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")

    def __str__(self) -> str:
        return f"{self.item}: {self.get_rating_display() or '-'}"


class ApprovalRequest(models.Model):
    """Pending extra work sent to the customer by a signed link; the first opening of the page is recorded ("viewed")."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="approval_requests", verbose_name=_("work order"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    first_viewed_at = models.DateTimeField(_("first viewed at"), null=True, blank=True)

    class Meta:
        ordering = ["work_order", "-sent_at", "-pk"]
        indexes = [models.Index(fields=["sent_at"], name="approval_request_sent_idx")]  # KPI figures' rebuild (kpis.rollup)
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")

    def __str__(self) -> str:
        return f"{self.work_order} {self.sent_at:%Y-%m-%d %H:%M}"


class ApprovalDecision(models.Model):
    """Who approved or declined an extra job, how, for which amount and when."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        SIGNED_LINK = "signed_link", _("Signed link")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        WITHIN_LIMIT = "within_limit", _("Advisor, within the spending limit")

    job = models.ForeignKey(WorkOrderJob, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("job"))
    approved = models.BooleanField(_("approved"))
    method = models.CharField(_("how"), max_length=12, choices=Method.choices)
    decided_by = models.CharField(_("who"), max_length=120)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    net_amount = models.DecimalField(_("amount before VAT"), max_digits=10, decimal_places=2)
    gross_amount = models.DecimalField(_("amount, VAT included"), max_digits=10, decimal_places=2)
    decided_at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    request = models.ForeignKey(
        ApprovalRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions", verbose_name=_("approval request")
    )

    class Meta:
        ordering = ["job", "decided_at", "pk"]
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")

    def __str__(self) -> str:
        return f"{self.job} {'+' if self.approved else '-'} {self.get_method_display()}"


class DeferredWork(models.Model):
    """Work the customer declined: kept on the vehicle until a later job sells it."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="deferred_work", verbose_name=_("vehicle"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="deferred_work", verbose_name=_("site"))
    description = models.CharField(_("description"), max_length=300)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    rating = models.CharField(_("rating"), max_length=5, choices=Rating.choices, blank=True)
    due_on = models.DateField(_("due on"))
    gross_price = models.DecimalField(_("price, VAT included"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    declined_job = models.OneToOneField(WorkOrderJob, on_delete=models.PROTECT, related_name="deferred_as", verbose_name=_("declined job"))
    sold_job = models.OneToOneField(
        WorkOrderJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="sells_deferred", verbose_name=_("job that sold it")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["vehicle", "due_on", "pk"]
        indexes = [models.Index(fields=["vehicle"], name="deferred_work_open_idx", condition=models.Q(sold_job__isnull=True))]
        verbose_name = _("deferred work")
        verbose_name_plural = _("deferred work")

    def __str__(self) -> str:
        return self.description

    def localized_description(self, language: str | None = None) -> str:
        """The declined work as a reader of ``language`` (the active language when None) reads it."""
        return self.declined_job.relocalized(self.description, language)


class QualityCheck(models.Model):
    """The internal handover: one row per check; a failed check sends the order back (rework, counted)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="quality_checks", verbose_name=_("work order"))
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by"))
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    passed = models.BooleanField(_("passed"))
    order_complete = models.BooleanField(_("work order complete and signed off by the technicians"), default=False)
    road_test_done = models.BooleanField(_("road test done"), default=False)
    road_test_notes = models.CharField(_("road test notes"), max_length=300, blank=True)
    all_jobs_done = models.BooleanField(_("every job done"), default=False)
    cleaned = models.BooleanField(_("vehicle cleaned"), default=False)
    parking_place = models.CharField(_("parking place"), max_length=40, blank=True)
    unfixed_findings = models.TextField(_("findings not fixed"), blank=True)
    fail_reason = models.CharField(_("reason for sending back"), max_length=300, blank=True)

    class Meta:
        ordering = ["work_order", "checked_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(passed=True) | ~models.Q(fail_reason=""), name="failed_check_has_reason"),
        ]
        indexes = [models.Index(fields=["checked_at"], name="quality_check_checked_idx")]  # KPI figures' rebuild (kpis.rollup)
        verbose_name = _("quality check")
        verbose_name_plural = _("quality checks")

    def __str__(self) -> str:
        return f"{self.work_order} {'OK' if self.passed else 'rework'}"


class AdvisorNotification(models.Model):
    """A message for the advisor's board (a car ready for invoicing...), until they mark it read."""

    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workshop_notifications", verbose_name=_("advisor")
    )
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("work order"))
    text = models.CharField(_("text"), max_length=300, blank=True)
    text_code = models.CharField(_("message code"), max_length=60, blank=True)
    text_params = models.JSONField(_("message parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    text_display = ShownText("text", _("text"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["advisor"], name="advisor_unread_idx", condition=models.Q(read_at__isnull=True))]
        verbose_name = _("advisor notification")
        verbose_name_plural = _("advisor notifications")

    def __str__(self) -> str:
        return str(self.text_display)


class WorkOrderPdf(models.Model):
    """The work-order PDF as last rendered for a language, served again while what it prints is unchanged.

    ``fingerprint`` is the SHA-256 of everything the document prints (``workshop.order_pdf.printed_content``):
    a change to the lines, the signature, the customer or the seller's details renders it anew.
    """

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="pdfs", verbose_name=_("work order"))
    language = models.CharField(_("language"), max_length=10)
    fingerprint = models.CharField(_("SHA-256 of the printed content"), max_length=64)
    content = models.BinaryField(_("PDF"))
    rendered_at = models.DateTimeField(_("rendered at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["work_order", "language"], name="unique_work_order_pdf_language")]
        verbose_name = _("work-order PDF")
        verbose_name_plural = _("work-order PDFs")

    def __str__(self) -> str:
        return f"{self.work_order} {self.language} {self.fingerprint[:12]}"
