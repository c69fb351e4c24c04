"""Messaging's timed jobs (see aftersales.jobs.registry for the contract)."""

from datetime import datetime

from aftersales.jobs.registry import register_job

from . import services
from .retention import purge_message_bodies


@register_job("sweep_outbox")
def run_sweep_outbox(*, now: datetime) -> int:
    return services.sweep_outbox(now=now)


@register_job("purge_message_bodies")
def run_purge_message_bodies(*, now: datetime) -> int:
    return purge_message_bodies(now=now)
