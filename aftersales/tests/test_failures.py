"""A database outage answers 503 with a page saying to retry; refusals and outages are one log line each."""

import logging

from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client


def records_of(caplog, logger="django.request"):
    return [record for record in caplog.records if record.name == logger]


def test_while_the_database_is_unreachable_pages_answer_503_and_come_back_after(advisor, monkeypatch, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(advisor)

    def unreachable(self):
        raise OperationalError('connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused')

    with monkeypatch.context() as outage, caplog.at_level(logging.INFO):
        outage.setattr(SessionStore, "load", unreachable)
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert 'id="unavailable"' in page and "Réessayez" in page and "Traceback" not in page
    assert [(record.levelname, record.exc_info) for record in records_of(caplog)] == [("ERROR", None)]
    assert "OperationalError" in records_of(caplog)[0].getMessage()
    assert not [record for record in caplog.records if record.exc_info or "AttributeError" in record.getMessage()]

    assert client.get("/").status_code == 200  # the database is back: so is the application, by itself


def test_another_error_keeps_the_usual_500(advisor, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(advisor)
    monkeypatch.setattr(SessionStore, "load", lambda self: 1 / 0)
    assert client.get("/").status_code == 500


def test_a_refused_page_is_logged_as_one_line_without_a_traceback(client, technician, caplog):
    client.force_login(technician)
    with caplog.at_level(logging.INFO):
        assert client.get("/kpis/").status_code == 403

    (refusal,) = records_of(caplog)
    assert refusal.levelname == "WARNING" and refusal.exc_info is None and refusal.exc_text is None
    assert refusal.getMessage() == "Forbidden (Permission denied): /kpis/ (PermissionDenied)"
    assert "\n" not in logging.Formatter().format(refusal)
