"""Invoices, credit notes, payments, closures and the handover.

Inalterability. An invoice is prepared as a draft from a work order that
passed the quality check; issuing it gives it a number, freezes it and links
it into its site's hash chain. From then on nothing changes it:
``save()``/``delete()`` refuse (model, forms and admin go through them), and
the database itself refuses an UPDATE or DELETE of an issued invoice, its
lines, its stored PDF, a payment or a closure (triggers, migration 0002, on
PostgreSQL and SQLite), and PostgreSQL refuses a TRUNCATE of any of their
tables or of the chain heads (migration 0006). A mistake is corrected by a credit note that refers
to the invoice, then a new invoice.

The chain. Each site has one ``ChainHead`` row: locking it serialises every
chained write of the site (invoices and credit notes when issued, payments,
closures). Each chained row keeps its ``chain_position`` (1, 2, 3... per site,
no gaps), ``previous_hash`` (the hash of the site's previous chained row) and
``hash`` = SHA-256 of ``previous_hash`` + the canonical JSON of its content, and
``seal``, an HMAC of the hash keyed by the server's secret (rewriting the
chain needs that key, not only write access to the database). The head is
sealed too (its site, position and hash), only moves forward one link at a
time (trigger), and each closure records the head it saw.
``manage.py verify_invoice_chain`` recomputes it and names the first broken
link.

Numbers. Invoices and credit notes share one sequence per site and year from
``InvoiceCounter`` (locked row, unique constraint on (site, year, sequence)).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import GaplessCounter, Site
from aftersales.customers.models import Customer, Vehicle
from aftersales.lib.formatting import format_money
from workshop.models import FUEL_EIGHTHS, LoanerHandover, Payer, WorkOrder, WorkOrderJob, WorkOrderPart

from .exceptions import DocumentFrozen


class ChainHead(models.Model):
    """The last chained document of a site: locked while the next one is written; sealed like the records (a head
    moved back over a cut tail no longer matches its seal), and e-mailed each day to the site's managers."""

    site = models.OneToOneField(Site, on_delete=models.PROTECT, related_name="invoice_chain", verbose_name=_("site"))
    position = models.PositiveBigIntegerField(_("last position"), default=0)
    hash = models.CharField(_("last hash"), max_length=64, default="")
    seal = models.CharField(_("seal (HMAC of the head)"), max_length=64, blank=True, editable=False)
    reported_on = models.DateField(_("last e-mailed for"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("chain head")
        verbose_name_plural = _("chain heads")

    def __str__(self) -> str:
        return f"{self.site} #{self.position}"


class InvoiceCounter(GaplessCounter):
    """The last invoice number given at a site in a year (invoices and credit notes share it)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="invoice_counters", verbose_name=_("site"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "year"], name="unique_invoice_counter")]
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")


class Chained(models.Model):
    """A row of the site's hash chain (see the module docstring)."""

    chain_position = models.PositiveBigIntegerField(_("position in the chain"), null=True, blank=True, editable=False)
    previous_hash = models.CharField(_("previous hash"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash (SHA-256)"), max_length=64, blank=True, editable=False)
    seal = models.CharField(_("seal (HMAC of the hash)"), max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True


class Invoice(Chained):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")

    class Delivery(models.TextChoices):
        EMAIL = "email", _("E-mailed")
        PAPER = "paper", _("Paper")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("site"))
    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("work order"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    payer = models.CharField(_("charged to"), max_length=10, choices=Payer.choices, default=Payer.CUSTOMER)
    bill_to = models.CharField(_("bill to"), max_length=200, help_text=_("The customer, the manufacturer or the internal account."))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("customer"))
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("vehicle"))
    mileage = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    credited = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes", verbose_name=_("credit note for")
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    net_total = models.DecimalField(_("total before VAT"), max_digits=12, decimal_places=2, default=Decimal("0"))
    vat_total = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2, default=Decimal("0"))
    gross_total = models.DecimalField(_("total, VAT included"), max_digits=12, decimal_places=2, default=Decimal("0"))
    delivery = models.CharField(_("invoice sent"), max_length=5, choices=Delivery.choices, default=Delivery.PAPER)
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("prepared by"))
    created_at = models.DateTimeField(_("prepared at"), default=timezone.now)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    number = models.CharField(_("number"), max_length=40, null=True, blank=True, unique=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_on = models.DateField(_("invoice date"), null=True, blank=True, help_text=_("In the site's time zone."))
    service_from = models.DateField(_("service from"), null=True, blank=True, help_text=_("When the work began (reception)."))
    service_to = models.DateField(_("service to"), null=True, blank=True, help_text=_("When the work was done (quality check)."))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    content = models.JSONField(_("issued content"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "year", "sequence"], name="unique_invoice_sequence"),
            models.UniqueConstraint(fields=["site", "chain_position"], name="unique_invoice_chain_position"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(number__isnull=False, sequence__isnull=False, hash__gt=""),
                name="issued_invoice_is_numbered_and_chained",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="credit_note") | models.Q(credited__isnull=False), name="credit_note_refers_to_invoice"
            ),
        ]
        indexes = [
            models.Index(fields=["site", "issued_on"], name="invoice_site_issued_idx"),
            models.Index(fields=["work_order", "status"], name="invoice_work_order_idx"),
        ]
        permissions = [
            ("issue_invoice", _("Can issue invoices and credit notes")),
            ("close_period", _("Can close a day, month or year of invoicing")),
            ("authorize_release", _("Can release a car with a balance due")),
            ("export_accounting", _("Can download the accounting export (FEC, journal)")),
        ]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self) -> str:
        return self.number or _("Draft %(payer)s invoice for %(order)s") % {"payer": self.get_payer_display(), "order": self.work_order}

    def save(self, *args, **kwargs):
        if self.pk is not None and Invoice.objects.filter(pk=self.pk, status=self.Status.ISSUED).exists():
            raise DocumentFrozen()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("invoicing:invoice", kwargs={"pk": self.pk})

    def delete(self, *args, **kwargs):
        if self.pk is not None and Invoice.objects.filter(pk=self.pk, status=self.Status.ISSUED).exists():
            raise DocumentFrozen()
        return super().delete(*args, **kwargs)

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def sign(self) -> int:
        """+1 for an invoice, -1 for a credit note (its amounts are stored positive)."""
        return -1 if self.kind == self.Kind.CREDIT_NOTE else 1


class InvoiceLine(models.Model):
    class Kind(models.TextChoices):
        LABOUR = "labour", _("Labour")
        PART = "part", _("Part")
        SUNDRY = "sundry", _("Sundries")
        DISCOUNT = "discount", _("Discount")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    job = models.ForeignKey(
        WorkOrderJob, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines", verbose_name=_("job")
    )
    work_order_part = models.ForeignKey(
        WorkOrderPart, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines", verbose_name=_("parts line")
    )
    description = models.CharField(_("description"), max_length=300)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    quantity = models.DecimalField(_("quantity or hours"), max_digits=8, decimal_places=2)
    unit_price = models.DecimalField(_("unit price, before VAT"), max_digits=10, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    net = models.DecimalField(_("amount before VAT"), max_digits=12, decimal_places=2)
    vat = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2)
    expected_net = models.DecimalField(
        _("signed estimate or approved extra, before VAT"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    variance_reason = models.CharField(_("reason for the difference"), max_length=300, blank=True)
    credited_line = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_lines", verbose_name=_("line credited")
    )

    class Meta:
        ordering = ["invoice", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(kind="discount") | models.Q(net__lte=0), name="discount_is_negative"),
        ]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self) -> str:
        return self.description

    def save(self, *args, **kwargs):
        if Invoice.objects.filter(pk=self.invoice_id, status=Invoice.Status.ISSUED).exists():
            raise DocumentFrozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Invoice.objects.filter(pk=self.invoice_id, status=Invoice.Status.ISSUED).exists():
            raise DocumentFrozen()
        return super().delete(*args, **kwargs)

    @property
    def variance(self) -> Decimal:
        return self.net - (self.expected_net or Decimal("0"))

    def localized_description(self, language: str | None = None) -> str:
        """The line as a reader of ``language`` (the active language when None) reads it on a screen; the document
        itself keeps ``description`` as written, in the customer's language, once issued."""
        if self.work_order_part_id and self.work_order_part.part_id:  # a free-text part reads as written
            return self.work_order_part.part.relocalized("name", self.description, language)
        if self.job_id:
            return self.job.relocalized(self.description, language)
        return self.description


class InvoicePdf(models.Model):
    """The PDF of an issued invoice, kept as first rendered: a re-download returns the same bytes."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="pdf", verbose_name=_("invoice"))
    content = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    language = models.CharField(_("language"), max_length=10)
    created_at = models.DateTimeField(_("rendered at"), default=timezone.now)

    class Meta:
        verbose_name = _("invoice PDF")
        verbose_name_plural = _("invoice PDFs")

    def __str__(self) -> str:
        return f"{self.invoice} {self.sha256[:12]}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise DocumentFrozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DocumentFrozen()


class Payment(Chained):
    """Money received for a work order (a deposit at reception, or a payment at the end), or given back; never changed.

    A refund is a payment of kind ``refund``: money the customer had paid beyond what they owe, given back by a
    method that is recorded. Kept as the customer's credit (method ``credit``), it moves no money: the next
    invoice of the customer at the site is paid from it by a payment of method ``credit``.
    """

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment received")
        REFUND = "refund", _("Refund")

    class Method(models.TextChoices):
        CARD = "card", _("Card")
        CASH = "cash", _("Cash")
        TRANSFER = "transfer", _("Bank transfer")
        CHEQUE = "cheque", _("Cheque")
        FINANCING = "financing", _("Financing")
        CREDIT = "credit", _("Customer credit")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="payments", verbose_name=_("site"))
    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="payments", verbose_name=_("work order"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PAYMENT)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    tendered = models.DecimalField(_("cash handed over"), max_digits=12, decimal_places=2, null=True, blank=True)
    change_given = models.DecimalField(_("change given"), max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3)
    is_deposit = models.BooleanField(_("deposit"), default=False)
    reference = models.CharField(_("reference"), max_length=80, blank=True, help_text=_("Cheque number, transfer or financing reference."))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_on = models.DateField(_("day"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("received by"))

    class Meta:
        ordering = ["received_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(fields=["site", "chain_position"], name="unique_payment_chain_position"),
        ]
        indexes = [models.Index(fields=["site", "received_on"], name="payment_site_day_idx")]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.get_method_display()} {format_money(self.signed_amount, self.currency)}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise DocumentFrozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DocumentFrozen()

    @property
    def is_refund(self) -> bool:
        return self.kind == self.Kind.REFUND

    @property
    def signed_amount(self) -> Decimal:
        """The amount as the customer's account sees it: a refund is negative."""
        return -self.amount if self.is_refund else self.amount


class ReleaseAuthorization(models.Model):
    """A manager lets the car go with money owed either way (a balance due, or an overpayment not given back): who,
    why, how much."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="release_authorizations", verbose_name=_("work order"))
    balance = models.DecimalField(_("balance due"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    authorized_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("authorised by"))
    authorized_at = models.DateTimeField(_("authorised at"), default=timezone.now)

    class Meta:
        ordering = ["-authorized_at", "-pk"]
        verbose_name = _("release with a balance due")
        verbose_name_plural = _("releases with a balance due")

    def __str__(self) -> str:
        return f"{self.work_order} {self.balance}"

    @property
    def amount(self) -> Decimal:
        """How much was owed, either way (``balance`` is negative when it was owed to the customer)."""
        return abs(self.balance)


class Closure(Chained):
    """A closed day, month or year of a site: its totals and the perpetual grand total; nothing is issued into it after."""

    class Period(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")
        YEAR = "year", _("Year")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="invoice_closures", verbose_name=_("site"))
    period = models.CharField(_("period"), max_length=5, choices=Period.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    document_count = models.PositiveIntegerField(_("invoices and credit notes"))
    net_total = models.DecimalField(_("total before VAT"), max_digits=14, decimal_places=2)
    vat_total = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2)
    gross_total = models.DecimalField(_("total, VAT included"), max_digits=14, decimal_places=2)
    payments_total = models.DecimalField(
        _("payments received"), max_digits=14, decimal_places=2, help_text=_("Money received less money refunded.")
    )
    refunds_total = models.DecimalField(_("refunds given"), max_digits=14, decimal_places=2, default=Decimal("0"))
    grand_total = models.DecimalField(_("perpetual grand total, VAT included"), max_digits=16, decimal_places=2)
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("closed by"))
    head_position = models.PositiveBigIntegerField(_("chain head seen, position"), null=True, blank=True, editable=False)
    head_hash = models.CharField(_("chain head seen, hash"), max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["site", "-starts_on", "period"]
        constraints = [
            models.UniqueConstraint(fields=["site", "period", "starts_on"], name="unique_closure_per_period"),
            models.UniqueConstraint(fields=["site", "chain_position"], name="unique_closure_chain_position"),
        ]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")

    def __str__(self) -> str:
        return f"{self.site} {self.get_period_display()} {self.starts_on}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise DocumentFrozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DocumentFrozen()


# --- handover -------------------------------------------------------------------------


class Handover(models.Model):
    """Giving the car back: the 4 key moments, the checklist, the delivery signature.

    ``closed_at`` (indexed) is when the customer left with the car: the
    follow-up stage picks closed handovers from it to schedule its call.
    """

    class Moment(models.TextChoices):
        WAITING = "waiting", _("Waiting for the advisor")
        WELCOME = "welcome", _("Welcome")
        EXPLAIN = "explain", _("Explain")
        PAYMENT = "payment", _("Take payment")
        SEE_OFF = "see_off", _("See off")
        CLOSED = "closed", _("Closed")

    class SignatureMethod(models.TextChoices):
        DRAWN = "drawn", _("Signed on the tablet")
        OTP = "otp", _("Signed by SMS code")

    work_order = models.OneToOneField(WorkOrder, on_delete=models.PROTECT, related_name="handover", verbose_name=_("work order"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("site"))
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("advisor")
    )
    moment = models.CharField(_("moment"), max_length=8, choices=Moment.choices, default=Moment.WAITING)
    arrived_at = models.DateTimeField(_("customer arrived at"), default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("acknowledged by")
    )
    waiting_note = models.CharField(_("while waiting"), max_length=200, blank=True, help_text=_("Lounge, drink offered..."))
    started_at = models.DateTimeField(_("welcomed at"), null=True, blank=True)
    jobs_explained = models.BooleanField(_("jobs explained, with the reason for each"), default=False)
    deferred_explained = models.BooleanField(_("declined work explained (printed on the invoice)"), default=False)
    unfixed_explained = models.BooleanField(_("faults found and not fixed explained"), default=False)
    parts_shown = models.BooleanField(_("replaced parts shown"), default=False)
    price_matches = models.BooleanField(_("agreed price equals invoiced price"), default=False)
    followup_announced = models.BooleanField(_("follow-up call announced"), default=False)
    next_service_date = models.DateField(_("next service on"), null=True, blank=True)
    next_service_km = models.PositiveIntegerField(_("next service at (km)"), null=True, blank=True)
    mileage_out = models.PositiveIntegerField(_("mileage out (km)"), null=True, blank=True)
    signature_method = models.CharField(_("delivery signed"), max_length=5, choices=SignatureMethod.choices, blank=True)
    signature_image = models.FileField(_("drawn signature"), upload_to="invoicing/handover-signatures/", max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("closed by")
    )

    class Meta:
        ordering = ["arrived_at", "pk"]
        indexes = [models.Index(fields=["site", "arrived_at"], name="handover_open_idx", condition=models.Q(closed_at__isnull=True))]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self) -> str:
        return f"{self.work_order} {self.get_moment_display()}"

    def get_absolute_url(self) -> str:
        return reverse("invoicing:handover", kwargs={"pk": self.work_order_id})


class LoanerReturn(models.Model):
    """The loaner coming back at handover: keys, papers, fuel, mileage, new damage, the customer's opinion."""

    class Satisfaction(models.IntegerChoices):
        UNHAPPY = 1, _("Not satisfied")
        NEUTRAL = 2, _("Neutral")
        HAPPY = 3, _("Satisfied")

    handover = models.OneToOneField(Handover, on_delete=models.PROTECT, related_name="loaner_return", verbose_name=_("handover"))
    loaner_handover = models.OneToOneField(
        LoanerHandover, on_delete=models.PROTECT, related_name="loaner_return", verbose_name=_("loaner handed over")
    )
    keys_returned = models.BooleanField(_("keys returned"), default=False)
    papers_returned = models.BooleanField(_("papers returned"), default=False)
    fuel_in = models.PositiveSmallIntegerField(_("fuel in (eighths)"), choices=FUEL_EIGHTHS)
    mileage_in = models.PositiveIntegerField(_("mileage in (km)"))
    new_damage = models.CharField(_("new damage"), max_length=300, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfied with the loaner"), choices=Satisfaction.choices)
    remarks = models.CharField(_("remarks"), max_length=300, blank=True)
    returned_at = models.DateTimeField(_("returned at"), default=timezone.now)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("received by"))

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(fuel_in__lte=8), name="loaner_return_fuel_in_eighths")]
        verbose_name = _("loaner return")
        verbose_name_plural = _("loaner returns")

    def __str__(self) -> str:
        return f"{self.loaner_handover.loaner} ← {self.handover.work_order}"


class SalesLead(models.Model):
    """A test drive offered during the visit: the customer's impressions, passed to a salesperson."""

    class Status(models.TextChoices):
        NEW = "new", _("Open")
        CONTACTED = "contacted", _("Contacted")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    TRANSITIONS = {
        Status.NEW: {Status.CONTACTED, Status.WON, Status.LOST},
        Status.CONTACTED: {Status.WON, Status.LOST},
        Status.WON: set(),
        Status.LOST: set(),
    }

    handover = models.ForeignKey(Handover, on_delete=models.PROTECT, related_name="sales_leads", verbose_name=_("handover"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="sales_leads", verbose_name=_("customer"))
    model_tried = models.CharField(_("model tried"), max_length=120)
    impressions = models.TextField(_("impressions"))
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sales_leads", verbose_name=_("passed to")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["salesperson", "status"], name="sales_lead_open_idx", condition=models.Q(status="new"))]
        verbose_name = _("sales lead")
        verbose_name_plural = _("sales leads")

    def __str__(self) -> str:
        return f"{self.customer}: {self.model_tried}"

    def next_statuses(self) -> list:
        """The statuses the lead may move to, in the list's order."""
        return [status for status in self.Status if status in self.TRANSITIONS[self.status]]


# --- accounting export -----------------------------------------------------------------

ACCOUNT_NUMBER = RegexValidator(r"^[0-9A-Za-z.]{1,20}$", _("Letters, digits and dots, 20 at most."))
# France's chart of accounts (plan comptable général): the class each account of the mapping belongs to.
PCG_PREFIXES = {
    "customer_account": "411",
    "customer_credit_account": "419",
    "vat_account": "4457",
    "cash_account": "53",
    "bank_account": "51",
    "card_account": "51",
}
PCG_SALES_PREFIX = "70"


def _account(label, help_text=""):
    return models.CharField(label, max_length=20, validators=[ACCOUNT_NUMBER], help_text=help_text)


def _account_label(label):
    return models.CharField(label, max_length=60)


class AccountingMapping(models.Model):
    """The journals and account numbers a site's accounting export writes to (FEC and CSV journal)."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="accounting_mapping", verbose_name=_("site"))
    sales_journal = models.CharField(_("sales journal code"), max_length=10, validators=[ACCOUNT_NUMBER], help_text=_("e.g. VE"))
    sales_journal_label = _account_label(_("sales journal name"))
    receipts_journal = models.CharField(
        _("receipts journal code"), max_length=10, validators=[ACCOUNT_NUMBER], help_text=_("Payments and refunds, e.g. BQ")
    )
    receipts_journal_label = _account_label(_("receipts journal name"))
    customer_account = _account(_("customers account"), _("e.g. 411000"))
    customer_account_label = _account_label(_("customers account name"))
    customer_credit_account = _account(_("customer credits account"), _("Overpayments kept for a next invoice, e.g. 419100"))
    customer_credit_account_label = _account_label(_("customer credits account name"))
    vat_account = _account(_("VAT collected account"), _("e.g. 445710"))
    vat_account_label = _account_label(_("VAT collected account name"))
    cash_account = _account(_("cash account"), _("e.g. 530000"))
    cash_account_label = _account_label(_("cash account name"))
    bank_account = _account(_("bank account"), _("Transfers, cheques and financing, e.g. 512000"))
    bank_account_label = _account_label(_("bank account name"))
    card_account = _account(_("card payments account"), _("e.g. 511500"))
    card_account_label = _account_label(_("card payments account name"))

    class Meta:
        verbose_name = _("accounting mapping")
        verbose_name_plural = _("accounting mappings")

    def __str__(self) -> str:
        return str(self.site)

    def clean(self) -> None:
        site = getattr(self, "site", None)
        if site is None or site.country != "FR":
            return
        errors = {
            name: _("In the French chart of accounts this account starts with %(prefix)s.") % {"prefix": prefix}
            for name, prefix in PCG_PREFIXES.items()
            if getattr(self, name) and not getattr(self, name).startswith(prefix)
        }
        if errors:
            raise ValidationError(errors)

    def treasury_account(self, method: str) -> tuple[str, str]:
        """(number, name) of the account a payment method's money goes to or comes from."""
        if method == Payment.Method.CASH:
            return self.cash_account, self.cash_account_label
        if method == Payment.Method.CARD:
            return self.card_account, self.card_account_label
        if method == Payment.Method.CREDIT:
            return self.customer_credit_account, self.customer_credit_account_label
        return self.bank_account, self.bank_account_label


class SalesAccount(models.Model):
    """The sales account of one VAT rate in a site's mapping."""

    mapping = models.ForeignKey(AccountingMapping, on_delete=models.CASCADE, related_name="sales_accounts", verbose_name=_("mapping"))
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    account = _account(_("sales account"), _("e.g. 706000"))
    label = _account_label(_("account name"))

    class Meta:
        ordering = ["mapping", "vat_rate"]
        constraints = [models.UniqueConstraint(fields=["mapping", "vat_rate"], name="unique_sales_account_per_rate")]
        verbose_name = _("sales account")
        verbose_name_plural = _("sales accounts")

    def __str__(self) -> str:
        return f"{self.vat_rate} %: {self.account}"

    def clean(self) -> None:
        mapping = getattr(self, "mapping", None)
        site = getattr(mapping, "site", None) if mapping is not None else None
        if site is not None and site.country == "FR" and self.account and not self.account.startswith(PCG_SALES_PREFIX):
            raise ValidationError(
                {"account": _("In the French chart of accounts this account starts with %(prefix)s.") % {"prefix": PCG_SALES_PREFIX}}
            )
