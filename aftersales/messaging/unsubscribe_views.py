"""The customer's unsubscribe page, reached from a marketing e-mail (signed link, no login; see ``unsubscribe``)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from aftersales.accounts.contact_points import contact_point_for
from aftersales.customers.models import Channel
from aftersales.lib.signing import LinkError

from .services import latest_consents
from .unsubscribe import linked_customer, unsubscribe_from_marketing_email


@login_not_required
@csrf_exempt  # RFC 8058: the mail program's one-click POST carries no token of ours; the signed link is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (link scanners open links without meaning to unsubscribe); POST withdraws at once."""
    try:
        customer = linked_customer(token)
    except LinkError as error:
        return render(request, "messaging/unsubscribe_link_error.html", {"expired": str(error) == "expired"}, status=400)
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    if request.method == "POST":
        unsubscribe_from_marketing_email(customer=customer, one_click=one_click)
        if not one_click:
            return redirect(request.path)  # the page's button: the page then shows the withdrawal
    consent = latest_consents(customer).get(Channel.EMAIL)
    with translation.override(customer.language), timezone.override(customer.site.tz):
        context = {
            "site": customer.site,
            "contact": contact_point_for(customer.site, None),  # the consent is the site's, whichever brand wrote
            "language": customer.language,
            "subscribed": bool(consent and consent.granted),
        }
        response = render(request, "messaging/unsubscribe.html", context)
    response.headers["Content-Language"] = customer.language
    return response
