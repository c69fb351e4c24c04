"""Production settings, security headers and the Content-Security-Policy."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)


def manage(*args, **env):
    environment = {
        key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True)


def test_production_settings_pass_the_deployment_check_without_a_warning(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="example.com",
        DATA_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="example.com", DATA_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_pages_carry_a_content_security_policy_without_inline_script(client, db):
    response = client.get(reverse("accounts:login"))

    policy = dict(directive.strip().split(" ", 1) for directive in response.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_htmx_may_not_evaluate_code_nor_inject_styles(client, db):
    page = client.get(reverse("accounts:login")).content.decode()

    assert '"allowEval":false' in page and '"includeIndicatorStyles":false' in page


def test_no_template_holds_inline_script_or_event_handler_attributes():
    offending = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+\s*=", text) or "hx-on" in text:
            offending.append(str(template.relative_to(ROOT)))
    assert offending == []


def test_no_served_template_holds_inline_styles():
    """style-src is 'self' only: inline styles live in e-mails and PDFs, never in pages."""
    offending = [
        str(template.relative_to(ROOT))
        for template in (ROOT / "templates").rglob("*.html")
        if template.parent.name not in {"emails", "pdf"}
        and "pdf" not in template.stem
        and re.search(r"\sstyle\s*=|<style", template.read_text())
    ]
    assert offending == []
