"""Invoicing fixtures: message texts, eager tasks, media in a temporary folder, a work order that passed the quality check."""

import pytest

from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate
from invoicing.message_texts import seed_message_texts as seed_invoicing_texts
from workshop.message_texts import seed_message_texts as seed_workshop_texts


@pytest.fixture(autouse=True)
def _in_process(in_process):
    """Invoicing tests keep tasks, SMS and PDFs in the test."""


@pytest.fixture
def templates(db):
    """Transactional tests (browser journeys) flush the migrations' rows: seed them again."""
    seed_default_templates(MessageTemplate)
    seed_workshop_texts(MessageTemplate)
    seed_invoicing_texts(MessageTemplate)


@pytest.fixture
def order(templates, make_ready_order):
    return make_ready_order()
