"""Implausible clocked times: the sign-off flags them (workshop.plausibility), the foreman confirms or corrects."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.audit.models import AuditEvent
from workshop.exceptions import ClockingRefused
from workshop.models import ClockingReview, JobStatus
from workshop.plausibility import is_implausible
from workshop.services import assign_job, clock_in, clock_on_job, confirm_clocking, correct_clocking, sign_off_job

from .conftest import PARIS
from .factories import make_appointment

Status = ClockingReview.Status


def events(review):
    return AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(ClockingReview), object_id=str(review.pk))


def at(hour, minute=0, second=0):
    return datetime(2026, 11, 24, hour, minute, second, tzinfo=PARIS)


@pytest.fixture
def appointment(site, customer, vehicle, advisor, clock):
    """A 3.5-hour timing-belt job booked."""
    return make_appointment(
        site=site,
        customer=customer,
        vehicle=vehicle,
        advisor=advisor,
        starts_at=at(8),
        jobs=(("Timing belt", Decimal("3.50"), Decimal("350.00")),),
    )


@pytest.fixture
def job(in_workshop, mechanic, foreman):
    return assign_job(job=in_workshop.jobs.get(), technician=mechanic, bay=None, actor=foreman)


@pytest.fixture
def flagged(job, mechanic):
    """Signed off five seconds after clocking on, against 3.5 sold hours."""
    clock_in(technician=mechanic, now=at(8))
    clock_on_job(job=job, technician=mechanic, now=at(9))
    sign_off_job(job=job, technician=mechanic, now=at(9, 0, 5))
    return ClockingReview.objects.get(job=job)


@pytest.mark.parametrize(
    ("sold", "clocked", "implausible"),
    [
        ("3.50", timedelta(seconds=5), True),  # the 7,762 % sign-off
        ("3.50", timedelta(minutes=52), True),  # under 25 % (52.5 min)
        ("3.50", timedelta(minutes=53), False),
        ("3.50", timedelta(hours=14, minutes=1), True),  # over 400 %
        ("3.50", timedelta(hours=3), False),
        ("0.20", timedelta(minutes=1), False),  # 11 minutes off a short job: within the tolerance
        ("0.00", timedelta(hours=2), False),  # nothing sold: nothing to inflate
    ],
)
def test_the_rule_flags_clocked_times_far_from_the_sold_hours(sold, clocked, implausible):
    assert is_implausible(sold_hours=Decimal(sold), clocked=clocked) is implausible


def test_a_sign_off_seconds_after_clocking_on_is_flagged_for_the_foreman(flagged, job, mechanic):
    assert (flagged.status, flagged.technician, flagged.sold_hours, flagged.clocked) == (
        Status.PENDING,
        mechanic,
        Decimal("3.50"),
        timedelta(seconds=5),
    )
    assert flagged.flagged_at == at(9, 0, 5)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE  # the sign-off itself goes through
    assert events(flagged).filter(action="create", actor=mechanic).exists()


def test_a_plausible_clocked_time_is_not_flagged(job, mechanic):
    clock_in(technician=mechanic, now=at(8))
    clock_on_job(job=job, technician=mechanic, now=at(8, 5))
    sign_off_job(job=job, technician=mechanic, now=at(11, 20))
    assert not ClockingReview.objects.exists()


def test_the_foreman_confirms_the_time_as_clocked(flagged, foreman):
    confirmed = confirm_clocking(review=flagged, actor=foreman, now=at(10))
    assert (confirmed.status, confirmed.decided_by, confirmed.decided_at) == (Status.CONFIRMED, foreman, at(10))
    assert events(flagged).filter(actor=foreman, changes__status=["pending", "confirmed"]).exists()
    with pytest.raises(ClockingRefused, match="already confirmed or corrected"):
        correct_clocking(review=flagged, actor=foreman, clocked_hours=Decimal("3"), reason="Late")


def test_the_foreman_corrects_the_time_with_a_reason(flagged, foreman):
    corrected = correct_clocking(review=flagged, actor=foreman, clocked_hours=Decimal("3.25"), reason=" Forgot to clock on ")
    assert (corrected.status, corrected.corrected_clocked, corrected.reason) == (
        Status.CORRECTED,
        timedelta(hours=3, minutes=15),
        "Forgot to clock on",
    )
    event = events(flagged).get(actor=foreman)
    assert event.changes["clocked"] == ["0:00:05", "3:15:00"]


@pytest.mark.parametrize(
    ("hours", "reason", "field"),
    [(Decimal("0"), "Forgot to clock on", "clocked_hours"), (Decimal("3"), "  ", "reason")],
)
def test_a_correction_without_a_time_or_a_reason_is_refused_naming_the_field(flagged, foreman, hours, reason, field):
    with pytest.raises(ClockingRefused) as refused:
        correct_clocking(review=flagged, actor=foreman, clocked_hours=hours, reason=reason)
    assert refused.value.field == field
    flagged.refresh_from_db()
    assert flagged.status == Status.PENDING


# --- the foreman's page ----------------------------------------------------------------


def test_the_dispatch_page_lists_the_flagged_sign_off_with_its_times(client, flagged, foreman, site):
    client.force_login(foreman)
    response = client.get(reverse("workshop:dispatch"), {"site": site.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-review="{flagged.pk}"' in page
    assert "Sold 3.50 h, clocked" in page and "<strong>0 min</strong>" in page
    assert reverse("workshop:clocking_confirm", args=[flagged.pk]) in page


def test_the_foreman_confirms_through_the_page(client, flagged, foreman, site):
    client.force_login(foreman)
    response = client.post(reverse("workshop:clocking_confirm", args=[flagged.pk]))
    assert response.status_code == 302 and response["Location"] == f"{reverse('workshop:dispatch')}?site={site.pk}"
    flagged.refresh_from_db()
    assert (flagged.status, flagged.decided_by) == (Status.CONFIRMED, foreman)
    page = client.get(response["Location"]).content.decode()
    assert "Clocked time confirmed" in page and f'data-review="{flagged.pk}"' not in page


def test_the_manager_corrects_through_the_page(client, flagged, manager):
    client.force_login(manager)
    response = client.post(reverse("workshop:clocking_correct", args=[flagged.pk]), {"clocked_hours": "3.5", "reason": "Clock app down"})
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert (flagged.status, flagged.corrected_clocked, flagged.decided_by) == (Status.CORRECTED, timedelta(hours=3, minutes=30), manager)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"clocked_hours": "", "reason": "Clock app down"}, "Real time spent (hours): This field is required."),
        (
            {"clocked_hours": "0", "reason": "Clock app down"},
            "Real time spent (hours): Ensure this value is greater than or equal to 0.01.",
        ),
        ({"clocked_hours": "3", "reason": ""}, "Reason for the correction: This field is required."),
    ],
)
def test_a_bad_correction_shows_the_page_again_naming_the_field(client, flagged, foreman, data, message):
    client.force_login(foreman)
    response = client.post(reverse("workshop:clocking_correct", args=[flagged.pk]), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert f'id="id_review{flagged.pk}_reason"' in page and 'aria-invalid="true"' in page
    flagged.refresh_from_db()
    assert flagged.status == Status.PENDING


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.SERVICE_ADVISOR, Role.QUALITY_CONTROLLER])
def test_only_the_foreman_and_the_manager_may_confirm_or_correct(client, flagged, site, role):
    client.force_login(UserFactory(roles=[role], site_list=[site]))
    assert client.post(reverse("workshop:clocking_confirm", args=[flagged.pk])).status_code == 403
    assert client.post(reverse("workshop:clocking_correct", args=[flagged.pk]), {"clocked_hours": "3", "reason": "x"}).status_code == 403
    flagged.refresh_from_db()
    assert flagged.status == Status.PENDING


def test_another_sites_foreman_cannot_reach_the_sign_off(client, flagged, other_site):
    client.force_login(UserFactory(roles=[Role.FOREMAN], site_list=[other_site]))
    assert client.post(reverse("workshop:clocking_confirm", args=[flagged.pk])).status_code == 404


def test_the_dispatch_page_reads_the_flagged_sign_offs_in_a_fixed_number_of_queries(
    client, flagged, foreman, site, django_assert_max_num_queries
):
    client.force_login(foreman)
    client.get(reverse("workshop:dispatch"), {"site": site.pk})
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("workshop:dispatch"), {"site": site.pk})
    for review in ClockingReview.objects.all():
        for number in range(3):
            twin = review.job
            twin.pk, twin.concern = None, f"Twin {number}"
            twin.save()
            ClockingReview.objects.create(
                job=twin, technician=review.technician, flagged_at=review.flagged_at, sold_hours=1, clocked=timedelta(seconds=1)
            )
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("workshop:dispatch"), {"site": site.pk}).content.decode()
    assert page.count('class="border rounded p-2 mb-2 clocking-review"') == 4
