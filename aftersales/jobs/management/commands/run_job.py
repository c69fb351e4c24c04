"""Run one timed job for a given moment: ``manage.py run_job sweep_outbox --now 2026-11-23T08:00``."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.jobs.registry import JOBS, UnknownJob, run_job


def parse_moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now: {value!r} is not an ISO date and time such as 2026-11-23T08:00") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, timezone.get_default_timezone())


class Command(BaseCommand):
    help = "Run a registered timed job as if it were the given moment (default: now)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Job name; --list shows them.", nargs="?")
        parser.add_argument("--now", help="ISO date and time, UTC unless an offset is given.")
        parser.add_argument("--list", action="store_true", dest="list_jobs", help="List the registered jobs.")

    def handle(self, *args, name=None, now=None, list_jobs=False, **options):
        if list_jobs or not name:
            for job_name in sorted(JOBS):
                self.stdout.write(job_name)
            return
        moment = parse_moment(now) if now else timezone.now()
        try:
            count = run_job(name, now=moment)
        except UnknownJob:
            raise CommandError(f"No timed job is named {name!r}; known: {', '.join(sorted(JOBS))}") from None
        self.stdout.write(f"{name} at {moment.isoformat()}: {count}")
