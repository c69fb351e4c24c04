"""Thin Celery tasks: take ids, call a service."""

from celery import shared_task


@shared_task(ignore_result=True)
def send_message(message_id: int) -> None:
    from .services import deliver_message

    deliver_message(message_id=message_id)
