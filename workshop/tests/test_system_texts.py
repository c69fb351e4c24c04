"""The work order's status notes and the advisor's "ready for invoicing" notification are written while French is
active and read in each reader's own language; the advisor's e-mail goes in theirs; old notes are converted."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.tests.languages import UI_LANGUAGES, page_in
from workshop.models import AdvisorNotification, Bay, WorkOrderEvent
from workshop.services import assign_job, clock_in, record_quality_check, sign_off_job

from .test_floor import QC_OK

pytestmark = pytest.mark.django_db

SIGNED = {"en": "Signed on the tablet", "fr": "Signé sur la tablette", "ru": "Подписано на планшете", "zh-hans": "在平板上签字"}
DONE = {"en": "Every job done", "fr": "Tous les travaux effectués", "ru": "Все работы выполнены", "zh-hans": "所有作业已完成"}
READY = {
    "en": "{number} passed the quality check: ready for invoicing.",
    "fr": "{number} a passé le contrôle qualité : prêt à facturer.",
    "ru": "{number} прошёл контроль качества: готов к выставлению счёта.",
    "zh-hans": "{number} 已通过质检：可开票。",
}


@pytest.fixture
def advisor(site):
    """The advisor reads Russian (their profile), whatever language the workshop writes in."""
    return UserFactory(roles=[Role.SERVICE_ADVISOR], site_list=[site], username="advisor", language="ru")


@pytest.fixture
def ready_order(in_workshop, mechanic, foreman, quality_controller, django_capture_on_commit_callbacks):
    """Signed on the tablet, its job done, through the quality check: all of it while French is active."""
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        job = assign_job(
            job=in_workshop.jobs.get(), technician=mechanic, bay=Bay.objects.create(site=in_workshop.site, name="Lift 1"), actor=foreman
        )
        clock_in(technician=mechanic)
        sign_off_job(job=job, technician=mechanic)
        record_quality_check(work_order=in_workshop, inspector=quality_controller, passed=True, **QC_OK)
    return in_workshop


def test_status_notes_and_the_notification_are_read_in_each_language(client, ready_order, advisor):
    notification = AdvisorNotification.objects.get(advisor=advisor)
    assert (notification.text, notification.text_code, notification.text_params) == (
        "",
        "workshop.ready_for_invoicing",
        {"number": ready_order.number},
    )
    for language in UI_LANGUAGES:
        detail = page_in(client, advisor, reverse("workshop:detail", args=[ready_order.pk]), language)
        assert f"({SIGNED[language]})" in detail and f"({DONE[language]})" in detail, language
        board = page_in(client, advisor, f"{reverse('workshop:board')}?site={ready_order.site_id}", language)
        assert READY[language].format(number=ready_order.number) in board, language


def test_the_advisors_email_is_in_their_language(ready_order, advisor):
    assert advisor.language == "ru"
    assert [message.subject for message in mail.outbox] == [READY["ru"].format(number=ready_order.number)]


def test_the_migration_converts_old_notes_and_keeps_the_rest_as_typed(in_workshop, advisor):
    old_notes = {
        "Signé sur la tablette": ("workshop.signed", {"method": "drawn"}),
        "Все работы выполнены": ("workshop.all_jobs_done", {}),
        "Squeak still there": ("", {}),
    }
    events = {text: WorkOrderEvent.objects.create(work_order=in_workshop, to_status="in_workshop", note=text) for text in old_notes}
    old = AdvisorNotification.objects.create(
        advisor=advisor, work_order=in_workshop, text=f"{in_workshop.number} a passé le contrôle qualité : prêt à facturer."
    )

    import_module("workshop.migrations.0008_system_texts_as_codes").convert(apps, None)

    for text, (code, params) in old_notes.items():
        event = WorkOrderEvent.objects.get(pk=events[text].pk)
        assert (event.note_code, event.note_params, event.note) == (code, params, "" if code else text)
    old.refresh_from_db()
    assert (old.text_code, old.text_params, old.text) == ("workshop.ready_for_invoicing", {"number": in_workshop.number}, "")
    with translation.override("zh-hans"):
        assert str(old) == READY["zh-hans"].format(number=in_workshop.number)
