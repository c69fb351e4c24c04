"""PDF documents from Django templates, with WeasyPrint.

``render_pdf("pdf/x.html", context, language, time_zone)`` renders the
template in the given language (texts, dates and numbers for it) and time
zone (a customer's document: theirs and their site's, whoever prints it) and
returns the PDF bytes. Templates load their CSS, fonts and images with ``{% static %}``:
those URLs are read from the static files (source folders, or the collected, hashed
files in STATIC_ROOT under a manifest storage) and
nothing else is fetched, neither from the network nor from other files.
"""

from datetime import tzinfo
from functools import cache
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation

BASE_URL = "file:///"


@cache
def _static_only_fetcher() -> type:
    """WeasyPrint (some 45 MB) is imported at the first document, not by every worker at start-up."""
    from weasyprint import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        """Serves ``/static/...`` from the static files; refuses every other URL."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            prefix = "/" + settings.STATIC_URL.strip("/") + "/"
            path = unquote(parts.path)
            if parts.scheme != "file" or not path.startswith(prefix) or ".." in path:
                raise ValueError(f"PDF templates may only load static files, not {url}")
            found = static_file_path(path[len(prefix) :])
            if found is None:
                raise ValueError(f"static file not found: {path}")
            return super().fetch("file://" + found, headers)

    return StaticOnlyFetcher


def __getattr__(name: str):
    if name == "StaticOnlyFetcher":
        return _static_only_fetcher()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def static_file_path(name: str) -> str | None:
    """Where the static file ``name`` is on disk: in the source folders (the name ``{% static %}`` gives in
    development), else among the collected files (the hashed name a manifest storage gives in production)."""
    found = finders.find(name)
    if found:
        return found if isinstance(found, str) else found[0]
    try:
        return staticfiles_storage.path(name) if staticfiles_storage.exists(name) else None
    except NotImplementedError:  # a storage without local files
        return None


def render_pdf(template: str, context: dict, language: str, time_zone: tzinfo, *, variant: str | None = None) -> bytes:
    """``variant``: a PDF standard WeasyPrint writes to, e.g. "pdf/a-3b" (archival: fonts embedded, sRGB output intent)."""
    with translation.override(language), timezone.override(time_zone):
        html = render_to_string(template, context)
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=_static_only_fetcher()()).write_pdf(pdf_variant=variant)
