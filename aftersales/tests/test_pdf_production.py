"""Under the production storage (hashed names after collectstatic) the PDFs still get their stylesheet."""

import logging
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import override_settings

from aftersales.lib.pdf import StaticOnlyFetcher, render_pdf


def test_a_pdf_keeps_its_stylesheet_after_collectstatic_with_hashed_names(tmp_path, settings, caplog):
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    with override_settings(DEBUG=False, STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
        html = render_to_string("pdf/appointments_base.html", {})
        hashed = html.split('href="', 1)[1].split('"', 1)[0]
        assert hashed.startswith("/static/css/pdf.") and hashed != "/static/css/pdf.css"
        fetched = StaticOnlyFetcher().fetch(f"file://{hashed}")
        with caplog.at_level(logging.WARNING, logger="weasyprint"):
            content = render_pdf("pdf/appointments_base.html", {}, "en", ZoneInfo("Europe/Paris"))

    assert b"@page" in fetched.read()
    fetched.close()
    assert content.startswith(b"%PDF")
    assert not [record for record in caplog.records if "Failed to load" in record.getMessage()]
