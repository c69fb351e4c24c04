"""U+0000 never enters the system: PostgreSQL refuses it in text, so one NUL would turn a save into a 500.

The middleware cleans every query and form value (and key) before a view sees
them: forms, the webhooks that read ``request.POST`` directly, the search box.
A webhook that checks a signature over what the sender signed reads the raw
form as sent instead (``raw_form``), since the sender signed the value with its NUL.
"""

from django.http import HttpRequest, HttpResponse, QueryDict

NUL = "\x00"


def strip_nul(text: str) -> str:
    return text.replace(NUL, "")


def _without_nul(query: QueryDict) -> QueryDict | None:
    """A cleaned copy of ``query``, or None when it holds no NUL (the common case: no copy)."""
    if not any(NUL in key or any(NUL in value for value in values) for key, values in query.lists()):
        return None
    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        cleaned.setlist(strip_nul(key), [strip_nul(value) for value in values])
    cleaned._mutable = False
    return cleaned


def raw_form(request: HttpRequest) -> QueryDict:
    """The form exactly as it was sent, NUL included (for signature checks only)."""
    return getattr(request, "form_as_sent", request.POST)


class StripNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cleaned_get = _without_nul(request.GET)
        if cleaned_get is not None:
            request.GET = cleaned_get
        if request.method == "POST":
            cleaned_post = _without_nul(request.POST)
            if cleaned_post is not None:
                request.form_as_sent, request.POST = request.POST, cleaned_post
        return self.get_response(request)
