"""Thin Celery tasks: take ids, call a service."""

from celery import shared_task

from .notifications import deliver_staff_email


@shared_task(ignore_result=True)
def send_staff_email(*, site_id: int, recipient_ids: list[int], subject: list, lines: list[list], link: str) -> None:
    deliver_staff_email(site_id=site_id, recipient_ids=recipient_ids, subject=subject, lines=lines, link=link)
