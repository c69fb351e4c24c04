"""The log of logins, failed logins, logouts and refused pages (AuthEvent).

Receivers of Django's auth signals record each event with the user, the
client's IP address (``aftersales.lib.client_ip``, the one axes keys on) and the time.
"""

from django.http import HttpRequest

from aftersales.lib.client_ip import client_ip

from .models import AuthEvent, User


def record_auth_event(*, kind: str, request: HttpRequest | None, user=None, username: str = "") -> AuthEvent:
    user = user if user is not None and user.is_authenticated else None
    meta = request.META if request is not None else {}
    return AuthEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        ip_address=client_ip(request) if meta else None,
        path=(request.path if request is not None else "")[:500],
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
    )


def log_login(sender, request, user, **kwargs) -> None:
    record_auth_event(kind=AuthEvent.Kind.LOGIN, request=request, user=user)


def log_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))
    user = User.objects.filter(username=username).first() if username else None
    record_auth_event(kind=AuthEvent.Kind.LOGIN_FAILED, request=request, user=user, username=username)


def log_logout(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    kind = getattr(request, "auth_event_kind", AuthEvent.Kind.LOGOUT)
    record_auth_event(kind=kind, request=request, user=user)
