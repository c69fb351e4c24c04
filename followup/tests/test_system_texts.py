"""Call reasons, the survey complaint's summary and the concern history are written in French (the language active
when the jobs ran) and read in each reader's own language, dates in their format; old sentences are converted."""

from datetime import date, timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.customers.models import Channel
from aftersales.jobs.registry import run_job
from aftersales.tests.languages import UI_LANGUAGES, page_in
from followup import services
from followup.models import CallOutcome, CallTask, Concern, ConcernEvent, VisitFollowup

from .factories import consenting_customer, due_vehicle
from .handovers import closed_handover

pytestmark = pytest.mark.django_db

REASONS = {
    "en": ("Service due on 4 Dec 2026.", "Service due on 4 Dec 2026: no booking and no answer a week after the reminder.", "Service due"),
    "fr": (
        "Entretien prévu le 4 déc. 2026.",
        "Entretien prévu le 4 déc. 2026 : ni rendez-vous ni réponse une semaine après la relance.",
        "Entretien à prévoir",
    ),
    "ru": ("ТО до 4 декабря 2026.", "ТО до 4 декабря 2026: нет записи и ответа через неделю после напоминания.", "Приближается ТО"),
    "zh-hans": ("保养到期日：2026年12月4日。", "保养到期日：2026年12月4日：提醒后一周未预约也未答复。", "保养到期"),
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_call_reasons_written_in_french_are_read_in_each_agents_language(client, site, crc_agent, suite_clock):
    by_phone = consenting_customer(site, preferred_channel=Channel.PHONE)
    due_vehicle(site, due_date=date(2026, 12, 4), customer=by_phone, vin="WAUZZZ8V5KA900001")
    by_sms = due_vehicle(site, due_date=date(2026, 12, 4), vin="WAUZZZ8V5KA900002")
    with translation.override("fr"):
        assert run_job("maintenance_reminders", now=timezone.now()) == 2
        services.call_from_list(target_list="service_due", vehicle=by_sms, actor=crc_agent)
        suite_clock.shift(timedelta(days=8))
        assert run_job("reminder_recontacts", now=timezone.now()) == 1

    call = CallTask.objects.get(kind=CallTask.Kind.REMINDER_CALL)
    assert (call.reason, call.reason_code, call.reason_params) == ("", "followup.service_due", {"day": "2026-12-04"})
    for language in UI_LANGUAGES:
        page = page_in(client, crc_agent, reverse("followup:call_list"), language)
        assert all(reason in page for reason in REASONS[language]), language


def test_the_visit_callback_and_the_survey_complaint_are_read_in_each_language(
    client, site, advisor, quality_controller, cashier, manager, suite_clock
):
    with translation.override("fr"):
        handover = closed_handover(site=site, advisor=advisor, inspector=quality_controller, cashier=cashier)
        suite_clock.shift(timedelta(hours=1))
        run_job("visit_followups", now=timezone.now())
        services.record_satisfaction_answer(followup=VisitFollowup.objects.get(), source="quick_touch", score=2)
        concern = services.assign_concern(concern=Concern.objects.get(), owner=advisor, actor=manager)
        suite_clock.shift(timedelta(days=1, hours=1))
        services.escalate_overdue_complaints(now=timezone.now())

    number = handover.work_order.number
    visit_call = CallTask.objects.get(kind=CallTask.Kind.CALLBACK)
    assert (concern.summary, concern.summary_params) == ("", {"day": "2026-11-23", "score": "2"})
    expected = {
        "en": (
            f"Visit of 23 Nov 2026, work order {number}: is the customer satisfied?",
            "Your rating of your visit of 23 Nov 2026: 2/5",
            f"Person responsible: {manager} → {advisor}",
            "Not answered within 24 hours: escalated to the after-sales managers.",
        ),
        "fr": (
            f"Visite du 23 nov. 2026, ordre de réparation {number} : le client est-il satisfait ?",
            "Votre note pour votre visite du 23 nov. 2026 : 2/5",
            f"Personne responsable : {manager} → {advisor}",
            "Sans réponse sous 24 heures : escaladée aux responsables après-vente.",
        ),
        "ru": (
            f"Визит 23 ноября 2026, заказ-наряд {number}: доволен ли клиент?",
            "Ваша оценка визита 23 ноября 2026: 2/5",
            f"Ответственный: {manager} → {advisor}",
            "Нет ответа в течение 24 часов: передано руководителям сервиса.",
        ),
        "zh-hans": (
            f"2026年11月23日 到店，维修委托书 {number}：客户是否满意？",
            "您对 2026年11月23日 到店的评分：2/5",
            f"负责人：{manager} → {advisor}",
            "24 小时内未答复：已升级至售后经理。",
        ),
    }
    kinds = {"en": "Complaint", "fr": "Réclamation", "ru": "Жалоба", "zh-hans": "投诉"}
    for language in UI_LANGUAGES:
        callback, summary, owner_changed, escalated = expected[language]
        calls = page_in(client, manager, reverse("followup:call_list"), language)
        assert summary in calls, language  # the complaint's call-back, due at once, carries its summary
        assert callback in page_in(client, manager, reverse("followup:call", args=[visit_call.pk]), language), language
        detail = page_in(client, manager, concern.get_absolute_url(), language)
        assert all(text in detail for text in (summary, f"<br>{kinds[language]}</li>", owner_changed, escalated)), language


def test_the_migration_converts_old_sentences_and_keeps_the_rest_as_typed(site, advisor, manager):
    customer = consenting_customer(site)
    old_reasons = {
        "Entretien prévu le 2026-12-04.": ("followup.service_due", {"day": "2026-12-04"}),
        "Визит 2026-11-23, заказ-наряд WO-7: доволен ли клиент?": ("followup.visit_callback", {"day": "2026-11-23", "order": "WO-7"}),
        "保养到期": ("followup.target_list", {"target_list": "service_due"}),
        "Ask about the winter tyres": ("", {}),
    }
    tasks = {
        text: CallTask.objects.create(site=site, customer=customer, kind="target_list", reason=text, key=text, due_at=timezone.now())
        for text in old_reasons
    }
    concern = Concern.objects.create(
        site=site, customer=customer, kind="complaint", channel="survey", summary="Votre note pour votre visite du 2026-11-23 : 2/5"
    )
    old_notes = {
        "Réclamation": ("followup.concern_recorded", {"kind": "complaint"}),
        f"Personne responsable : {manager} → {advisor}": ("followup.owner_changed", {"before": manager.pk, "after": advisor.pk}),
        "Нет ответа в течение 24 часов: передано руководителям сервиса.": ("followup.escalated", {}),
        "The customer will call back on Monday": ("", {}),
    }
    events = {text: ConcernEvent.objects.create(concern=concern, to_status="open", note=text) for text in old_notes}

    import_module("followup.migrations.0008_system_texts_as_codes").convert(apps, None)

    for text, (code, params) in old_reasons.items():
        task = CallTask.objects.get(pk=tasks[text].pk)
        assert (task.reason_code, task.reason_params, task.reason) == (code, params, "" if code else text)
    for text, (code, params) in old_notes.items():
        event = ConcernEvent.objects.get(pk=events[text].pk)
        assert (event.note_code, event.note_params, event.note) == (code, params, "" if code else text)
    concern.refresh_from_db()
    assert (concern.summary_code, concern.summary_params) == ("followup.survey_complaint", {"day": "2026-11-23", "score": "2"})
    with translation.override("ru"):
        assert str(concern.summary_display) == "Ваша оценка визита 23 ноября 2026: 2/5"


def test_a_target_list_call_falling_back_to_a_message_writes_its_reason_in_the_customers_language(site, crc_agent, suite_clock):
    vehicle = due_vehicle(site, customer=consenting_customer(site, language="ru"))
    with translation.override("fr"):
        task = services.call_from_list(target_list="service_due", vehicle=vehicle, actor=crc_agent)
        for _day in range(3):
            services.record_call_attempt(task=task, outcome=CallOutcome.NO_ANSWER, agent=crc_agent)
            suite_clock.shift(timedelta(days=1))
    task.refresh_from_db()
    assert task.fallback_message.language == "ru"
    assert "Целевой список" in task.fallback_message.body and "Приближается ТО" in task.fallback_message.body
