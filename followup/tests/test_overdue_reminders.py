"""A reminder sent after the service's due day says the service is overdue, in the customer's language; the CRC call
it becomes says so too; the texts a site kept as the former default are brought up to date, edited ones are not."""

import importlib
from datetime import date, datetime

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone, translation

from aftersales.customers.models import Channel
from aftersales.jobs.registry import run_job
from aftersales.messaging.models import MessageTemplate
from followup.models import CallTask, MaintenanceReminder, ReminderPolicy

from .factories import consenting_customer, due_vehicle

pytestmark = pytest.mark.django_db

# Friday 4 December 2026, 10:00 in Lyon: the service was due on 18 November.
DECEMBER_4 = datetime.fromisoformat("2026-12-04T10:00:00+01:00")
MIGRATION = importlib.import_module("aftersales.messaging.migrations.0006_overdue_reminder")


@pytest.fixture
def chaser_site(site):
    ReminderPolicy.objects.create(site=site, chaser_days_after=14)
    return site


def remind_on(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        run_job("maintenance_reminders", now=timezone.now())


@pytest.mark.parametrize(
    "language, overdue, not_said",
    [
        ("fr", "est en retard : il était prévu le 18 novembre 2026", "prévu vers le"),
        ("en", "is overdue: it was due on Nov. 18, 2026", "due for its next service around"),
        ("ru", "просрочено: оно было запланировано на 18 ноября 2026", "предстоит около"),
    ],
)
def test_the_reminder_sent_after_the_due_day_says_the_service_is_overdue(chaser_site, language, overdue, not_said):
    customer = consenting_customer(chaser_site, language=language, preferred_channel=Channel.EMAIL)
    due_vehicle(chaser_site, due_date=date(2026, 11, 18), customer=customer)

    remind_on(DECEMBER_4)

    reminder = MaintenanceReminder.objects.get()
    assert reminder.touch == "a14"
    assert overdue in reminder.message.body and not_said not in reminder.message.body


def test_the_reminder_before_the_due_day_still_says_due_around(chaser_site):
    due_vehicle(chaser_site, due_date=date(2026, 12, 20), customer=consenting_customer(chaser_site, preferred_channel=Channel.EMAIL))

    remind_on(DECEMBER_4)

    body = MaintenanceReminder.objects.get().message.body
    assert "est prévu vers le 20 décembre 2026" in body and "en retard" not in body


def test_the_sms_reminder_says_overdue_too(chaser_site):
    due_vehicle(chaser_site, due_date=date(2026, 11, 18), customer=consenting_customer(chaser_site, preferred_channel=Channel.SMS))

    remind_on(DECEMBER_4)

    message = MaintenanceReminder.objects.get().message
    assert message.channel == "sms" and "l'entretien de votre" in message.body and "est en retard (prévu le 18/11/2026)" in message.body


def test_the_crc_call_of_an_overdue_service_says_it_is_overdue(chaser_site):
    customer = consenting_customer(chaser_site, preferred_channel=Channel.PHONE)
    due_vehicle(chaser_site, due_date=date(2026, 11, 18), customer=customer)

    remind_on(DECEMBER_4)

    with translation.override("en"):
        assert str(CallTask.objects.get().reason_display) == "Service overdue: it was due on 18 Nov 2026."


def test_the_former_default_texts_become_the_new_ones_and_edited_texts_stay():
    french = MessageTemplate.objects.get(key="maintenance_reminder", language="fr")
    english = MessageTemplate.objects.get(key="maintenance_reminder", language="en")
    for template, texts in ((french, MIGRATION.FORMER["fr"]), (english, MIGRATION.FORMER["en"])):
        template.subject, template.body_text, template.sms_body = texts
        template.save()
    MessageTemplate.objects.filter(pk=english.pk).update(sms_body="Our own SMS text")

    MIGRATION.forwards(apps, None)

    french.refresh_from_db()
    english.refresh_from_db()
    assert (french.subject, french.body_text, french.sms_body) == MIGRATION.NEW["fr"]
    assert english.body_text == MIGRATION.NEW["en"][1] and english.sms_body == "Our own SMS text"
