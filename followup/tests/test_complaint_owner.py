"""A customer's low rating always opens its complaint: with a fallback owner, or none and the administrators alerted."""

from datetime import datetime

import pytest
import time_machine
from django.core import mail

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from followup import services
from followup.models import CallTask, Concern, VisitFollowup

from .handovers import closed_handover

FRIDAY_4PM = datetime.fromisoformat("2026-03-06T16:00:00+01:00")
SATURDAY_5PM = datetime.fromisoformat("2026-03-07T17:00:00+01:00")

pytestmark = pytest.mark.usefixtures("in_process")


@pytest.fixture
def followup(site, advisor, quality_controller, cashier):
    with time_machine.travel(FRIDAY_4PM, tick=False) as clock:
        closed_handover(site=site, advisor=advisor, inspector=quality_controller, cashier=cashier)
        clock.move_to(SATURDAY_5PM)
        services.start_visit_followups(now=SATURDAY_5PM)
        yield VisitFollowup.objects.get()


def _rate_badly(client, followup, django_capture_on_commit_callbacks):
    link = services.quick_touch_link(followup).removeprefix("http://127.0.0.1:8000")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {"score": "1", "text": ""})
    assert response.status_code == 302
    return Concern.objects.get(kind=Concern.Kind.COMPLAINT)


def test_without_a_manager_and_with_the_advisor_gone_another_service_advisor_owns_the_complaint(
    client,
    followup,
    advisor,
    site,
    django_capture_on_commit_callbacks,
):
    advisor.is_active = False
    advisor.save(update_fields=["is_active"])
    colleague = UserFactory(roles=[Role.SERVICE_ADVISOR], site_list=[site], username="colleague")

    concern = _rate_badly(client, followup, django_capture_on_commit_callbacks)

    assert concern.owner == colleague
    assert CallTask.objects.get(kind=CallTask.Kind.COMPLAINT_CALLBACK).assigned_to == colleague


def test_with_nobody_to_own_it_the_complaint_is_recorded_unowned_and_the_admins_are_told(
    client,
    followup,
    advisor,
    site_admin,
    django_capture_on_commit_callbacks,
):
    advisor.is_active = False
    advisor.save(update_fields=["is_active"])

    concern = _rate_badly(client, followup, django_capture_on_commit_callbacks)

    assert concern.owner is None and concern.channel == Concern.Channel.SURVEY and concern.answer_due_at is not None
    assert CallTask.objects.get(kind=CallTask.Kind.COMPLAINT_CALLBACK).assigned_to is None
    assert [message.to for message in mail.outbox] == [[site_admin.email]]
    assert concern.reference in mail.outbox[0].subject


def test_staff_still_cannot_file_a_complaint_without_an_owner(followup, advisor):
    from followup.exceptions import ConcernRefused

    with pytest.raises(ConcernRefused) as refused:
        services.record_concern(
            customer=followup.customer,
            kind=Concern.Kind.COMPLAINT,
            channel=Concern.Channel.DESK,
            summary="Waited too long",
            recorded_by=advisor,
        )
    assert refused.value.field == "owner"
