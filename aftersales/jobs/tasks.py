"""The one Celery task beat runs every timed job through, with the job's name."""

from celery import shared_task
from django.utils import timezone

from .registry import run_job

# The task's name before the registry left messaging: beat entries and queued messages of a running deployment.
FORMER_TASK_NAME = "aftersales.messaging.tasks.run_timed_job"


@shared_task(ignore_result=True)
def run_timed_job(name: str) -> int:
    return run_job(name, now=timezone.now())


@shared_task(name=FORMER_TASK_NAME, ignore_result=True)
def run_timed_job_by_its_former_name(name: str) -> int:
    return run_timed_job(name)
