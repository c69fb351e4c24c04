"""The technician's screen reads the same number of queries with one job or ten, and the catalogue once."""

import copy

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.tests.factories import LabourOperationFactory
from workshop.models import Bay, JobStatus, WorkOrderJob
from workshop.services import assign_job

MY_JOBS_QUERIES = 16


@pytest.fixture
def assigned(in_workshop, mechanic, foreman, site):
    bay = Bay.objects.create(site=site, name="Lift 1")
    return assign_job(job=in_workshop.jobs.get(), technician=mechanic, bay=bay, actor=foreman)


def copies_of(job, count):
    rows = []
    for index in range(count):
        row = copy.copy(job)
        row.pk = None
        row.concern = f"Extra job {index}"
        rows.append(row)
    WorkOrderJob.objects.bulk_create(rows)


@pytest.mark.parametrize("scale", [1, 10])
def test_my_jobs_keeps_its_query_count_at_ten_times_the_jobs(client, mechanic, assigned, scale, django_assert_max_num_queries):
    copies_of(assigned, scale - 1)
    LabourOperationFactory.create_batch(5 * scale)
    client.force_login(mechanic)

    with django_assert_max_num_queries(MY_JOBS_QUERIES):
        page = client.get(reverse("workshop:my_jobs"))

    assert page.status_code == 200
    assert page.text.count('name="concern"') == scale


def test_signed_off_jobs_are_listed_compactly_without_forms(client, mechanic, assigned):
    copies_of(assigned, 3)
    WorkOrderJob.objects.filter(concern__in=["Extra job 0", "Extra job 1"]).update(
        status=JobStatus.DONE, done_by=mechanic, done_at=timezone.now()
    )
    client.force_login(mechanic)
    page = client.get(reverse("workshop:my_jobs")).text
    assert page.count('name="concern"') == 2 and page.count('class="list-group-item my-job-done"') == 2
    assert "2 jobs signed off" in page
