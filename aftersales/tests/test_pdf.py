"""lib.pdf: templates to PDF bytes, in a given language, loading only static files."""

from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from pypdf import PdfReader

from aftersales.lib.pdf import StaticOnlyFetcher, render_pdf


def test_a_template_becomes_a_pdf_and_the_language_is_restored_after():
    before = translation.get_language()

    content = render_pdf("pdf/appointments_base.html", {}, "fr", ZoneInfo("Europe/Paris"))

    assert content.startswith(b"%PDF") and PdfReader(BytesIO(content)).pages
    assert translation.get_language() == before


def test_static_files_are_served_to_the_renderer():
    response = StaticOnlyFetcher().fetch("file:///static/css/pdf.css")

    assert b"@page" in response.read()
    response.close()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///static/../etc/passwd",
        "http://example.com/x.css",
        "file:///static/missing.css",
    ],
)
def test_anything_else_is_refused(url):
    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(url)
