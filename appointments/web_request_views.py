"""Staff desk for web and e-mail requests: due within 2 working hours, answered with queue_message.

Inbound e-mail is not read automatically: staff record an e-mailed request
by hand (channel e-mail, with the time it arrived) so that its clock runs.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.permissions import get_for_user, staff_view
from aftersales.lib.domain import add_domain_error

from . import online, selectors
from .exceptions import BookingError
from .models import WebRequest
from .online_forms import AnswerForm, RecordRequestForm
from .views import _render, _site


@staff_view("appointments.view_webrequest")
def web_requests(request: HttpRequest) -> HttpResponse:
    site, sites = _site(request)
    show = request.GET.get("show", "open")
    show = show if show in selectors.WEB_REQUEST_VIEWS else "open"
    now = timezone.now()
    context = {
        "site": site,
        "sites": sites,
        "show": show,
        "now": now,
        "keep": [("show", show)],
        "requests": selectors.list_web_requests(user=request.user, site=site, show=show, now=now),
        "views": [("open", _("To answer")), ("overdue", _("Overdue")), ("answered", _("Answered"))],
    }
    return _render(request, "appointments/web_requests.html", context, site=site)


@staff_view("appointments.view_webrequest", "appointments.add_webrequest")
def web_request_new(request: HttpRequest) -> HttpResponse:
    """Record a request that came by e-mail."""
    site, sites = _site(request)
    form = RecordRequestForm(request.POST or None, site=site)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = online.create_web_request(
                site=site,
                channel=WebRequest.Channel.EMAIL,
                name=data["name"],
                mobile=data["mobile"],
                email=data["email"],
                language=data["language"],
                vehicle_text=data["vehicle_text"],
                message=data["message"],
                received_at=data["received_at"],
                recorded_by=request.user,
            )
        except BookingError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Request recorded."))
            return redirect(created)
    context = {"site": site, "sites": sites, "form": form}
    return _render(request, "appointments/web_request_new.html", context, site=site, status=400 if form.errors else 200)


def _request_for(request: HttpRequest, pk: int) -> WebRequest:
    return get_for_user(WebRequest.objects.select_related("site", "brand", "answered_by", "recorded_by", "customer"), request.user, pk=pk)


def _request_page(request: HttpRequest, item: WebRequest, form: AnswerForm, *, status: int = 200) -> HttpResponse:
    context = {"site": item.site, "item": item, "form": form, "now": timezone.now()}
    return _render(request, "appointments/web_request.html", context, site=item.site, status=status)


@staff_view("appointments.view_webrequest")
def web_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_page(request, _request_for(request, pk), AnswerForm())


@require_POST
@staff_view("appointments.view_webrequest", "appointments.change_webrequest")
def web_request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    item = _request_for(request, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            online.answer_web_request(
                web_request=item,
                answer=form.cleaned_data["answer"],
                actor=request.user,
                with_booking_link=form.cleaned_data["with_booking_link"],
            )
        except BookingError as error:
            form.add_error("answer", str(error.message))
        else:
            messages.success(request, _("Answer sent to the customer."))
            return redirect(reverse("appointments:web_requests") + "?" + urlencode({"site": item.site_id}))
    return _request_page(request, item, form, status=400)
