"""The slot engine: which advisor slots can be offered, and the best proposals.

``load_calendar`` reads everything a period needs in a fixed number of
queries (whatever the number of advisors, days or bookings); every other
function here is pure and works on the returned ``Calendar``. Times are built
as wall-clock times in the site's time zone and then made aware, so a day
with a daylight-saving change still has its slots at the right hours.

Rules (DOMAIN.md §1): 15-minute grid inside opening hours ∩ the advisor's
working hours minus break, absences, public holidays and closures; at most 3
reception appointments per advisor and clock hour; a handover slot with the
same advisor at the promised return time; workshop hours by skill (attendance
minus absences minus the buffer) against flat-rate hours booked; customers
waiting on site per interval; loaners, with a share kept back from online
booking. Each limit can be replaced for one day by a ``CapacityOverride``.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal

from django.db.models import Sum
from django.utils import formats
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site
from aftersales.accounts.roles import Role
from aftersales.customers.models import LabourOperation
from aftersales.lib.formatting import format_number

from .grid_cache import cached_grid
from .models import (
    Absence,
    AdvisorSchedule,
    Appointment,
    AppointmentJob,
    CapacityOverride,
    Loaner,
    LoanerReservation,
    SiteCapacityRule,
    SlotReservation,
    TechnicianAttendance,
)

Axis = CapacityOverride.Axis
PROPOSAL_DAYS = 14
NEAR_DAYS = 3
URGENT_HOURS = 24
URGENT_MAX_WORKING_DAYS = 3
HANDOVER_SEARCH_DAYS = 4  # Friday → Tuesday after a bank-holiday Monday
SECOND_PROPOSAL_GAP = timedelta(hours=2)
FREE_TEXT_HOURS = Decimal("0.50")


@dataclass(frozen=True)
class JobRequest:
    """A job asked for: a catalogue operation, or free text with its hours and skill."""

    operation: LabourOperation | None = None
    description: str = ""
    skill: str = LabourOperation.Skill.DIAGNOSIS
    flat_rate_hours: Decimal = FREE_TEXT_HOURS

    @classmethod
    def of(cls, operation: LabourOperation) -> "JobRequest":
        return cls(
            operation=operation,
            description=operation.localized("description"),
            skill=operation.skill,
            flat_rate_hours=operation.flat_rate_hours,
        )


@dataclass(frozen=True)
class Proposal:
    advisor_id: int
    starts_at: datetime
    handover_at: datetime


@dataclass
class ProposalResult:
    proposals: list[Proposal]
    reason: str = ""


@dataclass(frozen=True)
class SlotCheck:
    """What stands against booking one slot: hard refusals, and limits an override may pass."""

    handover_at: datetime | None
    refusals: dict[str, Promise]
    exceeded: dict[str, Promise]

    @property
    def ok(self) -> bool:
        return not self.refusals and not self.exceeded


@dataclass(frozen=True)
class Cell:
    starts_at: datetime
    state: str  # free | reception | handover | hour_full | past
    appointment_id: int | None = None


@dataclass
class Calendar:
    site: Site
    rule: SiteCapacityRule
    first_day: date
    last_day: date
    opening: dict[int, list[tuple[time, time]]]
    closed: dict[date, Promise]
    shifts: dict[tuple[int, int], list[tuple[time, time, time | None, time | None]]]
    advisor_ids: list[int]
    absent: dict[int, list[tuple[date, date]]]
    taken: dict[tuple[int, datetime], tuple[str, int]]
    reception_per_hour: Counter
    technicians: dict[int, tuple[frozenset, dict[int, Decimal]]]
    booked_hours: dict[date, dict[str, Decimal]]
    waiters: Counter
    overrides: dict[tuple[date, str, str], Decimal]
    loaner_ids: list[int]
    loaner_periods: list[tuple[int, datetime, datetime]]
    _grid: dict = field(default_factory=dict)
    _grid_sets: dict = field(default_factory=dict)
    _weekday_grid: dict = field(default_factory=dict)

    @cached_property
    def tz(self):
        return self.site.tz

    @property
    def step(self) -> timedelta:
        return timedelta(minutes=self.rule.slot_minutes)

    def limit(self, day: date, axis: str, default, skill: str = ""):
        return self.overrides.get((day, axis, skill), default)

    def is_absent(self, person_id: int, day: date) -> bool:
        return any(start <= day <= end for start, end in self.absent.get(person_id, ()))

    def grid(self, advisor_id: int, day: date) -> list[datetime]:
        """The advisor's slot starts on a local day, taken or not: ascending, in UTC (cheap to hash and compare)."""
        key = (advisor_id, day)
        if key not in self._grid:
            self._grid[key] = self._build_grid(advisor_id, day)
        return self._grid[key]

    def in_grid(self, advisor_id: int, moment: datetime) -> bool:
        day = moment.astimezone(self.tz).date()
        key = (advisor_id, day)
        if key not in self._grid_sets:
            self._grid_sets[key] = frozenset(self.grid(advisor_id, day))
        return moment in self._grid_sets[key]

    def _build_grid(self, advisor_id: int, day: date) -> list[datetime]:
        if day in self.closed or self.is_absent(advisor_id, day):
            return []
        minutes = self._weekday_minutes(advisor_id, day.weekday())
        tz = self.tz
        if _clock_changes_on(day, tz):
            return [moment.astimezone(UTC) for minute in minutes if (moment := _aware(day, minute, tz)) is not None]
        return [datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz).astimezone(UTC) for minute in minutes]

    def _weekday_minutes(self, advisor_id: int, weekday: int) -> list[int]:
        """Slot starts, in minutes after midnight, of an advisor's usual weekday."""
        key = (advisor_id, weekday)
        if key not in self._weekday_grid:
            step = self.rule.slot_minutes
            starts = set()
            for shift_start, shift_end, break_start, break_end in self.shifts.get((advisor_id, weekday), ()):
                for opens, closes in self.opening.get(weekday, ()):
                    first, last = max(_minute(shift_start), _minute(opens)), min(_minute(shift_end), _minute(closes))
                    for start in range(-(-first // step) * step, last - step + 1, step):
                        if break_start is None or start >= _minute(break_end) or start + step <= _minute(break_start):
                            starts.add(start)
            self._weekday_grid[key] = sorted(starts)
        return self._weekday_grid[key]

    def hour_key(self, advisor_id: int, moment: datetime) -> tuple[int, date, int]:
        local = moment.astimezone(self.tz)
        return advisor_id, local.date(), local.hour


def _minute(value: time) -> int:
    return value.hour * 60 + value.minute


def _clock_changes_on(day: date, tz) -> bool:
    return datetime.combine(day, time(), tzinfo=tz).utcoffset() != datetime.combine(day, time(23, 59), tzinfo=tz).utcoffset()


def _aware(day: date, minute: int, tz) -> datetime | None:
    """The aware moment of a wall-clock minute, or None when the clock skips it (DST)."""
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)
    if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local


def local_day_bounds(site: Site, first_day: date, last_day: date) -> tuple[datetime, datetime]:
    tz = site.tz
    return (datetime.combine(first_day, time(), tzinfo=tz), datetime.combine(last_day + timedelta(days=1), time(), tzinfo=tz))


def closed_days(*, site: Site, first_day: date, last_day: date) -> dict[date, Promise]:
    """The public holidays and extra closures of a period, each with why the site is closed (one query)."""
    closed = {}
    holidays = site.public_holidays(range(first_day.year, last_day.year + 1))
    for day, name in holidays.items():
        if first_day <= day <= last_day:
            closed[day] = _("public holiday (%(name)s)") % {"name": name}
    for day, reason in site.closures.filter(day__range=(first_day, last_day)).values_list("day", "reason"):
        closed[day] = _("site closed (%(reason)s)") % {"reason": reason}
    return closed


def load_calendar(*, site: Site, first_day: date, last_day: date) -> Calendar:
    """Everything the rules need for a period, in a fixed number of queries."""
    start, end = local_day_bounds(site, first_day, last_day)
    rule = SiteCapacityRule.objects.filter(site=site).first() or SiteCapacityRule(site=site)

    opening = defaultdict(list)
    for weekday, opens, closes in site.opening_hours.values_list("weekday", "opens", "closes"):
        opening[weekday].append((opens, closes))

    closed = closed_days(site=site, first_day=first_day, last_day=last_day)

    shifts = defaultdict(list)
    advisor_ids = []
    schedules = (
        AdvisorSchedule.objects.filter(site=site, advisor__is_active=True, advisor__sites=site, advisor__groups__name=Role.SERVICE_ADVISOR)
        .values_list("advisor_id", "weekday", "starts", "ends", "break_starts", "break_ends")
        .order_by("advisor_id", "weekday", "starts")
    )
    for advisor_id, weekday, starts, ends, break_starts, break_ends in schedules:
        shifts[(advisor_id, weekday)].append((starts, ends, break_starts, break_ends))
        if advisor_id not in advisor_ids:
            advisor_ids.append(advisor_id)

    absent = defaultdict(list)
    for person_id, starts_on, ends_on in Absence.objects.filter(site=site, starts_on__lte=last_day, ends_on__gte=first_day).values_list(
        "person_id", "starts_on", "ends_on"
    ):
        absent[person_id].append((starts_on, ends_on))

    taken = {}
    reception_per_hour = Counter()
    calendar_tz = site.tz
    for advisor_id, starts_at, kind, appointment_id in SlotReservation.objects.filter(
        advisor_id__in=advisor_ids, starts_at__gte=start, starts_at__lt=end
    ).values_list("advisor_id", "starts_at", "kind", "appointment_id"):
        taken[(advisor_id, starts_at)] = (kind, appointment_id)
        if kind == SlotReservation.Kind.RECEPTION:
            local = starts_at.astimezone(calendar_tz)
            reception_per_hour[(advisor_id, local.date(), local.hour)] += 1

    technicians = {}
    for user_id, skills, weekday, hours in TechnicianAttendance.objects.filter(profile__site=site, profile__active=True).values_list(
        "profile__user_id", "profile__skills", "weekday", "hours"
    ):
        technicians.setdefault(user_id, (frozenset(skills), {}))[1][weekday] = hours

    booked_hours = defaultdict(lambda: defaultdict(Decimal))
    for day, skill, hours in (
        AppointmentJob.objects.filter(
            appointment__site=site,
            appointment__workshop_day__range=(first_day, last_day),
            appointment__status__in=Appointment.ACTIVE_STATUSES,
        )
        .values_list("appointment__workshop_day", "skill")
        .annotate(hours=Sum("flat_rate_hours"))
        .order_by()
    ):
        booked_hours[day][skill] += hours

    waiters = Counter()
    interval = rule.waiter_interval_minutes
    for starts_at in Appointment.objects.filter(
        site=site, customer_waits=True, status__in=Appointment.ACTIVE_STATUSES, starts_at__gte=start, starts_at__lt=end
    ).values_list("starts_at", flat=True):
        waiters[_interval_key(starts_at, calendar_tz, interval)] += 1

    overrides = {
        (day, axis, skill): value
        for day, axis, skill, value in CapacityOverride.objects.filter(site=site, day__range=(first_day, last_day)).values_list(
            "day", "axis", "skill", "value"
        )
    }

    loaner_ids = list(Loaner.objects.filter(site=site, active=True).values_list("pk", flat=True))
    loaner_periods = list(
        LoanerReservation.objects.filter(loaner__site=site, ends_at__gt=start, starts_at__lt=end).values_list(
            "loaner_id", "starts_at", "ends_at"
        )
    )

    return Calendar(
        site=site,
        rule=rule,
        first_day=first_day,
        last_day=last_day,
        opening=dict(opening),
        closed=closed,
        shifts=dict(shifts),
        advisor_ids=advisor_ids,
        absent=dict(absent),
        taken=taken,
        reception_per_hour=reception_per_hour,
        technicians=technicians,
        booked_hours=booked_hours,
        waiters=waiters,
        overrides=overrides,
        loaner_ids=loaner_ids,
        loaner_periods=loaner_periods,
    )


def _interval_key(moment: datetime, tz, minutes: int) -> tuple[date, int]:
    local = moment.astimezone(tz)
    return local.date(), (local.hour * 60 + local.minute) // minutes


def workshop_need(jobs) -> dict[str, Decimal]:
    """Flat-rate hours per skill for jobs that have ``skill`` and ``flat_rate_hours``."""
    need = defaultdict(Decimal)
    for job in jobs:
        need[job.skill] += Decimal(job.flat_rate_hours)
    return dict(need)


def workshop_capacity(calendar: Calendar, day: date) -> tuple[dict[str, Decimal], Decimal]:
    """Attended hours per skill and in total on a day, overrides applied, before the buffer."""
    per_skill = defaultdict(Decimal)
    total = Decimal("0")
    for user_id, (skills, hours_by_weekday) in calendar.technicians.items():
        hours = hours_by_weekday.get(day.weekday(), Decimal("0"))
        if not hours or calendar.is_absent(user_id, day):
            continue
        total += hours
        for skill in skills:
            per_skill[skill] += hours
    for skill in LabourOperation.Skill.values:
        per_skill[skill] = calendar.limit(day, Axis.WORKSHOP_HOURS, per_skill[skill], skill)
    return dict(per_skill), calendar.limit(day, Axis.WORKSHOP_HOURS, total)


def workshop_problem(calendar: Calendar, day: date, need: dict[str, Decimal], *, use_buffer: bool = True) -> Promise | None:
    """Why the workshop cannot take these hours on that day, or None."""
    if not need:
        return None
    per_skill, total = workshop_capacity(calendar, day)
    buffer = calendar.limit(day, Axis.BUFFER, calendar.rule.workshop_buffer_percent) if use_buffer else Decimal("0")
    keep = (Decimal("100") - buffer) / Decimal("100")
    booked = calendar.booked_hours.get(day, {})
    for skill, hours in sorted(need.items()):
        available = per_skill.get(skill, Decimal("0")) * keep
        if booked.get(skill, Decimal("0")) + hours > available:
            return _("workshop full for %(skill)s (%(booked)s h booked of %(available)s h)") % {
                "skill": LabourOperation.Skill(skill).label,
                "booked": format_number(booked.get(skill, Decimal("0"))),
                "available": format_number(available, 1),
            }
    if sum(booked.values(), Decimal("0")) + sum(need.values()) > total * keep:
        return _("workshop full (%(booked)s h booked of %(available)s h)") % {
            "booked": format_number(sum(booked.values(), Decimal("0"))),
            "available": format_number(total * keep, 1),
        }
    return None


def promised_return(calendar: Calendar, starts_at: datetime, need: dict[str, Decimal]) -> datetime:
    hours = sum(need.values(), Decimal("0"))
    return starts_at + timedelta(minutes=calendar.rule.reception_minutes) + timedelta(hours=float(hours))


def handover_slot(calendar: Calendar, advisor_id: int, starts_at: datetime, need: dict[str, Decimal]) -> datetime | None:
    """The advisor's first free slot at the promised return time: the same day, else the next working morning."""
    ready = promised_return(calendar, starts_at, need)
    day = starts_at.astimezone(calendar.tz).date()
    for offset in range(HANDOVER_SEARCH_DAYS + 1):
        current = day + timedelta(days=offset)
        if current > calendar.last_day:
            return None
        for moment in calendar.grid(advisor_id, current):
            if moment >= ready and moment != starts_at and (advisor_id, moment) not in calendar.taken:
                return moment
    return None


def loaners_free(calendar: Calendar, day: date, starts_at: datetime, ends_at: datetime, *, online: bool) -> int:
    busy = {loaner_id for loaner_id, start, end in calendar.loaner_periods if start < ends_at and end > starts_at}
    available = int(calendar.limit(day, Axis.LOANERS, Decimal(len(calendar.loaner_ids))))
    free = min(available, len(calendar.loaner_ids)) - len(busy)
    if online:
        reserve = (Decimal(available) * calendar.rule.loaner_online_reserve_percent / 100).to_integral_value(ROUND_CEILING)
        free -= int(reserve)
    return max(free, 0)


def check_slot(
    calendar: Calendar,
    *,
    advisor_id: int,
    starts_at: datetime,
    need: dict[str, Decimal],
    now: datetime,
    waits: bool = False,
    needs_loaner: bool = False,
    online: bool = False,
    urgent: bool = False,
) -> SlotCheck:
    """Every rule for one reception slot. ``refusals`` are absolute; ``exceeded`` maps an axis to its limit."""
    day = starts_at.astimezone(calendar.tz).date()
    refusals = {}
    if starts_at < now:
        refusals["past"] = _("This time is in the past.")
    elif starts_at < now + timedelta(minutes=calendar.rule.min_lead_minutes):
        refusals["past"] = _("This time is too close: book at least %(minutes)s minutes ahead.") % {
            "minutes": calendar.rule.min_lead_minutes
        }
    if day in calendar.closed:
        refusals["closed"] = _("The site is closed that day: %(why)s.") % {"why": calendar.closed[day]}
    elif not calendar.in_grid(advisor_id, starts_at):
        refusals["outside"] = _("This advisor does not receive customers at that time (opening hours, working hours, break or absence).")
    if (advisor_id, starts_at) in calendar.taken:
        refusals["taken"] = _("This slot was just taken by another booking; pick another.")
    if refusals:
        return SlotCheck(handover_at=None, refusals=refusals, exceeded={})
    handover_at = handover_slot(calendar, advisor_id, starts_at, need)
    if handover_at is None:
        refusals["handover"] = _("No handover slot is free with this advisor at the promised return time.")

    exceeded = {}
    per_hour = calendar.limit(day, Axis.ADVISOR_HOUR, calendar.rule.appointments_per_advisor_hour)
    if calendar.reception_per_hour[calendar.hour_key(advisor_id, starts_at)] >= per_hour:
        exceeded[Axis.ADVISOR_HOUR] = _("this advisor already has %(count)s reception appointments in that hour") % {"count": int(per_hour)}
    problem = workshop_problem(calendar, day, need, use_buffer=not urgent)
    if problem is not None:
        exceeded[Axis.WORKSHOP_HOURS] = problem
    if waits:
        limit = calendar.limit(day, Axis.WAITERS, calendar.rule.waiters_per_interval)
        if calendar.waiters[_interval_key(starts_at, calendar.tz, calendar.rule.waiter_interval_minutes)] >= limit:
            exceeded[Axis.WAITERS] = _("already %(count)s customers waiting on site at that time") % {"count": int(limit)}
    if needs_loaner and handover_at is not None:
        if not loaners_free(calendar, day, starts_at, handover_at + calendar.step, online=online):
            exceeded[Axis.LOANERS] = _("no loaner free for the whole visit")
    return SlotCheck(handover_at=handover_at, refusals=refusals, exceeded=exceeded)


def free_reception_slots(*, site: Site, first_day: date, last_day: date, now: datetime, advisor=None) -> list[Proposal]:
    """Every slot that can be booked (ignoring workshop hours: no jobs chosen yet), by time then advisor."""
    calendar = load_calendar(site=site, first_day=first_day, last_day=last_day + timedelta(days=HANDOVER_SEARCH_DAYS))
    return [
        Proposal(advisor_id=advisor_id, starts_at=moment, handover_at=check.handover_at)
        for advisor_id, moment in _candidates(calendar, first_day, last_day, advisor)
        if (check := check_slot(calendar, advisor_id=advisor_id, starts_at=moment, need={}, now=now)).ok
    ]


def bookable_slots(
    *,
    site: Site,
    jobs,
    now: datetime,
    first_day: date,
    last_day: date,
    needs_loaner: bool = False,
    waits: bool = False,
    online: bool = False,
) -> list[Proposal]:
    """Every time the rules allow for these jobs between two days, one advisor per time (the first free), by time.

    The customer's own pages pick from this list (online booking, moving a
    booking): the same rules as the proposals, with no capacity override.
    """
    calendar = load_calendar(site=site, first_day=first_day, last_day=last_day + timedelta(days=HANDOVER_SEARCH_DAYS))
    need = workshop_need(jobs)
    found, seen = [], set()
    for advisor_id, moment in _candidates(calendar, first_day, last_day):
        if moment in seen:
            continue
        check = check_slot(
            calendar, advisor_id=advisor_id, starts_at=moment, need=need, now=now, waits=waits, needs_loaner=needs_loaner, online=online
        )
        if check.ok:
            seen.add(moment)
            found.append(Proposal(advisor_id=advisor_id, starts_at=moment, handover_at=check.handover_at))
    return found


def _candidates(calendar: Calendar, first_day: date, last_day: date, advisor=None, why_by_day=None):
    """Free (advisor, start) pairs by time then advisor; taken slots are only counted, per day, in ``why_by_day``."""
    advisor_ids = [advisor.pk] if advisor is not None else calendar.advisor_ids
    taken = calendar.taken
    for day in calendar_days(first_day, last_day):
        free = [
            (moment, advisor_id)
            for advisor_id in advisor_ids
            for moment in calendar.grid(advisor_id, day)
            if (advisor_id, moment) not in taken
        ]
        if why_by_day is not None:
            busy = sum(len(calendar.grid(advisor_id, day)) for advisor_id in advisor_ids) - len(free)
            if busy:
                why_by_day[day]["taken"] += busy
        free.sort()
        for moment, advisor_id in free:
            yield advisor_id, moment


def propose(
    *,
    site: Site,
    jobs,
    now: datetime,
    urgent: bool = False,
    needs_loaner: bool = False,
    advisor=None,
    waits: bool = False,
    online: bool = False,
) -> ProposalResult:
    """The two best proposals within 14 days, the earliest first; urgent: the earliest within 24 h.

    The first proposal is the earliest bookable slot, so when any capacity is
    left within 3 days it is there; the second is the earliest on another
    day (or, failing that, the same day at least two hours later). When a promise of the
    standard cannot be kept, ``reason`` says why, day by day.
    """
    need = workshop_need(jobs)
    today = now.astimezone(site.tz).date()
    last_day = today + timedelta(days=PROPOSAL_DAYS)
    calendar = load_calendar(site=site, first_day=today, last_day=last_day + timedelta(days=HANDOVER_SEARCH_DAYS))
    options = dict(need=need, now=now, waits=waits, needs_loaner=needs_loaner, online=online, urgent=urgent)
    if urgent:
        return _propose_urgent(calendar, today, last_day, advisor, options)

    found: list[Proposal] = []
    same_day_fallback: Proposal | None = None
    why_by_day: dict[date, Counter] = defaultdict(Counter)
    for advisor_id, moment in _candidates(calendar, today, last_day, advisor, why_by_day):
        if found:
            other_day = _local_day(calendar, moment) != _local_day(calendar, found[0].starts_at)
            if not other_day and (same_day_fallback is not None or moment - found[0].starts_at < SECOND_PROPOSAL_GAP):
                continue
        check = check_slot(calendar, advisor_id=advisor_id, starts_at=moment, **options)
        if not check.ok:
            if not found:
                why_by_day[_local_day(calendar, moment)].update(_reasons(check))
            continue
        proposal = Proposal(advisor_id=advisor_id, starts_at=moment, handover_at=check.handover_at)
        if not found:
            found.append(proposal)
        elif other_day:
            found.append(proposal)
            break
        else:
            same_day_fallback = proposal
    if len(found) == 1 and same_day_fallback is not None:
        found.append(same_day_fallback)
    near_limit = today + timedelta(days=NEAR_DAYS)
    if found and _local_day(calendar, found[0].starts_at) <= near_limit:
        return ProposalResult(found)
    days = [today + timedelta(days=offset) for offset in range(NEAR_DAYS + 1)]
    summary = _why(calendar, days, why_by_day)
    if found:
        return ProposalResult(found, _("Nothing free within 3 days: %(why)s") % {"why": summary})
    return ProposalResult(
        [], _("Nothing free within 14 days: %(why)s") % {"why": _why(calendar, list(calendar_days(today, last_day)), why_by_day)}
    )


def calendar_days(first_day: date, last_day: date):
    day = first_day
    while day <= last_day:
        yield day
        day += timedelta(days=1)


def _local_day(calendar: Calendar, moment: datetime) -> date:
    return moment.astimezone(calendar.tz).date()


def _propose_urgent(calendar: Calendar, today: date, last_day: date, advisor, options) -> ProposalResult:
    now = options["now"]
    deadline = _working_days_end(calendar, today, URGENT_MAX_WORKING_DAYS)
    why_by_day: dict[date, Counter] = defaultdict(Counter)
    for advisor_id, moment in _candidates(calendar, today, min(deadline, last_day), advisor, why_by_day):
        check = check_slot(calendar, advisor_id=advisor_id, starts_at=moment, **options)
        if check.ok:
            proposal = Proposal(advisor_id=advisor_id, starts_at=moment, handover_at=check.handover_at)
            if moment <= now + timedelta(hours=URGENT_HOURS):
                return ProposalResult([proposal])
            return ProposalResult(
                [proposal],
                _("Nothing free within 24 hours: %(why)s") % {"why": _why(calendar, [today, today + timedelta(days=1)], why_by_day)},
            )
        why_by_day[_local_day(calendar, moment)].update(_reasons(check))
    return ProposalResult(
        [], _("Nothing free within 3 working days: %(why)s") % {"why": _why(calendar, list(calendar_days(today, deadline)), why_by_day)}
    )


def _working_days_end(calendar: Calendar, today: date, count: int) -> date:
    """The last day of the next ``count`` days the site is open, today included."""
    day, seen = today, 0
    while day <= calendar.last_day:
        if day not in calendar.closed and calendar.opening.get(day.weekday()):
            seen += 1
            if seen == count:
                return day
        day += timedelta(days=1)
    return calendar.last_day


SUMMARY = {
    "past": _("no time left"),
    "closed": _("site closed"),
    "outside": _("no advisor available"),
    "taken": _("every slot taken"),
    "handover": _("no handover slot at the return time"),
}


def _reasons(check: SlotCheck) -> list[str]:
    """Refusal codes (worded by ``SUMMARY`` when a summary is written) and the limits' own messages."""
    return list(check.refusals) + [str(reason) for reason in check.exceeded.values()]


def _why(calendar: Calendar, days: list[date], why_by_day: dict[date, Counter]) -> str:
    """One line per day: the reason that blocked most of its slots."""
    parts = []
    for day in days:
        if day in calendar.closed:
            reason = str(calendar.closed[day])
        elif not calendar.opening.get(day.weekday()):
            reason = str(_("site closed"))
        elif why_by_day.get(day):
            reason = why_by_day[day].most_common(1)[0][0]
            reason = str(SUMMARY.get(reason, reason))
        else:
            reason = str(_("no advisor working"))
        parts.append(f"{formats.date_format(day, 'WEEKDAY_MONTH_DAY_FORMAT')}: {reason}")
    return "; ".join(parts)


def week_grid(*, site: Site, week_start: date, now: datetime, advisor=None) -> dict[date, dict[int, list[Cell]]]:
    """Seven days × advisors × cells, for the week view: free, reception, handover, hour_full or past.

    The cells are kept in the cache until the site's grid changes (``grid_cache``); only "past" is decided here."""
    parts = (week_start.isoformat(), advisor.pk if advisor is not None else "")
    grid = cached_grid(site_id=site.pk, parts=parts, build=lambda: _week_cells(site, week_start, advisor))
    return {
        day: {
            advisor_id: [Cell(cell.starts_at, "past") if cell.state in OPEN_STATES and cell.starts_at < now else cell for cell in cells]
            for advisor_id, cells in per_advisor.items()
        }
        for day, per_advisor in grid.items()
    }


OPEN_STATES = frozenset({"free", "hour_full"})


def _week_cells(site: Site, week_start: date, advisor) -> dict[date, dict[int, list[Cell]]]:
    """The week's cells whatever the time: a cell not taken is free or hour_full."""
    last_day = week_start + timedelta(days=6)
    calendar = load_calendar(site=site, first_day=week_start, last_day=last_day)
    advisor_ids = [advisor.pk] if advisor is not None else calendar.advisor_ids
    grid = {}
    for day in calendar_days(week_start, last_day):
        per_hour = calendar.limit(day, Axis.ADVISOR_HOUR, calendar.rule.appointments_per_advisor_hour)
        grid[day] = {}
        for advisor_id in advisor_ids:
            cells = []
            for moment in calendar.grid(advisor_id, day):
                holder = calendar.taken.get((advisor_id, moment))
                if holder is not None:
                    cells.append(Cell(moment, holder[0], holder[1]))
                elif calendar.reception_per_hour[calendar.hour_key(advisor_id, moment)] >= per_hour:
                    cells.append(Cell(moment, "hour_full"))
                else:
                    cells.append(Cell(moment, "free"))
            grid[day][advisor_id] = cells
    return grid
