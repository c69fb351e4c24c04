from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from aftersales.accounts.models import OpeningHours, SiteClosure
from appointments.models import Absence, CapacityOverride, SlotReservation
from appointments.slots import (
    JobRequest,
    check_slot,
    free_reception_slots,
    load_calendar,
    propose,
    week_grid,
    workshop_need,
)

from .conftest import MONDAY_MORNING
from .factories import LoanerFactory, make_advisor

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def at(day: str, clock: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=PARIS)


def slots_on(site, day: str, advisor):
    moment = date.fromisoformat(day)
    return [p.starts_at for p in free_reception_slots(site=site, first_day=moment, last_day=moment, now=MONDAY_MORNING, advisor=advisor)]


def hours(value) -> list[JobRequest]:
    return [JobRequest(description="Work", skill="mechanics", flat_rate_hours=Decimal(value))]


def test_reception_grid_is_every_15_minutes_inside_working_hours_minus_the_break(site, diary_advisor):
    slots = slots_on(site, "2026-03-03", diary_advisor)
    assert slots[0] == at("2026-03-03", "08:00")
    assert slots[1] - slots[0] == timedelta(minutes=15)
    assert at("2026-03-03", "11:45") in slots
    assert at("2026-03-03", "12:00") not in slots and at("2026-03-03", "12:45") not in slots
    assert at("2026-03-03", "13:00") in slots
    assert slots[-1] == at("2026-03-03", "16:45")
    assert len(slots) == 8 * 4


def test_grid_stays_inside_the_site_opening_hours(site):
    late_advisor = make_advisor(site, weekdays=[5], starts=time(9), ends=time(17), break_starts=None, break_ends=None)
    calendar = load_calendar(site=site, first_day=date(2026, 3, 7), last_day=date(2026, 3, 7))
    grid = calendar.grid(late_advisor.pk, date(2026, 3, 7))  # Saturday: the site closes at 12:00
    assert grid[0] == at("2026-03-07", "09:00") and grid[-1] == at("2026-03-07", "11:45")
    # The last ones cannot be offered: no handover slot is left that day nor the next working days.
    assert slots_on(site, "2026-03-07", late_advisor)[-1] == at("2026-03-07", "11:15")


def test_no_slot_on_a_public_holiday_a_closure_or_a_sunday(site, diary_advisor):
    SiteClosure.objects.create(site=site, day=date(2026, 3, 4), reason="Inventory")
    assert slots_on(site, "2026-04-06", diary_advisor) == []  # Easter Monday in France
    assert slots_on(site, "2026-03-04", diary_advisor) == []
    assert slots_on(site, "2026-03-08", diary_advisor) == []


def test_no_slot_while_the_advisor_is_absent(site, diary_advisor):
    Absence.objects.create(site=site, person=diary_advisor, starts_on=date(2026, 3, 3), ends_on=date(2026, 3, 4), reason="leave")
    assert slots_on(site, "2026-03-03", diary_advisor) == []
    assert slots_on(site, "2026-03-04", diary_advisor) == []
    assert slots_on(site, "2026-03-05", diary_advisor) != []


def test_slots_keep_their_wall_clock_time_across_the_daylight_saving_change(site, diary_advisor):
    before, after = slots_on(site, "2026-03-27", diary_advisor), slots_on(site, "2026-03-30", diary_advisor)
    assert before[0].astimezone(ZoneInfo("UTC")).hour == 7
    assert after[0].astimezone(ZoneInfo("UTC")).hour == 6
    assert [s.astimezone(PARIS).time() for s in before] == [s.astimezone(PARIS).time() for s in after]


def test_the_hour_skipped_by_the_clock_change_has_no_slot(site):
    OpeningHours.objects.create(site=site, weekday=6, opens=time(1), closes=time(4))
    night = make_advisor(site, weekdays=[6], starts=time(1), ends=time(4), break_starts=None, break_ends=None)
    slots = slots_on(site, "2026-03-29", night)
    local = [s.astimezone(PARIS).strftime("%H:%M") for s in slots]
    assert "02:00" not in local and "02:45" not in local
    assert local[:4] == ["01:00", "01:15", "01:30", "01:45"] and local[4] == "03:00"
    assert len(set(slots)) == len(slots)


def test_slots_too_close_to_now_are_not_offered(site, diary_advisor):
    now = at("2026-03-03", "09:10")
    slots = [
        p.starts_at for p in free_reception_slots(site=site, first_day=now.date(), last_day=now.date(), now=now, advisor=diary_advisor)
    ]
    assert slots[0] == at("2026-03-03", "10:15")  # one hour's notice by default


def test_a_fourth_reception_in_the_same_advisor_hour_is_refused(site, diary_advisor, booking):
    for clock in ("09:00", "09:15", "09:30"):
        booking(at("2026-03-03", clock))
    slots = slots_on(site, "2026-03-03", diary_advisor)
    assert at("2026-03-03", "09:45") not in slots
    assert at("2026-03-03", "10:45") in slots
    calendar = load_calendar(site=site, first_day=date(2026, 3, 3), last_day=date(2026, 3, 10))
    check = check_slot(calendar, advisor_id=diary_advisor.pk, starts_at=at("2026-03-03", "09:45"), need={}, now=MONDAY_MORNING)
    assert list(check.exceeded) == [CapacityOverride.Axis.ADVISOR_HOUR]


def test_an_override_raises_the_advisor_hour_limit_for_one_day(site, diary_advisor, booking):
    for clock in ("09:00", "09:15", "09:30"):
        booking(at("2026-03-03", clock))
    CapacityOverride.objects.create(site=site, day=date(2026, 3, 3), axis="advisor_hour", value=4, reason="Event day")
    assert at("2026-03-03", "09:45") in slots_on(site, "2026-03-03", diary_advisor)


def test_each_booking_takes_a_handover_slot_at_the_promised_return_time(site, diary_advisor, booking):
    appointment = booking(at("2026-03-03", "08:30"), jobs=hours("2.00"))
    assert appointment.handover_at == at("2026-03-03", "11:00")  # 08:30 + 30 min reception + 2 h
    kinds = dict(SlotReservation.objects.filter(appointment=appointment).values_list("kind", "starts_at"))
    assert kinds == {"reception": appointment.starts_at, "handover": appointment.handover_at}
    assert at("2026-03-03", "11:00") not in slots_on(site, "2026-03-03", diary_advisor)


def test_handover_moves_to_the_next_working_morning_when_the_day_is_over(site, diary_advisor, booking):
    appointment = booking(at("2026-03-06", "15:00"), jobs=hours("3.00"))  # a Friday
    assert appointment.handover_at == at("2026-03-09", "08:00")


def test_a_day_whose_workshop_hours_are_used_up_is_not_offered(site, diary_advisor, technicians, booking):
    # Two technicians × 8 h, 15 % kept free: 13.6 h may be booked.
    booking(at("2026-03-03", "08:00"), jobs=hours("13.00"))
    result = propose(site=site, jobs=hours("1.00"), now=MONDAY_MORNING)
    assert all(p.starts_at.date() != date(2026, 3, 3) for p in result.proposals)
    calendar = load_calendar(site=site, first_day=date(2026, 3, 3), last_day=date(2026, 3, 10))
    check = check_slot(
        calendar, advisor_id=diary_advisor.pk, starts_at=at("2026-03-03", "10:00"), need=workshop_need(hours("1.00")), now=MONDAY_MORNING
    )
    assert "workshop_hours" in check.exceeded
    assert "Mechanics" in str(check.exceeded["workshop_hours"])
    assert check_slot(
        calendar, advisor_id=diary_advisor.pk, starts_at=at("2026-03-03", "10:00"), need=workshop_need(hours("0.50")), now=MONDAY_MORNING
    ).ok


def test_workshop_capacity_is_counted_per_skill(site, diary_advisor, technicians):
    bodywork = [JobRequest(operation=None, description="Dent", skill="bodywork", flat_rate_hours=Decimal("1"))]
    result = propose(site=site, jobs=bodywork, now=MONDAY_MORNING)
    assert result.proposals == []
    assert "Bodywork" in result.reason


def test_an_absent_technician_takes_his_hours_away(site, diary_advisor, technicians):
    Absence.objects.create(site=site, person=technicians[0], starts_on=date(2026, 3, 3), ends_on=date(2026, 3, 3), reason="sickness")
    calendar = load_calendar(site=site, first_day=date(2026, 3, 3), last_day=date(2026, 3, 10))
    need = workshop_need(hours("7.00"))
    assert (
        "workshop_hours"
        in check_slot(calendar, advisor_id=diary_advisor.pk, starts_at=at("2026-03-03", "10:00"), need=need, now=MONDAY_MORNING).exceeded
    )
    assert check_slot(calendar, advisor_id=diary_advisor.pk, starts_at=at("2026-03-04", "10:00"), need=need, now=MONDAY_MORNING).ok


def test_the_workshop_buffer_and_its_override(site, diary_advisor, technicians):
    calendar = load_calendar(site=site, first_day=date(2026, 3, 3), last_day=date(2026, 3, 10))
    need = workshop_need(hours("15.00"))
    assert (
        "workshop_hours"
        in check_slot(calendar, advisor_id=diary_advisor.pk, starts_at=at("2026-03-03", "10:00"), need=need, now=MONDAY_MORNING).exceeded
    )
    CapacityOverride.objects.create(site=site, day=date(2026, 3, 3), axis="buffer", value=0, reason="Quiet week")
    calendar = load_calendar(site=site, first_day=date(2026, 3, 3), last_day=date(2026, 3, 10))
    assert check_slot(calendar, advisor_id=diary_advisor.pk, starts_at=at("2026-03-03", "10:00"), need=need, now=MONDAY_MORNING).ok


def test_urgent_work_may_use_the_buffer(site, diary_advisor, technicians):
    result = propose(site=site, jobs=hours("15.00"), now=MONDAY_MORNING, urgent=True)
    assert result.proposals and result.proposals[0].starts_at == at("2026-03-02", "08:00")


def test_waiters_per_interval_are_limited(site, diary_advisor, technicians, booking):
    from aftersales.customers.models import MobilityService

    from .factories import MobilityServiceFactory

    lounge = MobilityServiceFactory(site=site, kind=MobilityService.Kind.LOUNGE)
    other = make_advisor(site)
    booking(at("2026-03-03", "09:00"), mobility=[lounge])
    booking(at("2026-03-03", "09:15"), mobility=[lounge], advisor=other)
    calendar = load_calendar(site=site, first_day=date(2026, 3, 3), last_day=date(2026, 3, 10))
    check = check_slot(calendar, advisor_id=diary_advisor.pk, starts_at=at("2026-03-03", "09:30"), need={}, now=MONDAY_MORNING, waits=True)
    assert list(check.exceeded) == ["waiters"]
    assert check_slot(
        calendar, advisor_id=diary_advisor.pk, starts_at=at("2026-03-03", "10:15"), need={}, now=MONDAY_MORNING, waits=True
    ).ok


def test_online_booking_leaves_the_kept_back_loaners_alone(site, diary_advisor, technicians):
    LoanerFactory(site=site)
    calendar = load_calendar(site=site, first_day=date(2026, 3, 3), last_day=date(2026, 3, 10))
    moment = at("2026-03-03", "10:00")
    assert check_slot(calendar, advisor_id=diary_advisor.pk, starts_at=moment, need={}, now=MONDAY_MORNING, needs_loaner=True).ok
    online = check_slot(
        calendar, advisor_id=diary_advisor.pk, starts_at=moment, need={}, now=MONDAY_MORNING, needs_loaner=True, online=True
    )
    assert list(online.exceeded) == ["loaners"]


def test_two_proposals_within_14_days_one_within_3(site, diary_advisor, technicians):
    result = propose(site=site, jobs=hours("1.00"), now=MONDAY_MORNING)
    first, second = result.proposals
    assert result.reason == ""
    assert first.starts_at == at("2026-03-02", "08:00")
    assert first.advisor_id == diary_advisor.pk
    assert second.starts_at.date() != first.starts_at.date()
    assert first.starts_at <= MONDAY_MORNING + timedelta(days=3)
    assert second.starts_at <= MONDAY_MORNING + timedelta(days=14)
    assert first.handover_at == at("2026-03-02", "09:30")  # 30 min reception + 1 h


def test_when_the_next_3_days_are_full_the_proposals_say_why(site, diary_advisor, technicians):
    for day in ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"):
        CapacityOverride.objects.create(site=site, day=date.fromisoformat(day), axis="workshop_hours", value=0, reason="Training")
    result = propose(site=site, jobs=hours("1.00"), now=MONDAY_MORNING)
    assert len(result.proposals) == 2
    assert result.proposals[0].starts_at.date() == date(2026, 3, 6)
    assert result.reason.startswith("Nothing free within 3 days")
    assert "workshop full" in result.reason


def test_no_proposal_at_all_explains_day_by_day(site, diary_advisor, technicians):
    Absence.objects.create(site=site, person=diary_advisor, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31), reason="leave")
    result = propose(site=site, jobs=hours("1.00"), now=MONDAY_MORNING)
    assert result.proposals == []
    assert result.reason.startswith("Nothing free within 14 days")
    assert "Sun 8 Mar: site closed" in result.reason


def test_urgent_gets_the_earliest_slot_within_24_hours(site, diary_advisor, technicians):
    now = at("2026-03-02", "16:20")
    result = propose(site=site, jobs=hours("1.00"), now=now, urgent=True)
    assert [p.starts_at for p in result.proposals] == [at("2026-03-03", "08:00")]
    assert result.reason == ""


def test_urgent_beyond_24_hours_says_so(site, diary_advisor, technicians):
    now = at("2026-03-06", "16:20")  # Friday afternoon: next slot on Monday
    result = propose(site=site, jobs=hours("1.00"), now=now, urgent=True)
    assert [p.starts_at for p in result.proposals] == [at("2026-03-09", "08:00")]
    assert result.reason.startswith("Nothing free within 24 hours")


def test_proposals_for_one_advisor_only(site, diary_advisor, technicians):
    other = make_advisor(site, starts=time(7), ends=time(17))
    result = propose(site=site, jobs=hours("1.00"), now=MONDAY_MORNING, advisor=diary_advisor)
    assert {p.advisor_id for p in result.proposals} == {diary_advisor.pk}
    assert other.pk not in {p.advisor_id for p in result.proposals}


def test_proposals_use_a_fixed_number_of_queries(site, diary_advisor, technicians, booking, django_assert_max_num_queries):
    booking(at("2026-03-03", "09:00"))
    with django_assert_max_num_queries(12):
        propose(site=site, jobs=hours("1.00"), now=MONDAY_MORNING)
    for _ in range(5):
        make_advisor(site)
    with django_assert_max_num_queries(12):
        propose(site=site, jobs=hours("1.00"), now=MONDAY_MORNING)


def test_week_grid_shows_free_taken_and_full_hours(site, diary_advisor, booking):
    for clock in ("09:00", "09:15", "09:30"):
        appointment = booking(at("2026-03-03", clock))
    grid = week_grid(site=site, week_start=date(2026, 3, 2), now=MONDAY_MORNING)
    cells = {cell.starts_at: cell for cell in grid[date(2026, 3, 3)][diary_advisor.pk]}
    assert cells[at("2026-03-03", "09:30")].state == "reception"
    assert cells[at("2026-03-03", "09:30")].appointment_id == appointment.pk
    assert cells[at("2026-03-03", "09:45")].state == "hour_full"
    assert cells[at("2026-03-03", "10:00")].state == "handover"  # 09:00 + 30 min + 0.5 h
    assert cells[at("2026-03-03", "10:45")].state == "free"
    assert grid[date(2026, 3, 8)][diary_advisor.pk] == []


def test_week_grid_marks_past_slots(site, diary_advisor):
    grid = week_grid(site=site, week_start=date(2026, 3, 2), now=at("2026-03-02", "10:05"), advisor=diary_advisor)
    states = {cell.starts_at: cell.state for cell in grid[date(2026, 3, 2)][diary_advisor.pk]}
    assert states[at("2026-03-02", "10:00")] == "past" and states[at("2026-03-02", "10:15")] == "free"
    assert list(grid[date(2026, 3, 2)]) == [diary_advisor.pk]


def test_proposals_needing_a_loaner_skip_times_when_the_fleet_is_out(site, diary_advisor, technicians, booking):
    loaner = LoanerFactory(site=site)
    result = propose(site=site, jobs=hours("1.00"), now=MONDAY_MORNING, needs_loaner=True)
    assert result.proposals[0].starts_at == at("2026-03-02", "08:00")
    booking(at("2026-03-02", "08:00"), loaner=loaner, jobs=hours("8.00"))  # handover 16:30: out until 16:45
    result = propose(site=site, jobs=hours("1.00"), now=MONDAY_MORNING, needs_loaner=True)
    assert result.proposals[0].starts_at == at("2026-03-02", "16:45")
    assert result.proposals[0].handover_at == at("2026-03-03", "08:00")
    assert propose(site=site, jobs=hours("1.00"), now=MONDAY_MORNING).proposals[0].starts_at == at("2026-03-02", "08:15")
