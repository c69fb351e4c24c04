from django.core.management.base import BaseCommand, CommandError

from demo.bench_pages import BenchError, bench, demo_pages, select_pages


class Command(BaseCommand):
    help = (
        "Serve the project with gunicorn (the Procfile's web settings, 127.0.0.1, a free port) and load each main staff "
        "page with wrk between two runs of a trivial reference page: its throughput as a ratio to the reference, "
        "its queries and the server's CPU ms per request. Needs the demo data (load_demo_data) and wrk."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=5.0, help="Length of each run, in seconds (default 5).")
        parser.add_argument("--pages", nargs="+", default=[], metavar="WORD", help="Only the pages whose name holds one of these words.")

    def handle(self, *args, seconds, pages, **options):
        if seconds <= 0:
            raise CommandError("--seconds: give a length above 0.")
        try:
            chosen = select_pages(demo_pages(), pages)
            if not chosen:
                raise CommandError(f"--pages: no page name holds {' or '.join(pages)}.")
            bench(chosen, seconds=seconds, write=self.stdout.write)
        except BenchError as error:
            raise CommandError(str(error)) from error
