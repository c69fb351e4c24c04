"""Admin: drafts can be looked at; issued invoices, payments, closures and PDFs are read-only and never deleted.

The forms refuse too (``FrozenWhenIssuedMixin``) and the models' ``save()``
refuses as a last line, so a crafted POST to the admin changes nothing.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.lib.admin import ReadOnlyAdmin

from .forms import FrozenWhenIssuedMixin
from .models import (
    AccountingMapping,
    Closure,
    Handover,
    Invoice,
    InvoiceLine,
    LoanerReturn,
    Payment,
    ReleaseAuthorization,
    SalesAccount,
    SalesLead,
)


class InvoiceAdminForm(FrozenWhenIssuedMixin, forms.ModelForm):
    class Meta:
        model = Invoice
        fields = ["bill_to", "payment_terms", "delivery"]


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    fields = [
        "position",
        "kind",
        "description",
        "quantity",
        "unit_price",
        "vat_rate",
        "net",
        "vat",
        "expected_net",
        "variance_reason",
        "credited_line",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    form = InvoiceAdminForm
    list_display = ["__str__", "kind", "status", "site", "issued_on", "gross_total", "currency"]
    list_filter = ["status", "kind", "site"]
    search_fields = ["number", "work_order__number", "bill_to"]
    inlines = [InvoiceLineInline]
    readonly_fields = [
        "site",
        "work_order",
        "kind",
        "status",
        "payer",
        "customer",
        "vehicle",
        "mileage",
        "credited",
        "reason",
        "currency",
        "net_total",
        "vat_total",
        "gross_total",
        "number",
        "issued_at",
        "issued_by",
        "service_from",
        "service_to",
        "chain_position",
        "previous_hash",
        "hash",
        "seal",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_issued)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "site", "work_order", "kind", "method", "amount", "change_given", "is_deposit"]
    list_filter = ["kind", "method", "site"]


@admin.register(Closure)
class ClosureAdmin(ReadOnlyAdmin):
    list_display = ["site", "period", "starts_on", "ends_on", "gross_total", "grand_total", "closed_at"]
    list_filter = ["period", "site"]


@admin.register(ReleaseAuthorization)
class ReleaseAuthorizationAdmin(ReadOnlyAdmin):
    list_display = ["work_order", "balance", "authorized_by", "authorized_at"]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["work_order", "site", "moment", "arrived_at", "closed_at"]
    list_filter = ["moment", "site"]


@admin.register(LoanerReturn)
class LoanerReturnAdmin(ReadOnlyAdmin):
    list_display = ["loaner_handover", "returned_at", "fuel_in", "mileage_in", "satisfaction"]


@admin.register(SalesLead)
class SalesLeadAdmin(admin.ModelAdmin):
    list_display = ["customer", "model_tried", "salesperson", "status", "created_at"]
    list_filter = ["status"]
    fields = ["status"]


class SalesAccountInline(admin.TabularInline):
    model = SalesAccount
    extra = 1


@admin.register(AccountingMapping)
class AccountingMappingAdmin(admin.ModelAdmin):
    """A site's journals and accounts for the accounting export (checked against France's chart for a French site)."""

    list_display = ["site", "sales_journal", "receipts_journal", "customer_account", "vat_account"]
    list_select_related = ["site"]
    inlines = [SalesAccountInline]
    fieldsets = [
        (None, {"fields": ["site"]}),
        (_("Journals"), {"fields": [("sales_journal", "sales_journal_label"), ("receipts_journal", "receipts_journal_label")]}),
        (
            _("Accounts"),
            {
                "fields": [
                    ("customer_account", "customer_account_label"),
                    ("customer_credit_account", "customer_credit_account_label"),
                    ("vat_account", "vat_account_label"),
                    ("cash_account", "cash_account_label"),
                    ("bank_account", "bank_account_label"),
                    ("card_account", "card_account_label"),
                ]
            },
        ),
    ]
