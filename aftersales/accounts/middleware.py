import zoneinfo

from django.utils import timezone, translation


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
