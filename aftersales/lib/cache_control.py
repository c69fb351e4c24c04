"""``Cache-Control: private, no-store`` on every page a signed-in person sees and on every PDF.

Every request in a session gets it (the staff's, and a customer's on the public booking pages, which show
their bookings too).

Reception tablets and workshop screens are shared: nothing personal may stay in
a browser's or a proxy's cache once someone else picks the device up. A PDF is
a customer document (work order, invoice, loan contract...) whoever opens it,
through the staff pages or the customer's signed link.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Judged from the session cookie (every signed-in request has one), not request.user: no database read
        # here, so an answer given while the database is away stays the only one.
        in_session = settings.SESSION_COOKIE_NAME in request.COOKIES or settings.SESSION_COOKIE_NAME in response.cookies
        if in_session or response.get("Content-Type", "").startswith("application/pdf"):
            patch_cache_control(response, private=True, no_store=True)
        return response
