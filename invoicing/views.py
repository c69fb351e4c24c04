"""The invoicing desk (cashiers), the invoice pages, payments and refunds, closures, the accounting export, and the
handover screen (advisors)."""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.permissions import get_for_user, staff_view
from aftersales.lib.data_urls import png_data_url
from aftersales.lib.domain import add_domain_error
from aftersales.lib.formatting import format_money
from workshop.models import WorkOrderJob

from . import selectors, services
from .accounting import prepare_export
from .chain import build_archive
from .exceptions import InvoicingError
from .forms import (
    AccountingExportForm,
    AddLineForm,
    ArrivalForm,
    ClosureForm,
    CreditNoteForm,
    ExplainForm,
    IssueForm,
    LineForm,
    LoanerReturnForm,
    PaymentForm,
    RefundForm,
    ReleaseForm,
    SeeOffForm,
    TestDriveForm,
)
from .models import Closure, Handover, Invoice, InvoiceLine, Payment

VIEW = "invoicing.view_invoice"
PREPARE = "invoicing.add_invoice"
EDIT = "invoicing.change_invoice"
ISSUE = "invoicing.issue_invoice"
PAY = "invoicing.add_payment"
RELEASE = "invoicing.authorize_release"
CLOSE = "invoicing.close_period"
EXPORT = "invoicing.export_accounting"
HANDOVER = "invoicing.change_handover"


# --- the desk ---------------------------------------------------------------------


@staff_view(VIEW, PREPARE)
def desk(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "invoicing/desk.html",
        {
            "orders": selectors.desk_work_orders(user=request.user),
            "invoices": selectors.recent_invoices(user=request.user),
        },
    )


@require_POST
@staff_view(VIEW, PREPARE)
def prepare(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.get_billing_order(user=request.user, pk=pk)
    try:
        drafts = services.prepare_invoices(work_order=order, actor=request.user)
    except InvoicingError as error:
        messages.error(request, error.message)
        return redirect("invoicing:billing", pk=order.pk)
    if len(drafts) == 1:
        return redirect(drafts[0])
    return redirect("invoicing:billing", pk=order.pk)


def _payment_form(balance) -> PaymentForm:
    """The payment form, its amount the balance due as the cashier takes it: in cents (1234.50), never 1234.500000000."""
    return PaymentForm(initial={"amount": balance.due if balance.due > 0 else None})


def _billing_page(request, order, *, status=200, **forms) -> HttpResponse:
    balance = services.balance_of(order)
    context = {
        "order": order,
        "balance": balance,
        "credit": services.customer_credit(order.customer, order.site),
        "may_release": services.may_release(order),
        "payment_form": forms.get("payment_form") or _payment_form(balance),
        "refund_form": forms.get("refund_form") or RefundForm(initial={"amount": balance.overpaid or None}),
        "release_form": forms.get("release_form") or ReleaseForm(),
        "not_invoiceable": selectors.not_invoiceable_jobs(order),
    }
    return render(request, "invoicing/billing.html", context, status=status)


@staff_view(VIEW)
def billing(request: HttpRequest, pk: int) -> HttpResponse:
    return _billing_page(request, selectors.get_billing_order(user=request.user, pk=pk))


@require_POST
@staff_view(VIEW, PAY)
def payment(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.get_billing_order(user=request.user, pk=pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            taken = services.record_payment(work_order=order, actor=request.user, **form.cleaned_data)
        except InvoicingError as error:
            add_domain_error(form, error)
        else:
            if taken.change_given:
                messages.success(
                    request,
                    _("Payment recorded. Give back %(change)s in change.") % {"change": format_money(taken.change_given, taken.currency)},
                )
            else:
                messages.success(request, _("Payment recorded."))
            back = "invoicing:handover" if request.POST.get("back") == "handover" else "invoicing:billing"
            return redirect(back, pk=order.pk)
    return _billing_page(request, order, status=400, payment_form=form)


@require_POST
@staff_view(VIEW, PAY)
def refund(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.get_billing_order(user=request.user, pk=pk)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            given = services.refund_overpayment(work_order=order, actor=request.user, **form.cleaned_data)
        except InvoicingError as error:
            add_domain_error(form, error)
        else:
            if given.method == Payment.Method.CREDIT:
                done = _("%(amount)s kept as the customer's credit: their next invoice uses it.")
            else:
                done = _("%(amount)s given back to the customer; the refund is recorded.")
            messages.success(request, done % {"amount": format_money(given.amount, given.currency)})
            return redirect("invoicing:billing", pk=order.pk)
    return _billing_page(request, order, status=400, refund_form=form)


@require_POST
@staff_view(VIEW, RELEASE)
def release(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.get_billing_order(user=request.user, pk=pk)
    form = ReleaseForm(request.POST)
    if form.is_valid():
        try:
            services.authorize_release(work_order=order, actor=request.user, reason=form.cleaned_data["reason"])
        except InvoicingError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The car may leave with the balance due; your authorisation is recorded."))
            return redirect("invoicing:billing", pk=order.pk)
    return _billing_page(request, order, status=400, release_form=form)


# --- one invoice ------------------------------------------------------------------


def _invoice_page(request, invoice, *, status=200, **forms) -> HttpResponse:
    order = invoice.work_order
    bound = forms.get("line_forms", {})
    variances = [
        (row, bound.get(row.line.pk) or LineForm(instance=row.line, prefix=f"line-{row.line.pk}"))
        for row in selectors.variance_rows(invoice)
    ]
    context = {
        "invoice": invoice,
        "order": order,
        "lines": list(invoice.lines.all()),
        "variances": variances,
        "differing": sum(1 for row, _form in variances if row.difference),
        "unexplained": services.unexplained_lines(invoice),
        "not_invoiceable": selectors.not_invoiceable_jobs(order),
        "to_add": [] if invoice.is_issued else selectors.jobs_to_add(invoice),
        "add_form": forms.get("add_form") or AddLineForm(invoice=invoice),
        "issue_form": forms.get("issue_form")
        or IssueForm(initial={"delivery": Invoice.Delivery.EMAIL if invoice.customer.email else Invoice.Delivery.PAPER}),
        "credit_form": forms.get("credit_form") or CreditNoteForm(invoice=invoice),
        "error": forms.get("error"),
    }
    return render(request, "invoicing/invoice.html", context, status=status)


@staff_view(VIEW)
def invoice(request: HttpRequest, pk: int) -> HttpResponse:
    return _invoice_page(request, selectors.get_invoice_for_user(user=request.user, pk=pk))


@require_POST
@staff_view(VIEW, EDIT)
def line_change(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    invoice = selectors.get_invoice_for_user(user=request.user, pk=pk)
    line = get_object_or_404(InvoiceLine, pk=line_pk, invoice=invoice)
    form = LineForm(request.POST, instance=line, prefix=f"line-{line.pk}")
    if form.is_valid():
        try:
            services.change_line(line=line, actor=request.user, **{name: form.cleaned_data[name] for name in form.changed_data})
        except InvoicingError as error:
            add_domain_error(form, error)
        else:
            return redirect(invoice)
    return _invoice_page(request, selectors.get_invoice_for_user(user=request.user, pk=pk), status=400, line_forms={line.pk: form})


@require_POST
@staff_view(VIEW, EDIT)
def line_remove(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    invoice = selectors.get_invoice_for_user(user=request.user, pk=pk)
    line = get_object_or_404(InvoiceLine, pk=line_pk, invoice=invoice)
    try:
        services.remove_line(line=line, actor=request.user)
    except InvoicingError as error:
        messages.error(request, error.message)
    return redirect(invoice)


@require_POST
@staff_view(VIEW, EDIT)
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.get_invoice_for_user(user=request.user, pk=pk)
    form = AddLineForm(request.POST, invoice=invoice)
    if form.is_valid():
        try:
            services.add_line(invoice=invoice, actor=request.user, **form.cleaned_data)
        except InvoicingError as error:
            add_domain_error(form, error)
        else:
            return redirect(invoice)
    return _invoice_page(request, invoice, status=400, add_form=form)


@require_POST
@staff_view(VIEW, EDIT)
def job_add(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    invoice = selectors.get_invoice_for_user(user=request.user, pk=pk)
    job = get_object_or_404(WorkOrderJob, pk=job_pk, work_order=invoice.work_order)
    try:
        services.invoice_job(invoice=invoice, job=job, actor=request.user)
    except InvoicingError as error:
        return _invoice_page(request, invoice, status=400, error=error.message)
    return redirect(invoice)


@require_POST
@staff_view(VIEW, ISSUE)
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.get_invoice_for_user(user=request.user, pk=pk)
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            issued = services.issue_invoice(invoice=invoice, actor=request.user, delivery=form.cleaned_data["delivery"])
        except InvoicingError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Invoice %(number)s issued.") % {"number": issued.number})
            return redirect(issued)
    return _invoice_page(request, selectors.get_invoice_for_user(user=request.user, pk=pk), status=400, issue_form=form)


@require_POST
@staff_view(VIEW, ISSUE)
def credit(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.get_invoice_for_user(user=request.user, pk=pk)
    form = CreditNoteForm(request.POST, invoice=invoice)
    if form.is_valid():
        try:
            note = services.issue_credit_note(
                invoice=invoice,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                line_ids=[line.pk for line in form.cleaned_data["lines"]],
                amount=form.cleaned_data["amount"],
            )
        except InvoicingError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("Credit note %(number)s issued; prepare the new invoice from the work order.") % {"number": note.number}
            )
            return redirect(note)
    return _invoice_page(request, invoice, status=400, credit_form=form)


@staff_view(VIEW)
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.get_invoice_for_user(user=request.user, pk=pk)
    if not invoice.is_issued:
        raise Http404
    stored = services.invoice_pdf(invoice)
    response = HttpResponse(bytes(stored.content), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    response["X-Content-SHA256"] = stored.sha256
    return response


@staff_view(VIEW)
def facturx(request: HttpRequest, pk: int) -> HttpResponse:
    """The Factur-X XML of an issued invoice on its own (the same as in its PDF), for an accounting or e-invoicing tool."""
    invoice = selectors.get_invoice_for_user(user=request.user, pk=pk)
    if not invoice.is_issued:
        raise Http404
    response = HttpResponse(services.stored_facturx_xml(invoice), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}-factur-x.xml"'
    return response


# --- closures ---------------------------------------------------------------------


def _chosen_site(request):
    sites = list(request.user.visible_sites().order_by("name"))
    if not sites:
        raise Http404
    return next((site for site in sites if str(site.pk) == request.GET.get("site", "")), sites[0]), sites


@staff_view("invoicing.view_closure", CLOSE)
def closures(request: HttpRequest) -> HttpResponse:
    site, sites = _chosen_site(request)
    form = ClosureForm(
        request.POST if request.method == "POST" else None,
        initial={"period": Closure.Period.DAY, "day": timezone.localtime(timezone.now(), site.tz).date()},
    )
    if form.is_bound and form.is_valid():
        try:
            services.close_period(site=site, actor=request.user, **form.cleaned_data)
        except InvoicingError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Period closed."))
            return redirect(f"{reverse('invoicing:closures')}?site={site.pk}")
    return render(
        request,
        "invoicing/closures.html",
        {"site": site, "sites": sites, "form": form, "closures": selectors.closures_for(site=site)},
        status=400 if form.is_bound else 200,
    )


@staff_view("invoicing.view_closure", CLOSE)
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    closure = get_for_user(Closure.objects.select_related("site"), request.user, pk=pk)
    response = HttpResponse(build_archive(closure), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{closure.site.code}-{closure.period}-{closure.starts_on}.zip"'
    return response


# --- accounting export --------------------------------------------------------------


@staff_view(EXPORT)
def accounting(request: HttpRequest) -> HttpResponse:
    """A site's entries of a period: its totals checked against the closures, or the file (FEC or CSV) downloaded."""
    sites = request.user.visible_sites().order_by("name")
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    form = AccountingExportForm(
        request.GET or None,
        sites=sites,
        initial={"site": sites.first(), "starts_on": last_month_end.replace(day=1), "ends_on": last_month_end},
    )
    totals = None
    if form.is_bound and form.is_valid():
        try:
            export = prepare_export(**form.cleaned_data)
        except InvoicingError as error:
            add_domain_error(form, error)
        else:
            if "download" in request.GET:
                response = StreamingHttpResponse(export.stream(), content_type=export.content_type)
                response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
                return response
            totals = export.totals()
    return render(
        request,
        "invoicing/accounting.html",
        {"form": form, "totals": totals, "export_site": form.cleaned_data.get("site") if totals else None},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- handover ---------------------------------------------------------------------


@staff_view(HANDOVER)
def handovers(request: HttpRequest) -> HttpResponse:
    site, sites = _chosen_site(request)
    now = timezone.now()
    return render(
        request,
        "invoicing/handovers.html",
        {"site": site, "sites": sites, "now": now, "arrival_form": ArrivalForm(), **selectors.handover_board(site=site, now=now)},
    )


@require_POST
@staff_view(HANDOVER, "invoicing.add_handover")
def arrived(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.get_handover_order(user=request.user, pk=pk)
    form = ArrivalForm(request.POST)
    note = form.cleaned_data["waiting_note"] if form.is_valid() else ""
    try:
        services.customer_arrived(work_order=order, actor=request.user, waiting_note=note)
    except InvoicingError as error:
        messages.error(request, error.message)
    return redirect(f"{reverse('invoicing:handovers')}?site={order.site_id}")


def _handover_page(request, order, *, status=200, **forms) -> HttpResponse:
    handover = Handover.objects.filter(work_order=order).select_related("loaner_return").first()
    if handover is None:
        raise Http404
    context = {
        "order": order,
        "handover": handover,
        **selectors.handover_context(order),
        "loaner_form": forms.get("loaner_form") or LoanerReturnForm(),
        "test_drive_form": forms.get("test_drive_form") or TestDriveForm(site=order.site),
        "explain_form": forms.get("explain_form")
        or ExplainForm(
            instance=handover,
            initial={
                "next_service_date": handover.next_service_date or order.vehicle.next_service_due_date,
                "next_service_km": handover.next_service_km or order.vehicle.next_service_due_km,
            },
        ),
        "payment_form": forms.get("payment_form") or _payment_form(services.balance_of(order)),
        "see_off_form": forms.get("see_off_form") or SeeOffForm(initial={"mileage_out": order.mileage_in}),
        "leads": handover.sales_leads.select_related("salesperson"),
        "may_release": services.may_release(order),
        "signature_image": png_data_url(handover.signature_image),
    }
    return render(request, "invoicing/handover.html", context, status=status)


def _handover_of(request, pk):
    order = selectors.get_handover_order(user=request.user, pk=pk)
    handover = Handover.objects.filter(work_order=order).first()
    if handover is None:
        raise Http404
    return order, handover


@staff_view(HANDOVER)
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    return _handover_page(request, selectors.get_handover_order(user=request.user, pk=pk))


@require_POST
@staff_view(HANDOVER)
def welcome(request: HttpRequest, pk: int) -> HttpResponse:
    order, current = _handover_of(request, pk)
    try:
        services.welcome_customer(handover=current, actor=request.user)
    except InvoicingError as error:
        messages.error(request, error.message)
    return redirect("invoicing:handover", pk=order.pk)


def _handover_step(request: HttpRequest, order, form, form_name: str, record, done: str = "") -> HttpResponse:
    """One posted handover step: record it and go back to the handover, or show the form refused (400)."""
    if form.is_valid():
        try:
            record(form.cleaned_data)
        except InvoicingError as error:
            add_domain_error(form, error)
        else:
            if done:
                messages.success(request, done)
            return redirect("invoicing:handover", pk=order.pk)
    return _handover_page(request, order, status=400, **{form_name: form})


@require_POST
@staff_view(HANDOVER)
def loaner_return(request: HttpRequest, pk: int) -> HttpResponse:
    order, current = _handover_of(request, pk)
    return _handover_step(
        request,
        order,
        LoanerReturnForm(request.POST),
        "loaner_form",
        lambda data: services.record_loaner_return(handover=current, actor=request.user, **data),
    )


@require_POST
@staff_view(HANDOVER)
def test_drive(request: HttpRequest, pk: int) -> HttpResponse:
    order, current = _handover_of(request, pk)
    return _handover_step(
        request,
        order,
        TestDriveForm(request.POST, site=order.site),
        "test_drive_form",
        lambda data: services.record_test_drive(handover=current, actor=request.user, **data),
        done=_("The lead is passed to the salesperson."),
    )


@require_POST
@staff_view(HANDOVER)
def explain(request: HttpRequest, pk: int) -> HttpResponse:
    order, current = _handover_of(request, pk)
    return _handover_step(
        request,
        order,
        ExplainForm(request.POST, instance=Handover.objects.get(pk=current.pk)),
        "explain_form",
        lambda data: services.save_explanation(handover=current, actor=request.user, **data),
    )


@require_POST
@staff_view(HANDOVER)
def send_code(request: HttpRequest, pk: int) -> HttpResponse:
    order, current = _handover_of(request, pk)
    try:
        services.send_handover_code(handover=current, actor=request.user)
    except InvoicingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A code was sent to the customer's mobile."))
    return redirect("invoicing:handover", pk=order.pk)


@require_POST
@staff_view(HANDOVER)
def see_off(request: HttpRequest, pk: int) -> HttpResponse:
    order, current = _handover_of(request, pk)
    form = SeeOffForm(request.POST)
    if form.is_valid():
        try:
            services.close_handover(
                handover=current,
                actor=request.user,
                mileage_out=form.cleaned_data["mileage_out"],
                signature_data_url=form.cleaned_data["signature"],
                code=form.cleaned_data["code"],
                correction_reason=form.cleaned_data["correction_reason"],
            )
        except InvoicingError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Handover closed. Thank you and goodbye!"))
            return redirect(f"{reverse('invoicing:handovers')}?site={order.site_id}")
    return _handover_page(request, order, status=400, see_off_form=form)
