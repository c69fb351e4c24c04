"""Refuse a request whose body is larger than REQUEST_BODY_MAX_BYTES, with 413, before anything reads it.

Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS)
apply to form fields only, once a view reads ``request.POST``; uploaded files
have no limit at all until a view checks them. This middleware judges the
announced size (Content-Length) first, so an oversized upload is neither
parsed, stored in a temporary file nor seen by a view. A body sent without a
Content-Length is not read by Django at all.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

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
            message = _("This request is too large (%(size)s MB; at most %(limit)s MB). Send a smaller photo.") % {
                "size": round(size / MEGABYTE, 1),
                "limit": round(limit / MEGABYTE, 1),
            }
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
