"""Refuse a request whose body is larger than REQUEST_BODY_MAX_BYTES, with 413, before anything reads it.

Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS)
apply to form fields only, once a view reads ``request.POST``; uploaded files
have no limit at all until a view checks them. This middleware judges the
announced size (Content-Length) first, so an oversized upload is neither
parsed, stored in a temporary file nor seen by a view. A body sent without a
Content-Length is not read by Django at all.

The refusal is a page in the user's language, in the site's layout, with a way
back to the page the upload came from; an htmx request gets the message alone,
which static/js/app.js swaps into the page's #request-error box.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .formatting import format_number

MEGABYTE = 1024 * 1024


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0  # Django reads no body from an unreadable length either
        limit = settings.REQUEST_BODY_MAX_BYTES
        if size > limit:
            return too_large_response(request, size=size, limit=limit)
        return self.get_response(request)


def too_large_response(request: HttpRequest, *, size: int, limit: int) -> HttpResponse:
    context = {"size": format_number(size / MEGABYTE, 1), "limit": format_number(limit / MEGABYTE, 1), "back_url": _back_url(request)}
    if request.headers.get("HX-Request") == "true":
        response = render(request, "request_too_large.html#message", context, status=413)
        response["HX-Retarget"] = "#request-error"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "request_too_large.html", context, status=413)


def _back_url(request: HttpRequest) -> str:
    """The page the request was sent from (when on this site), else the home page."""
    page = request.headers.get("HX-Current-URL") or request.headers.get("Referer", "")
    if page and url_has_allowed_host_and_scheme(page, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return page
    return reverse("home")
