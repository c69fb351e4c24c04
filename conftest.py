"""Personas and shared fixtures for the whole suite."""

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import SiteFactory, UserFactory, enrol_two_factor, next_totp_code
from aftersales.accounts.two_factor import mark_verified, requires_two_factor

# The work orders at a stage and the harness running calls at once, shared by every app's tests.
pytest_plugins = ["workshop.testing"]


@pytest.fixture
def site(db):
    return SiteFactory(name="Audi Lyon", city="Lyon")


@pytest.fixture
def other_site(db, site):
    return SiteFactory(name="Lexus Marseille", city="Marseille", group=site.group)


def _persona(role, site, **extra):
    return UserFactory(roles=[role], site_list=[site], **extra)


@pytest.fixture
def crc_agent(site):
    return _persona(Role.CRC_AGENT, site, username="crc")


@pytest.fixture
def advisor(site):
    return _persona(Role.SERVICE_ADVISOR, site, username="advisor")


@pytest.fixture
def foreman(site):
    return _persona(Role.FOREMAN, site, username="foreman")


@pytest.fixture
def technician(site):
    return _persona(Role.TECHNICIAN, site, username="technician")


@pytest.fixture
def cashier(site):
    return _persona(Role.CASHIER, site, username="cashier")


@pytest.fixture
def manager(site):
    return _persona(Role.MANAGER, site, username="manager")


@pytest.fixture
def other_site_advisor(other_site):
    return _persona(Role.SERVICE_ADVISOR, other_site, username="other-advisor")


@pytest.fixture
def quality_controller(site):
    return _persona(Role.QUALITY_CONTROLLER, site, username="qc")


@pytest.fixture
def parts_advisor(site):
    return _persona(Role.PARTS_ADVISOR, site, username="parts")


@pytest.fixture
def site_admin(site):
    """The admin role at one site (not a superuser)."""
    return _persona(Role.ADMIN, site, username="site-admin")


# --- The suite's clock -----------------------------------------------------------

# Every test starts at this moment (a Monday morning in Lyon), not at the real now,
# so that no row is written at the real date and the suite passes on any day
# (`make test-future` runs it with the system clock years ahead). The clock
# ticks from there; a folder whose tests share a fixed-date clock overrides
# `suite_start` so that its fixtures write their rows on that date too.
SUITE_START = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))

# Tests that share time with another process (a browser, a Celery worker, a
# live server thread serving a browser) keep the real clock.
REAL_CLOCK_MARKERS = ("e2e", "integration", "real_clock")
REAL_CLOCK_FIXTURES = ("live_server", "page", "browser")


@pytest.fixture
def suite_start():
    """The moment the test's clock starts at."""
    return SUITE_START


@pytest.fixture(autouse=True)
def suite_clock(request):
    """Freeze the clock at `suite_start` (ticking) before any other fixture writes a row."""
    if any(request.node.get_closest_marker(name) for name in REAL_CLOCK_MARKERS) or set(REAL_CLOCK_FIXTURES) & set(request.fixturenames):
        yield None
        return
    if "demo_data" in request.fixturenames:
        start = request.getfixturevalue("demo_data").loaded_at  # the module's demo was loaded from SUITE_START on
    else:
        start = request.getfixturevalue("suite_start")
    with time_machine.travel(start, tick=True) as traveller:
        yield traveller


# --- The demo dealer group, loaded once per module ----------------------------


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo dealer group, loaded once for a module's tests and rolled back after them.

    Yields the load report, with `loaded_at`: the moment the load ended, where
    the module's tests start their clock.

    It is loaded inside a transaction that the module's tests run within: each
    test's own changes roll back to this state, and the whole demo rolls back
    when the module is done, so no other test sees it.
    """
    from aftersales.messaging.catalogue import seed_default_templates
    from aftersales.messaging.models import MessageTemplate
    from demo.loader import load_demo_data
    from invoicing.message_texts import seed_message_texts as seed_invoicing_texts
    from workshop.message_texts import seed_message_texts as seed_workshop_texts

    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(SUITE_START, tick=True):
            # A browser journey's flush may have removed the rows the migrations seed.
            for seed in (seed_default_templates, seed_workshop_texts, seed_invoicing_texts):
                seed(MessageTemplate)
            report = load_demo_data()
            report.loaded_at = timezone.now()
        yield report
        transaction.set_rollback(True)


# --- Test-only speed and isolation knobs --------------------------------------


@pytest.fixture
def eager_tasks():
    """Celery tasks run in-process as they are queued (the integration tests run a real worker instead)."""
    from aftersales.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def in_process(settings, tmp_path, eager_tasks):
    """What leaves the database stays in the test: tasks run as queued, SMS in memory, files in a temporary folder."""
    from aftersales.messaging import gateways

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "locmem"
    gateways.sms_outbox.clear()


@pytest.fixture(autouse=True)
def language_reset():
    """A request through the test client leaves its language active in the thread: no test inherits it."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def local_cache_reset():
    """No test reads what an earlier one cached (SQLite gives a rolled-back row's primary key again); a shared Redis
    cache, which also carries Celery's queues, is left alone: PostgreSQL does not hand a key out twice."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture(scope="session", autouse=True)
def flush_past_truncate_guards():
    """The transactional tests' flush (TRUNCATE of every table) passes PostgreSQL's BEFORE TRUNCATE triggers.

    Those triggers refuse any TRUNCATE of the issued documents (invoicing migration 0006). Inside the flush's own
    transaction, as the tables' owner, the flush disables the ones that are enabled, truncates, and enables them
    again: the maintenance escape the migration documents, taken by the tests only, never by the application.
    """
    from django.db.backends.base.operations import BaseDatabaseOperations

    execute_sql_flush = BaseDatabaseOperations.execute_sql_flush

    def flush(ops, sql_list):
        if ops.connection.vendor != "postgresql":
            return execute_sql_flush(ops, sql_list)
        with transaction.atomic(using=ops.connection.alias), ops.connection.cursor() as cursor:
            # tgtype bit 32: a TRUNCATE trigger; 'D': disabled.
            cursor.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgtype & 32 = 32 AND tgenabled <> 'D'")
            guards = [(table, ops.quote_name(name)) for table, name in cursor.fetchall()]
            for table, name in guards:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
            execute_sql_flush(ops, sql_list)
            for table, name in guards:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {name}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseDatabaseOperations, "execute_sql_flush", flush)
        yield


def pytest_configure(config):
    # Hashing passwords the production way costs ~0.2 s per user created.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages render {% static %} without a collectstatic manifest.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


# --- Browser journeys (pytest-playwright on Debian's Chromium) -----------------

CHROMIUM = Path("/usr/bin/chromium")
E2E_DIR = Path(__file__).parent / "aftersales" / "tests" / "e2e"
BROWSER_MISSING = (
    f"BROWSER TESTS SKIPPED: {CHROMIUM} is missing. Install Debian's chromium as root "
    "(apt-get install -y chromium fonts-noto-cjk) or run `make test` as root."
)
# Playwright's sync API runs an event loop in the test thread; Django's ORM
# would otherwise refuse to run beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    e2e_items = []
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)
        if item.get_closest_marker("e2e"):
            e2e_items.append(item)
    if e2e_items and not CHROMIUM.exists():
        if os.environ.get("CI"):
            raise pytest.UsageError(f"CI must run the browser tests, but {CHROMIUM} is missing.")
        for item in e2e_items:
            item.add_marker(pytest.mark.skip(reason=BROWSER_MISSING))
        config._browser_tests_skipped = len(e2e_items)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = getattr(config, "_browser_tests_skipped", 0)
    if skipped:
        terminalreporter.write_sep("!", f"{skipped} {BROWSER_MISSING}", red=True, bold=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def login():
    """login(page, live_server, user): sign in through the login page."""

    def sign_in(page, live_server, user, password="pass-for-tests-123"):
        # Managers, cashiers and admins have an authenticator and type its code after the password.
        device = enrol_two_factor(user) if requires_two_factor(user) else None
        page.goto(live_server.url + reverse("accounts:login"))
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(password)
        page.locator("form#login-form button[type=submit]").click()
        if device is not None:
            page.wait_for_url(f"{live_server.url}{reverse('accounts:two_factor_verify')}**")
            page.get_by_label("Code").fill(next_totp_code(device))
            page.locator("form#two-factor-form button[type=submit]").click()
        page.wait_for_url(live_server.url + reverse("home"))
        return page

    return sign_in


@pytest.fixture(autouse=True)
def live_server_idle_before_flush(request):
    """Let the live server finish the requests still in flight before the test's database flush.

    A background request (a photo loading, an upload finishing) that still holds table locks when
    the flush truncates every table can deadlock it; the flush then fails and leaves the test's rows
    to the next test. The browser page is closed before this runs (it is set up after this fixture).
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    server = request.getfixturevalue("live_server")
    yield
    for thread in list(getattr(server.thread.httpd, "_threads", None) or ()):
        thread.join(timeout=10)


@pytest.fixture(autouse=True)
def no_content_security_policy_violation(request):
    """A browser journey fails on any Content-Security-Policy violation the console reports."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text or "Refused to" in message.text else None
        ),
    )
    yield
    assert violations == [], f"Content-Security-Policy violations in the browser console: {violations}"


# --- Logging in through the test client ----------------------------------------


@pytest.fixture(autouse=True)
def test_client_logins_are_complete_logins(monkeypatch):
    """client.force_login and client.login stand for a finished login, second factor included.

    They skip the login form (so django-axes, which watches the form's
    requests, stays out of them) and the two-factor step, as they skip the
    password. The login page, the lockout and the two-factor step are tested
    through the real views in aftersales/accounts/tests/.
    """
    from django.contrib.auth import SESSION_KEY
    from django.test import Client, override_settings

    from aftersales.accounts.models import User

    original_login, original_force_login = Client.login, Client.force_login

    def verified(client, user):
        session = client.session
        mark_verified(session, user)
        session.save()

    def login(client, **credentials):
        with override_settings(AXES_ENABLED=False):
            logged_in = original_login(client, **credentials)
        if logged_in:
            verified(client, User.objects.get(pk=client.session[SESSION_KEY]))
        return logged_in

    def force_login(client, user, backend=None):
        original_force_login(client, user, backend)
        verified(client, user)

    monkeypatch.setattr(Client, "login", login)
    monkeypatch.setattr(Client, "force_login", force_login)
