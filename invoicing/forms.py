"""Forms of the invoicing desk and the handover; the services decide, the forms read input."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.lib import html5_inputs
from aftersales.lib.formatting import format_money
from workshop.models import job_text_sources

from .exceptions import DocumentFrozen
from .models import Closure, Handover, Invoice, InvoiceLine, LoanerReturn, Payment, SalesLead
from .services.leads import salespeople_of


class FrozenWhenIssuedMixin:
    """A form over an invoice or its line refuses to validate once the invoice is issued."""

    def issued_invoice(self) -> Invoice | None:
        instance = self.instance
        invoice = instance if isinstance(instance, Invoice) else getattr(instance, "invoice", None)
        if invoice is None or invoice.pk is None:
            return None
        return Invoice.objects.filter(pk=invoice.pk, status=Invoice.Status.ISSUED).first()

    def clean(self):
        if self.issued_invoice() is not None:
            raise ValidationError(DocumentFrozen().message, code="issued")
        return super().clean()


class LineForm(FrozenWhenIssuedMixin, forms.ModelForm):
    """Correct a draft line or explain its difference from the signed estimate."""

    class Meta:
        model = InvoiceLine
        fields = ["quantity", "unit_price", "vat_rate", "variance_reason"]
        formfield_callback = html5_inputs.formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind == InvoiceLine.Kind.DISCOUNT and not self.is_bound:
            self.initial["unit_price"] = abs(self.instance.unit_price)
        for field in self.fields.values():
            field.widget.attrs.update({"aria-label": field.label, "placeholder": field.label, "class": "form-control form-control-sm"})
        self.helper = FormHelper()
        self.helper.form_show_labels = False  # a row of the variance table: each input is named by its aria-label


class AddLineForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(InvoiceLine.Kind.SUNDRY, InvoiceLine.Kind.SUNDRY.label), (InvoiceLine.Kind.DISCOUNT, InvoiceLine.Kind.DISCOUNT.label)],
    )
    job = forms.ModelChoiceField(label=_("Job"), queryset=None)
    description = forms.CharField(label=_("Description"), max_length=300)
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.01"), max_digits=8, decimal_places=2, initial=1, widget=html5_inputs.NumberInput
    )
    unit_price = forms.DecimalField(
        label=_("Unit price, before VAT"),
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        help_text=_("A discount is entered as a positive amount."),
        widget=html5_inputs.NumberInput,
    )
    variance_reason = forms.CharField(label=_("Reason (not in the estimate)"), max_length=300)

    def __init__(self, *args, invoice: Invoice, **kwargs):
        super().__init__(*args, **kwargs)
        job_ids = {line.job_id for line in invoice.lines.all() if line.job_id}
        self.fields["job"].queryset = invoice.work_order.jobs.filter(pk__in=job_ids).select_related(*job_text_sources()).order_by("pk")
        self.fields["job"].label_from_instance = lambda job: job.localized_concern()


class IssueForm(forms.Form):
    delivery = forms.ChoiceField(
        label=_("The customer wants"), choices=Invoice.Delivery.choices, widget=forms.RadioSelect, initial=Invoice.Delivery.PAPER
    )


def money_field(label, **options) -> forms.DecimalField:
    """An amount of at least one cent, in cents, typed in a number input."""
    return forms.DecimalField(
        label=label, min_value=Decimal("0.01"), max_digits=12, decimal_places=2, widget=html5_inputs.NumberInput, **options
    )


class CreditNoteForm(forms.Form):
    """The whole invoice, some of its lines, or an amount spread over them (the service checks what is left to credit)."""

    reason = forms.CharField(label=_("Why is this invoice credited?"), max_length=300)
    lines = forms.ModelMultipleChoiceField(
        label=_("Lines to credit"),
        queryset=InvoiceLine.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the whole invoice."),
    )
    amount = money_field(
        _("Or an amount to credit, before VAT"),
        required=False,
        help_text=_("Spread over the ticked lines (every line when none is ticked), each at its VAT rate."),
    )

    def __init__(self, *args, invoice: Invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].queryset = invoice.lines.order_by("position", "pk")
        self.fields["lines"].label_from_instance = lambda line: (
            _("%(position)s. %(line)s · %(amount)s")
            % {
                "position": line.position,
                "line": line.localized_description(),
                "amount": format_money(line.net, invoice.currency),
            }
        )


PAYMENT_METHODS = [(value, label) for value, label in Payment.Method.choices if value != Payment.Method.CREDIT]
REFUND_METHODS = [
    *((value, label) for value, label in PAYMENT_METHODS if value != Payment.Method.FINANCING),
    (Payment.Method.CREDIT, _("Keep as the customer's credit for the next invoice")),
]


class PaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=PAYMENT_METHODS)
    amount = money_field(_("Amount"))
    tendered = forms.DecimalField(
        label=_("Cash handed over"),
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Cash only: the change is worked out."),
        widget=html5_inputs.NumberInput,
    )
    reference = forms.CharField(
        label=_("Reference"), required=False, max_length=80, help_text=_("Cheque number, transfer or financing reference.")
    )


class RefundForm(forms.Form):
    method = forms.ChoiceField(label=_("Give back by"), choices=REFUND_METHODS)
    amount = money_field(_("Amount"))
    reference = forms.CharField(
        label=_("Reference"), required=False, max_length=80, help_text=_("Cheque number, transfer or card refund reference.")
    )


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("Why may the car leave with a balance due?"), max_length=300)


class ClosureForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=Closure.Period.choices)
    day = forms.DateField(label=_("Day in the period"), widget=html5_inputs.DateInput)


class ArrivalForm(forms.Form):
    waiting_note = forms.CharField(label=_("While waiting"), required=False, max_length=200, help_text=_("Lounge, drink offered..."))


class LoanerReturnForm(forms.ModelForm):
    class Meta:
        model = LoanerReturn
        fields = ["keys_returned", "papers_returned", "fuel_in", "mileage_in", "new_damage", "satisfaction", "remarks"]
        widgets = {"fuel_in": forms.RadioSelect, "satisfaction": forms.RadioSelect}
        formfield_callback = html5_inputs.formfield


class TestDriveForm(forms.Form):
    model_tried = forms.CharField(label=_("Model tried"), max_length=120)
    impressions = forms.CharField(label=_("Impressions"), widget=forms.Textarea(attrs={"rows": 3}))
    salesperson = forms.ModelChoiceField(label=_("Pass the lead to"), queryset=User.objects.none())

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["salesperson"].queryset = salespeople_of(site)


class ExplainForm(forms.ModelForm):
    class Meta:
        model = Handover
        fields = [
            "jobs_explained",
            "deferred_explained",
            "unfixed_explained",
            "parts_shown",
            "price_matches",
            "followup_announced",
            "next_service_date",
            "next_service_km",
        ]
        formfield_callback = html5_inputs.formfield  # <input type="date"> with 2027-12-04, whatever the language


class SeeOffForm(forms.Form):
    mileage_out = forms.IntegerField(label=_("Mileage out (km)"), min_value=0, widget=html5_inputs.NumberInput)
    correction_reason = forms.CharField(label=_("Correction reason"), required=False, max_length=200)
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label=_("Or the code the customer received by SMS"), required=False, max_length=10)

    def clean(self):
        data = super().clean()
        if not data.get("signature") and not data.get("code", "").strip():
            raise ValidationError(_("Ask the customer to sign in the box, or to type the code sent by SMS."))
        return data


class AccountingExportForm(forms.Form):
    """A site and a period to export, as a FEC (French sites) or a CSV journal."""

    FEC, CSV = "fec", "csv"

    site = forms.ModelChoiceField(label=_("Site"), queryset=None, empty_label=None)
    starts_on = forms.DateField(label=_("From"), widget=html5_inputs.DateInput)
    ends_on = forms.DateField(label=_("To"), widget=html5_inputs.DateInput)
    file_format = forms.ChoiceField(
        label=_("File"),
        choices=[(FEC, _("FEC: accounting entries file for the tax office (France)")), (CSV, _("CSV journal"))],
        widget=forms.RadioSelect,
        initial=FEC,
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end of the period comes before its start."))
        return data


# --- sales leads -----------------------------------------------------------------------


class SalesLeadFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *SalesLead.Status.choices])


class SalesLeadStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=SalesLead.Status.choices)
