"""Maintenance reminders: by date, by projected mileage, touches, re-contact, conversion, implausible readings, reruns."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from aftersales.customers.models import Channel, ConsentRecord
from aftersales.customers.tests.factories import CampaignFactory
from aftersales.jobs.registry import run_job
from aftersales.lib.formatting import format_money
from aftersales.messaging.models import InboundMessage, MessageChannel, OutboxMessage
from followup import services
from followup.models import CallOutcome, CallTask, MaintenanceReminder, MileageCheck, ReminderPolicy
from followup.selectors import list_reminders, reminder_conversion

from .factories import appointment_for, consenting_customer, due_vehicle, readings

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 10:00 in Lyon.
MONDAY = datetime.fromisoformat("2026-03-02T10:00:00+01:00")


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def reminders_run(now=None):
    return run_job("maintenance_reminders", now=now or timezone.now())


def test_a_vehicle_due_by_date_in_a_month_gets_one_reminder_with_offer_mobility_and_link(clock, site, django_capture_on_commit_callbacks):
    vehicle = due_vehicle(site, due_date=date(2026, 4, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_run() == 1
    reminder = MaintenanceReminder.objects.get()
    assert (reminder.vehicle, reminder.touch, reminder.basis, reminder.due_on) == (vehicle, "d30", "date", date(2026, 4, 1))
    message = reminder.message
    assert message.template_key == "maintenance_reminder" and message.purpose == "marketing"
    assert f"/book/{site.code}/" in message.body and "?p=" in message.body  # the pre-filled online booking link


def test_reruns_create_nothing_new(clock, site):
    due_vehicle(site, due_date=date(2026, 4, 1))
    assert reminders_run() == 1
    assert reminders_run() == 0
    clock.shift(timedelta(days=1))
    assert reminders_run() == 0
    assert MaintenanceReminder.objects.count() == 1
    assert OutboxMessage.objects.filter(template_key="maintenance_reminder").count() == 1


def test_a_vehicle_due_in_two_months_waits(clock, site):
    due_vehicle(site, due_date=date(2026, 5, 1))
    assert reminders_run() == 0
    clock.move_to(datetime.fromisoformat("2026-04-01T10:00:00+02:00"))
    assert reminders_run() == 1


def test_a_vehicle_with_a_booking_ahead_is_not_reminded(clock, site, advisor):
    vehicle = due_vehicle(site, due_date=date(2026, 4, 1))
    appointment_for(vehicle, advisor=advisor)
    assert reminders_run() == 0


def test_projected_mileage_triggers_the_reminder_a_month_before_the_due_km(clock, site):
    """1,500 km a month, 30,000 km due, 27,000 km today: due in two months, reminded one month before it."""
    vehicle = due_vehicle(site, due_km=30000)
    now = timezone.now()
    readings(vehicle, [(now - timedelta(days=365), 9000), (now - timedelta(days=182), 18000), (now, 27000)])
    assert reminders_run() == 0
    clock.shift(timedelta(days=31))
    assert reminders_run() == 1
    reminder = MaintenanceReminder.objects.get()
    assert reminder.basis == "mileage" and reminder.due_km == 30000
    assert abs((reminder.due_on - date(2026, 5, 2)).days) <= 2


def test_an_implausible_reading_is_flagged_and_left_out_until_confirmed(clock, site, manager):
    vehicle = due_vehicle(site, due_km=30000)
    now = timezone.now()
    readings(vehicle, [(now - timedelta(days=365), 9000), (now - timedelta(days=182), 18000), (now - timedelta(days=60), 24000)])
    (odd,) = readings(vehicle, [(now - timedelta(days=30), 29500)])  # 5,500 km in a month: more than 3 × 1,500
    assert reminders_run() == 0  # projected from the plausible readings only: due in about 4 months
    check = MileageCheck.objects.get()
    assert (check.reading, check.reason, check.status) == (odd, "too_far", "flagged")
    services.decide_mileage_check(check=check, confirmed=True, actor=manager)
    assert reminders_run() == 1  # 29,500 km counts now: due within the month


def test_a_lower_reading_is_flagged(clock, site):
    vehicle = due_vehicle(site, due_km=60000)
    now = timezone.now()
    readings(vehicle, [(now - timedelta(days=200), 20000), (now - timedelta(days=100), 25000), (now - timedelta(days=10), 21000)])
    reminders_run()
    assert MileageCheck.objects.get().reason == "lower"


def test_site_policy_adds_earlier_touches_and_a_chaser_each_once(clock, site):
    ReminderPolicy.objects.create(site=site, extra_days_before=[60, 7], chaser_days_after=14)
    due_vehicle(site, due_date=date(2026, 4, 30))
    touches = []
    for day in range(0, 90):
        clock.move_to(MONDAY + timedelta(days=day))
        reminders_run()
        touches = list(MaintenanceReminder.objects.order_by("sent_at").values_list("touch", flat=True))
    assert touches == ["d60", "d30", "d7", "a14"]


def test_no_booking_and_no_answer_after_a_week_puts_a_call_on_the_crc_list(clock, site):
    vehicle = due_vehicle(site, due_date=date(2026, 4, 1))
    reminders_run()
    clock.shift(timedelta(days=6))
    assert run_job("reminder_recontacts", now=timezone.now()) == 0
    clock.shift(timedelta(days=1))
    assert run_job("reminder_recontacts", now=timezone.now()) == 1
    assert run_job("reminder_recontacts", now=timezone.now()) == 0
    task = CallTask.objects.get()
    assert (task.kind, task.vehicle, task.customer, task.status) == ("reminder_recontact", vehicle, vehicle.owner, "open")
    assert task.source == MaintenanceReminder.objects.get()


def test_a_reply_or_a_booking_means_no_recontact(clock, site, advisor):
    answered = due_vehicle(site, due_date=date(2026, 4, 1))
    booked = due_vehicle(site, due_date=date(2026, 4, 1))
    reminders_run()
    clock.shift(timedelta(days=2))
    InboundMessage.objects.create(
        provider_id="SM1", from_number=answered.owner.mobile, body="Je rappelle", kind="reply", customer=answered.owner, site=site
    )
    appointment_for(booked, advisor=advisor)
    clock.shift(timedelta(days=6))
    assert run_job("reminder_recontacts", now=timezone.now()) == 0
    assert not CallTask.objects.exists()


def test_site_policy_can_recontact_by_the_other_channel(clock, site):
    ReminderPolicy.objects.create(site=site, recontact_by=ReminderPolicy.Recontact.SECOND_CHANNEL)
    due_vehicle(site, due_date=date(2026, 4, 1))
    reminders_run()
    clock.shift(timedelta(days=7))
    assert run_job("reminder_recontacts", now=timezone.now()) == 1
    channels = list(OutboxMessage.objects.order_by("pk").values_list("channel", flat=True))
    assert channels == [MessageChannel.SMS, MessageChannel.EMAIL]
    assert not CallTask.objects.exists()


def test_a_booking_within_30_days_converts_the_reminder_and_a_later_one_does_not(clock, site, advisor):
    soon = due_vehicle(site, due_date=date(2026, 4, 1))
    late = due_vehicle(site, due_date=date(2026, 4, 1))
    cancelled = due_vehicle(site, due_date=date(2026, 4, 1))
    reminders_run()
    clock.shift(timedelta(days=10))
    appointment_for(soon, advisor=advisor)
    appointment_for(cancelled, advisor=advisor, status="cancelled")
    clock.shift(timedelta(days=25))
    appointment_for(late, advisor=advisor)
    converted = {r.vehicle_id: r.converted for r in list_reminders(user=advisor)}
    assert converted == {soon.pk: True, late.pk: False, cancelled.pk: False}
    assert reminder_conversion(MaintenanceReminder.objects.all()) == (3, 1)


def test_a_booking_from_a_reminder_is_attributed_to_it(clock, site):
    vehicle = due_vehicle(site, due_date=date(2026, 4, 1))
    reminders_run()
    clock.shift(timedelta(days=3))
    assert services.reminder_to_attribute(vehicle=vehicle) == MaintenanceReminder.objects.get()
    clock.shift(timedelta(days=30))
    assert services.reminder_to_attribute(vehicle=vehicle) is None


def test_a_customer_without_marketing_consent_gets_no_message_but_the_reminder_is_kept(clock, site):
    vehicle = due_vehicle(site, due_date=date(2026, 4, 1))
    for channel in (Channel.SMS, Channel.EMAIL):
        ConsentRecord.objects.create(customer=vehicle.owner, channel=channel, granted=False, source=ConsentRecord.Source.FORM)
    reminders_run()
    assert MaintenanceReminder.objects.get().message.status == OutboxMessage.Status.SUPPRESSED


def test_the_message_carries_current_offers_mobility_and_matching_campaigns(clock, site):
    from aftersales.customers.models import MobilityService, SeasonalOffer

    vehicle = due_vehicle(site, due_date=date(2026, 4, 1))
    offer = SeasonalOffer.objects.create(title="Spring check", starts_on=date(2026, 3, 1), ends_on=date(2026, 5, 31))
    offer.sites.add(site)
    offer.prices.create(currency=site.currency, amount=Decimal("49.00"))
    MobilityService.objects.create(site=site, kind="loaner", name="Courtesy car")
    MobilityService.objects.create(site=site, kind="shuttle", name="Shuttle")
    CampaignFactory(title="Airbag recall", vin_patterns=vehicle.vin, starts_on=date(2026, 1, 1))
    reminder = MaintenanceReminder(
        vehicle=vehicle,
        customer=vehicle.owner,
        site=site,
        target="x",
        touch="d30",
        basis="date",
        due_on=date(2026, 4, 1),
        sent_at=timezone.now(),
    )
    context = services.reminder_message_arguments(reminder)["context"]
    assert context["offer"] == "Spring check " + format_money(Decimal("49.00"), "EUR", "fr")
    assert context["mobility"] == "Courtesy car, Shuttle"
    assert context["campaigns"] == "Airbag recall"


def test_three_unanswered_calls_on_different_days_fall_back_to_a_message(clock, site, crc_agent):
    due_vehicle(site, due_date=date(2026, 4, 1), customer=consenting_customer(site))
    reminders_run()
    clock.shift(timedelta(days=7))
    run_job("reminder_recontacts", now=timezone.now())
    task = CallTask.objects.get()
    for _day in range(3):
        services.record_call_attempt(task=task, outcome=CallOutcome.NO_ANSWER, agent=crc_agent)
        clock.shift(timedelta(days=1))
    task.refresh_from_db()
    assert task.status == CallTask.Status.UNREACHED
    assert task.fallback_message.template_key == "maintenance_reminder"


def test_the_reminder_run_reads_mileage_in_bulk_not_per_vehicle(clock, site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_vehicles(count):
        for _ in range(count):
            vehicle = due_vehicle(site, due_km=90000)
            now = timezone.now()
            readings(vehicle, [(now - timedelta(days=300), 10000), (now - timedelta(days=10), 20000)])

    add_vehicles(2)
    with CaptureQueriesContext(connection) as few:
        assert reminders_run() == 0
    add_vehicles(10)
    with CaptureQueriesContext(connection) as many:
        assert reminders_run() == 0
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_customer_who_prefers_the_phone_is_reminded_by_a_crc_call(clock, site, crc_agent):
    vehicle = due_vehicle(site, due_date=date(2026, 4, 1), customer=consenting_customer(site, preferred_channel=Channel.PHONE))
    assert reminders_run() == 1
    reminder = MaintenanceReminder.objects.get()
    task = CallTask.objects.get()
    assert (task.kind, task.source, task.vehicle, reminder.message) == ("reminder_call", reminder, vehicle, None)
    clock.shift(timedelta(days=8))
    assert run_job("reminder_recontacts", now=timezone.now()) == 0  # the call task retries on its own
    for _day in range(3):
        services.record_call_attempt(task=task, outcome=CallOutcome.NO_ANSWER, agent=crc_agent)
        clock.shift(timedelta(days=1))
    task.refresh_from_db()
    assert task.fallback_message.template_key == "maintenance_reminder"


def test_a_customer_who_prefers_the_phone_without_call_consent_gets_the_message(clock, site):
    customer = consenting_customer(site, preferred_channel=Channel.PHONE)
    ConsentRecord.objects.create(customer=customer, channel=Channel.PHONE, granted=False, source=ConsentRecord.Source.FORM)
    due_vehicle(site, due_date=date(2026, 4, 1), customer=customer)
    reminders_run()
    assert MaintenanceReminder.objects.get().message.channel == MessageChannel.SMS
    assert not CallTask.objects.exists()
