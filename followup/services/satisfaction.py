"""Satisfaction follow-up after each handover: the quick touch, the 7-day callback, the survey, and the
complaint a dissatisfied answer opens."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.accounts.notifications import notify_staff
from aftersales.accounts.roles import Role
from aftersales.audit.services import record_bulk_change
from aftersales.customers.models import Channel
from aftersales.lib.business_hours import QUIET_ENDS, is_send_allowed, next_allowed_send_time
from aftersales.lib.signing import make_token
from aftersales.lib.system_texts import SystemText
from aftersales.messaging.models import Purpose
from aftersales.messaging.services import queue_message
from invoicing.models import Handover

from ..exceptions import CallRefused, SatisfactionRefused
from ..models import NOT_REACHED, CallAttempt, CallOutcome, CallTask, Concern, FollowupPolicy, SatisfactionAnswer, VisitFollowup
from ..sentiment import reads_negative
from ..system_texts import (
    COMPLAINT_UNOWNED,
    COMPLAINT_UNOWNED_DETAILS,
    HOT_ALERT,
    HOT_ALERT_CALL_BACK,
    HOT_ALERT_SCORES,
    SURVEY_COMPLAINT,
    VISIT_CALLBACK,
)
from ._common import _moment, may_own, survey_message_arguments
from .calls import create_call_task, record_call_attempt
from .concerns import record_concern, site_managers

QUICK_TOUCH_AFTER = timedelta(hours=24)
QUICK_TOUCH_UNTIL = timedelta(hours=72)
CALLBACK_DAY = 7
EARLIEST_CALLBACK_DAY = 3  # a closed day 7 moves the call earlier, but not into the quick touch's days
QUICK_TOUCH_PURPOSE = "quick-touch"
QUICK_TOUCH_LINK_AGE = timedelta(days=14)
SURVEY_LINK_AGE = timedelta(days=30)
WRITTEN_CHANNELS = (Channel.SMS, Channel.EMAIL)


def callback_due_at(site: Site, handed_over_at: datetime) -> datetime:
    """Day 7 after the handover at the site's opening time; when the site is closed that day (weekday
    without hours, public holiday, closure) the last open day before it, never before day 3.

    Customers have no preferred time of day on file, so the call is due from the opening.
    """
    handover_day = timezone.localtime(handed_over_at, site.tz).date()
    for offset in range(CALLBACK_DAY, EARLIEST_CALLBACK_DAY - 1, -1):
        day = handover_day + timedelta(days=offset)
        if not site.is_closed_on(day):
            opens = site.opening_hours.filter(weekday=day.weekday()).order_by("opens").values_list("opens", flat=True).first()
            return datetime.combine(day, opens or QUIET_ENDS, tzinfo=site.tz)
    return next_allowed_send_time(site, datetime.combine(handover_day + timedelta(days=CALLBACK_DAY), QUIET_ENDS, tzinfo=site.tz))


def quick_touch_link(followup: VisitFollowup) -> str:
    token = make_token(purpose=QUICK_TOUCH_PURPOSE, pk=followup.pk)
    return settings.SITE_URL + reverse("followup:rate", kwargs={"token": token})


def start_visit_followups(*, now: datetime) -> int:
    """Every handover closed in the last 7 days gets its follow-up row, once, and with it the 7-day callback:
    a CRC call task, or the survey link for a customer who prefers SMS or e-mail when the site prefers that."""
    policies = {policy.site_id: policy for policy in FollowupPolicy.objects.all()}
    handovers = (
        Handover.objects.filter(
            closed_at__isnull=False,
            closed_at__lte=now,
            closed_at__gt=now - timedelta(days=CALLBACK_DAY),
            visit_followup__isnull=True,
        )
        .select_related("site", "work_order__customer", "work_order__vehicle")
        .order_by("pk")
    )
    started = 0
    for handover in handovers:
        started += _start_visit_followup(handover, policies.get(handover.site_id))
    return started


def _start_visit_followup(handover: Handover, policy: FollowupPolicy | None) -> int:
    site, order = handover.site, handover.work_order
    customer = order.customer
    due = callback_due_at(site, handover.closed_at)
    with transaction.atomic():
        try:
            with transaction.atomic():
                followup = VisitFollowup.objects.create(
                    handover=handover,
                    site=site,
                    customer=customer,
                    vehicle=order.vehicle,
                    handed_over_at=handover.closed_at,
                    callback_due_at=due,
                )
        except IntegrityError:
            return 0
        if _survey_instead_of_call(policy, customer.preferred_channel):
            followup.survey_message = queue_message(
                **survey_message_arguments(followup),
                due_at=due,
                idempotency_key=f"handover:{handover.pk}:survey",
            )
            followup.save(update_fields=["survey_message"])
        else:
            day = timezone.localtime(handover.closed_at, site.tz).date()
            create_call_task(
                key=f"handover:{handover.pk}:callback",
                site=site,
                customer=customer,
                vehicle=order.vehicle,
                kind=CallTask.Kind.CALLBACK,
                due_at=due,
                source=handover,
                reason=VISIT_CALLBACK(day=day, order=order.number),
            )
    return 1


def _survey_instead_of_call(policy: FollowupPolicy | None, preferred_channel: str) -> bool:
    """Whether the site's policy sends this customer the survey link on day 7 rather than calling them."""
    callback = policy.callback if policy is not None else FollowupPolicy.Callback.CALL
    return callback == FollowupPolicy.Callback.SURVEY or (
        callback == FollowupPolicy.Callback.SURVEY_WRITTEN and preferred_channel in WRITTEN_CHANNELS
    )


def send_quick_touches(*, now: datetime) -> int:
    """The quick touch: 24 to 72 hours after the handover, at a moment the site may write (not at night, not on a
    closed day), a one-tap rating link by the preferred channel; once per handover, unless the site's policy
    leaves it out. A window that passes entirely in quiet time sends nothing: the 7-day callback still comes."""
    pending = (
        VisitFollowup.objects.exclude(site__followup_policy__quick_touch=False)
        .filter(
            quick_touch_sent_at__isnull=True,
            handed_over_at__lte=now - QUICK_TOUCH_AFTER,
            handed_over_at__gt=now - QUICK_TOUCH_UNTIL,
        )
        .select_related("site", "customer", "vehicle")
        .order_by("pk")
    )
    sent = 0
    for followup in pending:
        if not is_send_allowed(followup.site, now):
            continue
        with transaction.atomic():
            if not VisitFollowup.objects.filter(pk=followup.pk, quick_touch_sent_at__isnull=True).update(quick_touch_sent_at=now):
                continue
            message = queue_message(
                customer=followup.customer,
                template="quick_touch",
                about=followup,
                purpose=Purpose.SERVICE,
                context={"vehicle": str(followup.vehicle), "link": quick_touch_link(followup)},
                idempotency_key=f"handover:{followup.handover_id}:quick_touch",
            )
            VisitFollowup.objects.filter(pk=followup.pk).update(quick_touch_message=message)
        sent += 1
    return sent


def _check_score(value: int | None, *, field: str, low: int, high: int, required: bool) -> None:
    """A score within its scale; None only where the score is optional."""
    if value is None and not required:
        return
    if value is None or not low <= value <= high:
        raise SatisfactionRefused(_("Give a score from %(low)s to %(high)s.") % {"low": low, "high": high}, field=field)


def record_satisfaction_answer(
    *,
    followup: VisitFollowup,
    source: str,
    score: int,
    nps: int | None = None,
    text: str = "",
    other_needs: str = "",
    answered_by: User | None = None,
    now: datetime | None = None,
) -> SatisfactionAnswer:
    """Store a customer's answer (once per visit and source); a dissatisfied one opens a complaint and tells the managers."""
    if source not in SatisfactionAnswer.Source.values:
        raise SatisfactionRefused(_("Unknown kind of answer."), field="source")
    _check_score(score, field="score", low=1, high=5, required=True)
    _check_score(nps, field="nps", low=0, high=10, required=False)
    now = _moment(now)
    with transaction.atomic():
        locked = (
            VisitFollowup.objects.select_for_update(of=("self",))
            .select_related("site", "customer", "vehicle", "handover")
            .get(pk=followup.pk)
        )
        if SatisfactionAnswer.objects.filter(handover_id=locked.handover_id, source=source).exists():
            raise SatisfactionRefused(_("This visit was already rated this way: thank you."), field="score")
        answer = SatisfactionAnswer.objects.create(
            source=source,
            handover_id=locked.handover_id,
            customer=locked.customer,
            site=locked.site,
            score=score,
            nps=nps,
            text=text.strip()[:2000],
            other_needs=other_needs.strip()[:2000],
            answered_at=now,
            answered_by=answered_by,
        )
        if source == SatisfactionAnswer.Source.SURVEY:
            _close_answered_callback(locked.handover_id, actor=answered_by, now=now)
        if answer.dissatisfied_by_score or reads_negative(answer.text):
            _open_hot_alert(answer, locked, now=now)
    return answer


def _close_answered_callback(handover_id: int, *, actor: User | None, now: datetime) -> None:
    """The customer answered the survey: the 7-day call still open for the visit has nothing left to ask."""
    record_bulk_change(
        actor=actor,
        queryset=CallTask.objects.filter(key=f"handover:{handover_id}:callback", status=CallTask.Status.OPEN),
        changes={"status": CallTask.Status.DONE, "closed_at": now},
    )


@transaction.atomic
def add_satisfaction_remarks(*, answer: SatisfactionAnswer, text: str, now: datetime | None = None) -> SatisfactionAnswer:
    """The customer adds words to their rating; negative words raise the hot alert the rating did not."""
    if not text.strip():
        raise SatisfactionRefused(_("Write your remarks."), field="text")
    locked = SatisfactionAnswer.objects.select_for_update().get(pk=answer.pk)
    locked.text = "\n".join(filter(None, [locked.text, text.strip()]))[:2000]
    locked.save(update_fields=["text"])
    if locked.concern_id is None and reads_negative(text):
        followup = VisitFollowup.objects.select_related("site", "customer", "vehicle", "handover").get(handover_id=locked.handover_id)
        _open_hot_alert(locked, followup, now=_moment(now))
    return locked


def _open_hot_alert(answer: SatisfactionAnswer, followup: VisitFollowup, *, now: datetime) -> None:
    """A complaint (channel survey) owned by a site manager, with its acknowledgment, call-back and 24 h deadline,
    and an e-mail to the site's managers after commit."""
    handover, customer = followup.handover, followup.customer
    owner = complaint_owner(followup.site, handover)
    summary = SURVEY_COMPLAINT(day=timezone.localtime(followup.handed_over_at, followup.site.tz).date(), score=answer.score)
    appointment = handover.work_order.appointment if handover.work_order.appointment_id else None
    concern = record_concern(
        customer=customer,
        kind=Concern.Kind.COMPLAINT,
        channel=Concern.Channel.SURVEY,
        summary=summary,
        description="\n".join(filter(None, [answer.text, answer.other_needs])),
        vehicle=followup.vehicle,
        appointment=appointment if appointment is not None and appointment.customer_id == customer.pk else None,
        owner=owner,
        recorded_by=answer.answered_by,
        received_at=now,
        allow_unowned=True,
    )
    answer.concern = concern
    answer.save(update_fields=["concern"])
    link = reverse("followup:concern_detail", args=[concern.pk])
    notify_staff(
        recipients=site_managers(concern.site),
        subject=HOT_ALERT(customer=customer, reference=concern.reference),
        lines=[
            HOT_ALERT_SCORES(source=answer.source, score=answer.score, nps="—" if answer.nps is None else answer.nps),
            SystemText.of(answer.text),
            HOT_ALERT_CALL_BACK(owner=owner),
        ],
        link=link,
        site=concern.site,
    )
    if owner is None:
        notify_staff(
            recipients=site_admins(concern.site),
            subject=COMPLAINT_UNOWNED(reference=concern.reference),
            lines=[COMPLAINT_UNOWNED_DETAILS(site=concern.site)],
            link=link,
            site=concern.site,
        )


def complaint_owner(site: Site, handover: Handover) -> User | None:
    """Who owns a complaint the customer opened: a site manager, else the handover's advisor or the one who closed it,
    else any service advisor of the site (each still active there); None only when the site has none of them."""
    for user in (site_managers(site).order_by("pk").first(), handover.advisor, handover.closed_by):
        if user is not None and may_own(user, site):
            return user
    return User.objects.filter(sites=site, groups__name=Role.SERVICE_ADVISOR, is_active=True).order_by("pk").first()


def site_admins(site: Site):
    """Active administrators of the site (or group-wide in its group), and superusers."""
    at_site = Q(sites=site) | Q(group_wide=True, sites__group_id=site.group_id)
    return User.objects.filter((at_site & Q(groups__name=Role.ADMIN)) | Q(is_superuser=True), is_active=True).distinct()


@transaction.atomic
def record_callback_outcome(
    *,
    task: CallTask,
    outcome: str,
    remarks: str = "",
    satisfaction: int | None = None,
    nps: int | None = None,
    other_needs: str = "",
    agent: User,
    now: datetime | None = None,
) -> tuple[CallAttempt, SatisfactionAnswer | None]:
    """One 7-day callback call: not reached follows the retry plan (3 days, then the survey link); reached
    needs the satisfaction score and stores the answer (with the would-recommend score, remarks, other needs)."""
    if task.kind != CallTask.Kind.CALLBACK or not isinstance(task.source, Handover):
        raise CallRefused(_("This call is not a visit callback."), field="outcome")
    reached = outcome in CallOutcome.values and outcome not in NOT_REACHED
    if reached:
        try:
            _check_score(satisfaction, field="satisfaction", low=1, high=5, required=True)
            _check_score(nps, field="nps", low=0, high=10, required=False)
        except SatisfactionRefused as error:
            raise CallRefused(error.message, field=error.field) from None
    attempt = record_call_attempt(
        task=task,
        outcome=outcome,
        agent=agent,
        now=now,
        remarks="\n".join(filter(None, [remarks.strip(), other_needs.strip()])),
    )
    if not reached:
        return attempt, None
    try:
        answer = record_satisfaction_answer(
            followup=task.source.visit_followup,
            source=SatisfactionAnswer.Source.CALLBACK,
            score=satisfaction,
            nps=nps,
            text=remarks,
            other_needs=other_needs,
            answered_by=agent,
            now=attempt.at,
        )
    except SatisfactionRefused as error:
        raise CallRefused(error.message, field="satisfaction" if error.field == "score" else error.field) from None
    return attempt, answer
