"""Timed jobs: plain functions run by Celery beat or by ``manage.py run_job``.

A job is ``def run_<name>(*, now: datetime) -> int`` (how many things it did)
registered with ``@register_job("<name>")`` in a ``jobs.py`` module of any
installed app (found at start-up, see ``aftersales.jobs.apps``). It must be
idempotent: run twice for the same moment, it creates nothing new. Beat calls
it through the ``aftersales.jobs.tasks.run_timed_job`` task with the job's
name; add the schedule entry to ``CELERY_BEAT_SCHEDULE`` with a comment naming
the rule. A job over many rows goes in chunks (``aftersales.jobs.chunks``): it
then fits Celery's time limits and, cut off part-way, goes on where it stopped.
"""

from collections.abc import Callable
from datetime import datetime

JOBS: dict[str, Callable[..., int]] = {}


class UnknownJob(KeyError):
    pass


def register_job(name: str):
    def decorator(function: Callable[..., int]) -> Callable[..., int]:
        if JOBS.get(name, function) is not function:
            raise ValueError(f"Two timed jobs are named {name!r}")
        JOBS[name] = function
        return function

    return decorator


def run_job(name: str, *, now: datetime) -> int:
    try:
        job = JOBS[name]
    except KeyError:
        raise UnknownJob(name) from None
    return job(now=now)
