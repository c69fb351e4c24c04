"""The client's IP address, the one way every part of the application finds it.

Used by django-axes (``AXES_CLIENT_IP_CALLABLE``: the login lockout keys on it),
the public pages' rate limits and the auth event log.

Without ``TRUSTED_PROXY_COUNT`` the application is reached directly: the client
is ``REMOTE_ADDR`` and ``X-Forwarded-For`` is ignored, since anyone can send it.
With ``TRUSTED_PROXY_COUNT=N``, each of the N proxies in front appends the
address it saw to ``X-Forwarded-For``: the client is the N-th address from the
right. What a client wrote in the header itself sits further left and is never
read. A header shorter than N entries, or an entry that is not an IP address,
means the request did not come through the proxies: ``REMOTE_ADDR`` is used.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (normalised), or None when the request carries none."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR", "") or "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0
    if proxies <= 0:
        return remote
    chain = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(chain) < proxies:
        return remote
    return _valid_ip(chain[-proxies]) or remote
