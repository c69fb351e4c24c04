import pytest
from django.utils import timezone

from aftersales.accounts.demo import Report
from followup.demo import load_followup_demo, load_visit_followups_demo
from followup.models import CallTask, Concern, FollowupPolicy, ReminderPolicy, VisitFollowup
from followup.services import escalate_overdue_complaints
from invoicing.models import Handover

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_data")]


def test_demo_has_policies_concerns_with_an_overdue_complaint_and_calls_and_loads_twice_the_same():
    counts = (ReminderPolicy.objects.count(), Concern.objects.count(), CallTask.objects.count())
    assert counts[0] == 3 and counts[1] == 4 and counts[2] >= 3
    assert FollowupPolicy.objects.count() == 3 and FollowupPolicy.objects.filter(quick_touch=False).exists()
    assert escalate_overdue_complaints(now=timezone.now()) == 1
    report = Report()
    load_followup_demo(report)
    assert not {"reminder policies", "follow-up policies", "concerns", "call tasks"} & set(report.created)
    assert (ReminderPolicy.objects.count(), Concern.objects.count(), CallTask.objects.count()) == counts


def test_demo_handovers_have_their_visit_followup_and_callback_once():
    closed = Handover.objects.filter(closed_at__isnull=False)
    followups = VisitFollowup.objects.filter(handover__in=closed)
    assert closed.exists() and followups.count() == closed.count()
    assert all(followup.quick_touch_sent_at is None and followup.callback_due_at > followup.handed_over_at for followup in followups)
    callbacks = CallTask.objects.filter(kind=CallTask.Kind.CALLBACK).count() + followups.exclude(survey_message=None).count()
    assert callbacks == closed.count()

    again = Report()
    load_visit_followups_demo(again)
    assert "visit follow-ups" not in again.created
    assert VisitFollowup.objects.count() == followups.count()
