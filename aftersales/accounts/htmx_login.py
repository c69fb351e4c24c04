"""An htmx request sent to the login page leaves the fragment: the whole page goes to the login.

An htmx request follows a redirect without the browser seeing it and swaps the
login page into its target (a board row, a form). When the session has expired,
LoginRequiredMiddleware answers such a request with a redirect to LOGIN_URL:
this middleware turns it into an ``HX-Redirect`` to the same URL (``?next=``
kept), on which htmx loads the login as a full page.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_htmx(request) and _redirects_to_login(response):
            return HttpResponseClientRedirect(response["Location"])
        return response


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _redirects_to_login(response: HttpResponse) -> bool:
    if not 300 <= response.status_code < 400 or not response.has_header("Location"):
        return False
    return urlsplit(response["Location"]).path == urlsplit(resolve_url(settings.LOGIN_URL)).path
