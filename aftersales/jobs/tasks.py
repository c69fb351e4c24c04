"""The one Celery task beat runs every timed job through, with the job's name."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from .chunks import JOB_BUDGET, JobUnfinished, time_budget
from .registry import run_job

logger = logging.getLogger(__name__)

# The task's name before the registry left messaging: beat entries and queued messages of a running deployment.
FORMER_TASK_NAME = "aftersales.messaging.tasks.run_timed_job"


@shared_task(ignore_result=True)
def run_timed_job(name: str) -> int:
    """Run the job within its time budget; cut off (budget spent, soft time limit), queue it again to go on."""
    try:
        with time_budget(JOB_BUDGET):
            return run_job(name, now=timezone.now())
    except (JobUnfinished, SoftTimeLimitExceeded) as stopped:
        logger.info("Timed job %s stopped part-way (%s): queued again to go on", name, stopped)
        run_timed_job.delay(name)
        return getattr(stopped, "done", 0)


@shared_task(name=FORMER_TASK_NAME, ignore_result=True)
def run_timed_job_by_its_former_name(name: str) -> int:
    return run_timed_job(name)
