"""An htmx request sent to the login page leaves the fragment: the whole page goes to the login.

An htmx request follows a redirect without the browser seeing it and swaps the
login page into its target (a board row, a form). When the session has expired,
LoginRequiredMiddleware answers such a request with a redirect to LOGIN_URL (and
TwoFactorMiddleware to the second factor's pages): this middleware turns it into an ``HX-Redirect`` to the login, on which htmx
loads it as a full page. After the login the user comes back to the page the
browser showed (htmx's ``HX-Current-URL``, when on this host), not to the
fragment.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        target = _whole_page_target(response) if _is_htmx(request) else ""
        if target:
            return HttpResponseClientRedirect(_back_to_page(request, target) or response["Location"])
        return response


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back_to_page(request: HttpRequest, target: str) -> str:
    """``target`` with ``next`` set to the page the browser shows; "" when htmx did not say or it is elsewhere."""
    page = urlsplit(request.headers.get("HX-Current-URL", ""))
    if not page.path or page.netloc != request.get_host():
        return ""
    return redirect_to_login(page.path + (f"?{page.query}" if page.query else ""), target).url


def _whole_page_target(response: HttpResponse) -> str:
    """The login or two-factor page a response redirects to (TwoFactorMiddleware sends there too), else ""."""
    if not 300 <= response.status_code < 400 or not response.has_header("Location"):
        return ""
    path = urlsplit(response["Location"]).path
    pages = {resolve_url(settings.LOGIN_URL), reverse("accounts:two_factor_verify"), reverse("accounts:two_factor_enrol")}
    return path if path in pages else ""
