"""Invoicing fixtures: message texts, eager tasks, media in a temporary folder, a work order that passed the quality check."""

import pytest

from aftersales.messaging import gateways
from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate
from invoicing.message_texts import seed_message_texts as seed_invoicing_texts
from workshop.message_texts import seed_message_texts as seed_workshop_texts

from .factories import ready_work_order


@pytest.fixture(autouse=True)
def media_and_tasks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "locmem"
    gateways.sms_outbox.clear()
    from aftersales.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def templates(db):
    """Transactional tests (browser journeys) flush the migrations' rows: seed them again."""
    seed_default_templates(MessageTemplate)
    seed_workshop_texts(MessageTemplate)
    seed_invoicing_texts(MessageTemplate)


@pytest.fixture
def order(site, advisor, quality_controller, templates):
    return ready_work_order(site=site, advisor=advisor, inspector=quality_controller)
