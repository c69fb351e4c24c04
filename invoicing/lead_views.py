"""The sales leads list: test drives passed to a salesperson, worked from open to won or lost."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.permissions import staff_view
from aftersales.lib.domain import add_domain_error

from . import selectors, services
from .exceptions import InvoicingError
from .forms import SalesLeadFilterForm, SalesLeadStatusForm

PAGE_SIZE = 50


def _leads_page(request: HttpRequest, *, failed=None, status: int = 200) -> HttpResponse:
    form = SalesLeadFilterForm(request.GET or None)
    wanted = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(selectors.list_sales_leads(user=request.user, status=wanted), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "failed": failed}
    return render(request, "invoicing/sales_leads.html", context, status=status)


@staff_view("invoicing.view_saleslead")
def sales_leads(request: HttpRequest) -> HttpResponse:
    return _leads_page(request)


@require_POST
@staff_view("invoicing.view_saleslead", "invoicing.change_saleslead")
def sales_lead_move(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.get_sales_lead_for_user(user=request.user, pk=pk)
    form = SalesLeadStatusForm(request.POST)
    if form.is_valid():
        try:
            moved = services.move_sales_lead(lead=lead, status=form.cleaned_data["status"], actor=request.user)
        except InvoicingError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Lead %(lead)s: %(status)s.") % {"lead": moved, "status": moved.get_status_display()})
            return redirect("invoicing:sales_leads")
    return _leads_page(request, failed=(lead.pk, form), status=400)
