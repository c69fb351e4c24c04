"""Thin Celery tasks: take ids, call a service."""

from celery import shared_task
from django.utils import timezone


@shared_task(ignore_result=True)
def send_message(message_id: int) -> None:
    from .services import deliver_message

    deliver_message(message_id=message_id)


@shared_task(ignore_result=True)
def run_timed_job(name: str) -> int:
    from .jobs import run_job

    return run_job(name, now=timezone.now())
