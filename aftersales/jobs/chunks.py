"""Timed jobs over many rows: chunks of a constant number of queries, each in its own transaction.

Each chunk commits on its own, so a job stopped part-way (its time budget
spent, Celery's soft time limit, a killed worker) keeps what it did. Run
again, it selects the rows still due, and the idempotency keys of what it
writes skip those already done: nothing is sent twice.

Under Celery a job runs within ``JOB_BUDGET`` seconds, well inside the task's
time limits: when the budget is spent between two chunks, ``JobUnfinished``
stops it and ``run_timed_job`` queues it again at once, to go on where it
stopped. Outside Celery (``manage.py run_job``) there is no budget.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from time import monotonic

from django.db import transaction
from django.db.models import QuerySet

JOB_BUDGET = 60.0  # seconds: CELERY_TASK_SOFT_TIME_LIMIT is 90, the hard limit 120
CHUNK_SIZE = 1000

_deadline: ContextVar[float | None] = ContextVar("job_deadline", default=None)


class JobUnfinished(Exception):
    """The job's time budget was spent between two chunks; what is done is committed."""

    def __init__(self, done: int):
        super().__init__(f"time budget spent after {done}")
        self.done = done


@contextmanager
def time_budget(seconds: float):
    token = _deadline.set(monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def chunk_done(done: int) -> None:
    """Called after each committed chunk with the job's running total (a hook: tests cut jobs off here)."""


def run_in_chunks(chunks: Iterable, process: Callable[..., int]) -> int:
    """``process`` each chunk in its own transaction; how many things were done in all."""
    done = 0
    for chunk in chunks:
        with transaction.atomic():
            done += process(chunk)
        chunk_done(done)
        deadline = _deadline.get()
        if deadline is not None and monotonic() > deadline:
            raise JobUnfinished(done)
    return done


def by_key(queryset: QuerySet, size: int | None = None) -> Iterator[list]:
    """The queryset's rows in primary-key order, ``size`` (default ``CHUNK_SIZE``) at a time, each chunk read when
    it is reached."""
    size = size or CHUNK_SIZE
    last = None
    while True:
        rows = list((queryset if last is None else queryset.filter(pk__gt=last)).order_by("pk")[:size])
        if not rows:
            return
        yield rows
        last = rows[-1].pk
