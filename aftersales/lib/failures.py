"""What an outage and a refusal look like: a 503 page while the database is away, one log line each.

``server_error`` is the project's handler500. When the error is the database
being unreachable (``OperationalError``, ``InterfaceError``: a restart, a
failover, a full connection pool) it answers 503 with a short page in the
visitor's language that says to try again, and ``Retry-After``; the page
reads nothing from the database (no session, no user, no menu), so it cannot
fail a second time. Django drops the broken connection at the end of the
request and opens a new one on the next, so service comes back by itself.
Any other error keeps Django's own 500.

``OneLineRefusals`` is a filter for the ``django.request`` logger: a 403
(``PermissionDenied``, kept in the auth event log) and a database outage are
logged as one line, without a traceback that would hide real errors.
"""

import logging
import sys

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        response = HttpResponse(render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)


class OneLineRefusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, (PermissionDenied, *DATABASE_ERRORS)):
            record.msg = f"{record.msg} ({type(error).__name__})"
            record.exc_info, record.exc_text = None, None
        return True
