import pytest

from aftersales.customers.tests.factories import CustomerFactory
from aftersales.messaging import gateways
from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate

from .fake_twilio import FakeTwilio

TWILIO_TOKEN = "test-auth-token-0123456789abcdef"


@pytest.fixture(autouse=True)
def messaging_defaults(request, settings):
    """SMS in memory, e-mail in memory, tasks run in-process (except with a real worker)."""
    settings.SMS_BACKEND = "locmem"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    gateways.sms_outbox.clear()
    if request.node.get_closest_marker("integration") is None:
        request.getfixturevalue("eager_tasks")


@pytest.fixture
def templates(db):
    """Transactional tests flush the data migration's rows: seed them again."""
    seed_default_templates(MessageTemplate)


@pytest.fixture
def customer(site, templates):
    return CustomerFactory(
        site=site,
        first_name="Claire",
        last_name="Durand",
        mobile="+33612345678",
        email="claire.durand@example.test",
        language="fr",
        preferred_channel="sms",
    )


@pytest.fixture
def fake_twilio(settings, monkeypatch):
    fake = FakeTwilio()
    monkeypatch.setenv("FAKE_TWILIO_URL", fake.url)
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_DEFAULT_FROM = "+33700000000"
    settings.TWILIO_HTTP_CLIENT = "aftersales.messaging.tests.fake_twilio.LocalTwilioHttpClient"
    yield fake
    fake.close()
