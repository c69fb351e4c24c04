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

from aftersales.accounts.models import Site
from aftersales.customers.models import Customer, LabourOperation, MobilityService, Part, Vehicle
from appointments.models import Appointment, Loaner

FUEL_EIGHTHS = [(eighths, f"{eighths}/8") for eighths in range(9)]


class WorkOrderCounter(models.Model):
    """The last work-order number given at a site in a year (locked to take the next one)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="work_order_counters", verbose_name=_("site"))
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "year"], name="unique_work_order_counter")]
        verbose_name = _("work-order counter")
        verbose_name_plural = _("work-order counters")

    def __str__(self) -> str:
        return f"{self.site} {self.year}: {self.last}"


class Payer(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    WARRANTY = "warranty", _("Warranty")
    INTERNAL = "internal", _("Internal")


class Approval(models.TextChoices):
    """Lines agreed at reception, and additions found later with their own approval."""

    AGREED = "agreed", _("Agreed at reception")
    PENDING = "pending", _("Addition waiting for approval")
    APPROVED = "approved", _("Addition approved")
    DECLINED = "declined", _("Addition declined")


class WorkOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Check-in in progress")
        CHECKED_IN = "checked_in", _("Checked in")
        SIGNED = "signed", _("Signed by the customer")
        IN_WORKSHOP = "in_workshop", _("In the workshop")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.CHECKED_IN, Status.CANCELLED},
        Status.CHECKED_IN: {Status.SIGNED, Status.CANCELLED},
        Status.SIGNED: {Status.IN_WORKSHOP},
        Status.IN_WORKSHOP: set(),
        Status.CANCELLED: set(),
    }
    EDITABLE_STATUSES = (Status.DRAFT, Status.CHECKED_IN)

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
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    check_in_step = models.PositiveSmallIntegerField(_("check-in steps done"), default=0)
    # 1. preparation
    cover_seat = models.BooleanField(_("seat cover fitted"), default=False)
    cover_steering_wheel = models.BooleanField(_("steering-wheel cover fitted"), default=False)
    cover_floor_mat = models.BooleanField(_("floor mat fitted"), default=False)
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
        _("spending limit for extra work without asking"), max_digits=10, decimal_places=2, null=True, blank=True,
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
        indexes = [models.Index(fields=["site", "created_at"], name="work_order_site_created_idx")]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("workshop:detail", kwargs={"pk": self.pk})

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

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

    class Meta:
        ordering = ["work_order", "pk"]
        verbose_name = _("work-order job")
        verbose_name_plural = _("work-order jobs")

    def __str__(self) -> str:
        return self.concern


class WorkOrderPart(FrozenWhenSigned):
    AGREED_FIELDS = ("part_id", "quantity", "unit_price", "payer")

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="parts", verbose_name=_("work order"))
    job = models.ForeignKey(WorkOrderJob, null=True, blank=True, on_delete=models.CASCADE, related_name="parts", verbose_name=_("job"))
    part = models.ForeignKey(Part, on_delete=models.PROTECT, verbose_name=_("part"))
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    unit_price = models.DecimalField(_("unit price, before VAT"), max_digits=10, decimal_places=2)
    payer = models.CharField(_("payer"), max_length=10, choices=Payer.choices, default=Payer.CUSTOMER)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["work_order", "pk"]
        verbose_name = _("work-order part")
        verbose_name_plural = _("work-order parts")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.part}"


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

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("work-order event")
        verbose_name_plural = _("work-order events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.from_status or '-'} → {self.to_status}"
