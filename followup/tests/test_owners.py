"""Follow-up owners who can act: whoever a call or concern can be given to opens it; the pickers offer nobody else."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from aftersales.customers.tests.factories import CustomerFactory
from aftersales.jobs.registry import run_job
from followup import services
from followup.exceptions import CallRefused, ConcernRefused
from followup.forms import AssignForm, CallListFilterForm, ConcernForm, OwnerForm
from followup.models import CallOutcome, CallTask, SatisfactionAnswer

from .handovers import closed_handover

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process")]

FRIDAY_4PM = datetime.fromisoformat("2026-03-06T16:00:00+01:00")
DAY_7 = datetime.fromisoformat("2026-03-13T09:00:00+01:00")


@pytest.fixture
def clock():
    with time_machine.travel(FRIDAY_4PM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def callback(clock, site, advisor, quality_controller, cashier, manager):
    closed_handover(site=site, advisor=advisor, inspector=quality_controller, cashier=cashier)
    run_job("visit_followups", now=FRIDAY_4PM)
    task = CallTask.objects.get(kind=CallTask.Kind.CALLBACK)
    return services.assign_call_task(task=task, agent=advisor, actor=manager)


def test_an_advisor_opens_the_callback_given_to_them_and_records_the_result(
    clock, client, callback, advisor, django_assert_max_num_queries
):
    clock.move_to(DAY_7)
    client.force_login(advisor)

    with django_assert_max_num_queries(30):
        listing = client.get(reverse("followup:call_list"))
    assert listing.status_code == 200 and callback.get_absolute_url() in listing.text
    assert client.get(callback.get_absolute_url()).status_code == 200
    answer = {"outcome": CallOutcome.INFORMED, "satisfaction": "5", "nps": "9", "remarks": "All good"}
    assert client.post(reverse("followup:call_record", args=[callback.pk]), answer).status_code == 302

    callback.refresh_from_db()
    assert callback.status == CallTask.Status.DONE
    assert SatisfactionAnswer.objects.get().answered_by == advisor


def test_the_owner_pickers_offer_only_people_who_can_act(site, crc_agent, advisor, manager, technician, cashier, site_admin, foreman):
    can_act = {crc_agent, advisor, manager}

    assert set(AssignForm(site=site).fields["assigned_to"].queryset) == can_act
    assert set(OwnerForm(site=site).fields["owner"].queryset) == can_act
    assert set(CallListFilterForm(user=manager).fields["agent"].queryset) == can_act
    assert set(ConcernForm(customer=CustomerFactory(site=site), user=advisor).fields["owner"].queryset) == can_act


def test_a_call_or_a_concern_is_not_given_to_someone_who_cannot_act(site, callback, technician, cashier, manager):
    customer = CustomerFactory(site=site)
    for person in (technician, cashier):
        with pytest.raises(CallRefused) as refused:
            services.assign_call_task(task=callback, agent=person, actor=manager)
        assert refused.value.field == "assigned_to"
        with pytest.raises(ConcernRefused) as refused:
            services.record_concern(customer=customer, kind="complaint", channel="call", summary="Noise", owner=person, recorded_by=manager)
        assert refused.value.field == "owner"
