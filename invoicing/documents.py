"""What the invoice PDF prints, read in a few queries."""

from aftersales.accounts.contact_points import contact_point_for_vehicle
from aftersales.lib.money import vat_rounding, vat_totals
from workshop.models import DeferredWork, QualityCheck, job_text_sources

from .country_rules import rules_for
from .models import Invoice


def invoice_document(invoice: Invoice) -> dict:
    """Everything the invoice PDF prints, read in a few queries."""
    invoice = Invoice.objects.select_related("site", "work_order__advisor", "customer", "vehicle", "credited").get(pk=invoice.pk)
    lines = list(invoice.lines.select_related(*job_text_sources("job__"), "credited_line").order_by("position", "pk"))
    totals = vat_totals(((line.net, line.vat_rate, line.vat) for line in lines), rounding=vat_rounding(invoice.site.country))
    deferred = list(
        DeferredWork.objects.filter(declined_job__work_order=invoice.work_order)
        .select_related(*job_text_sources("declined_job__"))
        .order_by("due_on", "pk")
    )
    check = QualityCheck.objects.filter(work_order=invoice.work_order, passed=True).order_by("-checked_at", "-pk").first()
    contact = contact_point_for_vehicle(invoice.site, invoice.vehicle)
    return {
        "invoice": invoice,
        "lines": lines,
        "totals": totals,
        "deferred": deferred,
        "unfixed": [item.strip() for item in (check.unfixed_findings if check else "").splitlines() if item.strip()],
        "site": invoice.site,
        "contact": contact,
        "brand": contact.brand,
        "rules": rules_for(invoice.site.country),
    }
