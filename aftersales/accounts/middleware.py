import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import AuthEvent


class UserLanguageMiddleware:
    """Signed-in staff see the UI in the language saved on their profile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


SESSION_TIME_ZONE_KEY = "site_time_zone"


def remember_site_time_zone(sender, request, user, **kwargs) -> None:
    """At login, keep the time zone of the user's first site in the session."""
    site = user.visible_sites().order_by("pk").only("time_zone").first()
    if site is not None:
        request.session[SESSION_TIME_ZONE_KEY] = site.time_zone


class SiteTimeZoneMiddleware:
    """Staff read times in their site's time zone, not the server's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = request.session.get(SESSION_TIME_ZONE_KEY) if hasattr(request, "session") else None
        if not name:
            return self.get_response(request)
        timezone.activate(zoneinfo.ZoneInfo(name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


LOGIN_AT_KEY = "auth_login_at"
LAST_SEEN_KEY = "auth_last_seen"
LAST_SEEN_GRANULARITY = 60  # seconds: the session is written at most once a minute for the idle clock
# Set by static/js/app.js on htmx polls: a live board refreshing is not activity.
BACKGROUND_REFRESH_HEADER = "X-Background-Refresh"


def start_session_clock(sender, request, user, **kwargs) -> None:
    now = timezone.now().timestamp()
    request.session[LOGIN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now


class SessionTimeoutMiddleware:
    """End a staff session after SESSION_IDLE_TIMEOUT without a request, or SESSION_ABSOLUTE_TIMEOUT after login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        session = request.session
        now = timezone.now().timestamp()
        login_at = session.setdefault(LOGIN_AT_KEY, now)
        last_seen = session.setdefault(LAST_SEEN_KEY, now)
        if now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT or now - last_seen > settings.SESSION_IDLE_TIMEOUT:
            request.auth_event_kind = AuthEvent.Kind.SESSION_EXPIRED
            logout(request)
            messages.info(request, _("Your session has expired. Please log in again."))
        elif now - last_seen >= LAST_SEEN_GRANULARITY and not request.headers.get(BACKGROUND_REFRESH_HEADER):
            session[LAST_SEEN_KEY] = now
