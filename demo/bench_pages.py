"""Staff pages against the same-run reference (``manage.py bench_pages``).

gunicorn serves the project with the Procfile's web settings on a free loopback port, the reference
page turned on (``aftersales.bench``: 25 rows in one query, a tiny template). wrk loads each page for
a fixed time, the reference just before and just after it, so that a page and its reference share
the machine's noise: a page's throughput is given as a ratio to the mean of those two reference
runs. The CPU time of the gunicorn processes (master and workers) during a run, divided by the
requests served, is the CPU cost of one request. The queries of a page are counted once, in this
process, with the test client signed in as the same demo user.
"""

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from urllib.parse import urlencode

import psutil
import requests
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from aftersales.accounts.models import Site, User
from aftersales.accounts.two_factor import mark_verified
from aftersales.customers.models import Customer, Vehicle
from appointments.models import Appointment
from workshop.models import WorkOrder

DEMO_SITE = "audi-lyon"
WRK_THREADS = 2
STARTUP_SECONDS = 60
WARM_UP_REQUESTS = 3  # per gunicorn thread: every worker has compiled the page's templates before it is timed
REFERENCE = "Reference page (25 rows, 1 query)"
# Transaction control (ATOMIC_REQUESTS wraps every page alike; a test's transaction adds savepoints) is not counted.
TRANSACTION_CONTROL = re.compile(r"(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b")


class BenchError(Exception):
    pass


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    username: str = ""  # empty: a public page, read without logging in


@dataclass(frozen=True)
class Run:
    """One wrk run against one page."""

    requests: int
    per_second: float
    errors: int  # answers other than 2xx/3xx, and socket errors
    cpu_seconds: float  # of the gunicorn processes during the run


@dataclass(frozen=True)
class Row:
    name: str
    ratio: float
    queries: int
    cpu_ms: float
    per_second: float
    errors: int


def demo_pages() -> list[Page]:
    """The main screens as the demo's Lyon staff open them, on the work order with the most jobs and its customer."""
    site = Site.objects.filter(code=DEMO_SITE).first()
    order = WorkOrder.objects.filter(site=site).annotate(lines=Count("jobs")).order_by("-lines", "pk").select_related("customer").first()
    if order is None:
        raise BenchError(f"no work order at the demo site {DEMO_SITE}: run `manage.py load_demo_data` first")
    customer = order.customer
    return [
        Page("KPI dashboard", reverse("kpis:dashboard"), "manager.lyon"),
        Page("Work order", reverse("workshop:detail", args=[order.pk]), "advisor.lyon"),
        Page("Reception day board", reverse("workshop:board"), "advisor.lyon"),
        Page("Booking desk with a vehicle", f"{reverse('appointments:desk')}?vehicle={order.vehicle_id}", "advisor.lyon"),
        Page("Customer 360", reverse("customers:detail", args=[customer.pk]), "advisor.lyon"),
        Page("My jobs (technician)", reverse("workshop:my_jobs"), "tech1.lyon"),
        Page("Dispatch board", reverse("workshop:dispatch"), "foreman.lyon"),
        Page("Invoicing desk", reverse("invoicing:desk"), "cashier.lyon"),
        Page("Customer search", f"{reverse('customers:search')}?{urlencode({'q': customer.last_name})}", "advisor.lyon"),
        Page("Online booking (public)", reverse("online:book", args=[site.code])),
        Page("Diary", reverse("appointments:diary"), "advisor.lyon"),
        Page("Work-order list", reverse("workshop:list"), "advisor.lyon"),
        Page("Call list", reverse("followup:call_list"), "advisor.lyon"),
    ]


def select_pages(pages: list[Page], words: list[str]) -> list[Page]:
    """The pages whose name holds one of the words (any case); all of them without words."""
    if not words:
        return pages
    return [page for page in pages if any(word.lower() in page.name.lower() for word in words)]


def scale() -> dict[str, int]:
    return {
        "work orders": WorkOrder.objects.count(),
        "appointments": Appointment.objects.count(),
        "vehicles": Vehicle.objects.count(),
        "customers": Customer.objects.count(),
    }


# --- The server ------------------------------------------------------------------


def procfile_web_command(procfile: str, environ: dict[str, str]) -> list[str]:
    """The Procfile's web command, its ``${NAME:-default}`` filled from the environment."""
    line = next((line for line in procfile.splitlines() if line.startswith("web:")), None)
    if line is None:
        raise BenchError("the Procfile has no web: line")
    filled = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda match: environ.get(match[1]) or match[2], line.removeprefix("web:"))
    return shlex.split(filled)


def on_port(command: list[str], port: int) -> list[str]:
    """The command bound to 127.0.0.1:port, its executable taken from this virtualenv when it is there."""
    executable = shutil.which(command[0], path=str(Path(sys.executable).parent)) or command[0]
    arguments = command[1:]
    if "--bind" in arguments:
        at = arguments.index("--bind")
        arguments = [*arguments[:at], *arguments[at + 2 :]]
    return [executable, *arguments, "--bind", f"127.0.0.1:{port}"]


def option(command: list[str], name: str, default: int) -> int:
    return int(command[command.index(name) + 1]) if name in command else default


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(command: list[str], log: Path) -> Iterator[psutil.Process]:
    """gunicorn running the reference page until the block ends; its error log in ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as errors:
        server = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env={**os.environ, "BENCH_REFERENCE_PAGE": "true"}, stdout=subprocess.DEVNULL, stderr=errors
        )
        try:
            yield psutil.Process(server.pid)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_until_up(base: str, server: psutil.Process, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if not server.is_running() or server.status() == psutil.STATUS_ZOMBIE:
            raise BenchError(f"gunicorn stopped at start-up, see {log}")
        try:
            if requests.get(base + reverse("bench:reference"), timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise BenchError(f"gunicorn did not serve the reference page within {STARTUP_SECONDS} s, see {log}")


def cpu_seconds(server: psutil.Process) -> float:
    total = 0.0
    for process in [server, *server.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


# --- Logins and queries ------------------------------------------------------------


def signed_in(username: str) -> Client:
    """A test client logged in as the user, second factor passed (as the test client's logins do in conftest.py).

    Its session is in the database, so its cookie also opens the pages on gunicorn; nothing of the user's
    (password, authenticator) is changed.
    """
    client = Client(SERVER_NAME="127.0.0.1")
    if username:
        user = User.objects.get(username=username)
        with override_settings(AXES_ENABLED=False):  # no lockout bookkeeping nor log lines: no login form here
            client.force_login(user)
        session = client.session
        mark_verified(session, user)
        session.save()
    return client


def session_cookie(client: Client) -> str:
    morsel = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return f"{settings.SESSION_COOKIE_NAME}={morsel.value}" if morsel else ""


def count_queries(client: Client, page: Page) -> int:
    """The page's queries on a second visit (the first may fill caches), transaction control left out."""
    client.get(page.path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.path)
    if response.status_code != 200:
        raise BenchError(f"{page.name}: {page.path} answered {response.status_code} to {page.username or 'a visitor'}")
    return len([query for query in queries if not TRANSACTION_CONTROL.match(query["sql"])])


def warm_up(base: str, page: Page, cookie: str, count: int) -> None:
    """Open the page on gunicorn until every thread has served it; anything but 200 (a redirect to the login) stops."""
    for _ in range(count):
        answer = requests.get(base + page.path, headers={"Cookie": cookie} if cookie else {}, allow_redirects=False, timeout=60)
        if answer.status_code != 200:
            raise BenchError(f"{page.name}: gunicorn answered {answer.status_code} for {page.path}")


# --- Load ---------------------------------------------------------------------------


def parse_wrk(output: str) -> tuple[int, float, int]:
    """(requests, requests per second, errors) from wrk's report."""
    served = re.search(r"(\d+) requests in", output)
    per_second = re.search(r"Requests/sec:\s*([\d.]+)", output)
    if served is None or per_second is None:
        raise BenchError(f"unexpected wrk output:\n{output}")
    errors = sum(int(count) for count in re.findall(r"(?:Non-2xx or 3xx responses|connect|read|write|timeout):? (\d+)", output))
    return int(served[1]), float(per_second[1]), errors


def load(url: str, cookie: str, *, seconds: float, connections: int, server: psutil.Process) -> Run:
    command = ["wrk", f"-t{min(WRK_THREADS, connections)}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "30s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    before = cpu_seconds(server)
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    used = cpu_seconds(server) - before
    served, per_second, errors = parse_wrk(output)
    return Run(requests=served, per_second=per_second, errors=errors, cpu_seconds=used)


def interleaved(measure, pages: list[Page]) -> tuple[list[Run], list[tuple[Page, Run]]]:
    """The reference, then each page followed by the reference again: page i sits between reference runs i and i+1."""
    references = [measure(None)]
    runs = []
    for page in pages:
        runs.append((page, measure(page)))
        references.append(measure(None))
    return references, runs


def rows(references: list[Run], runs: list[tuple[Page, Run]], queries: dict[str, int]) -> list[Row]:
    """The reference's row (all its runs together), then a row per page against the two reference runs around it."""
    table = [_row(REFERENCE, references, queries[REFERENCE], ratio=1.0)]
    for index, (page, run) in enumerate(runs):
        around = mean(reference.per_second for reference in references[index : index + 2])
        table.append(_row(page.name, [run], queries[page.name], ratio=run.per_second / around if around else 0.0))
    return table


def _row(name: str, runs: list[Run], queries: int, *, ratio: float) -> Row:
    served = sum(run.requests for run in runs)
    return Row(
        name=name,
        ratio=ratio,
        queries=queries,
        cpu_ms=1000 * sum(run.cpu_seconds for run in runs) / served if served else 0.0,
        per_second=mean(run.per_second for run in runs),
        errors=sum(run.errors for run in runs),
    )


def markdown_table(table: list[Row]) -> str:
    lines = ["| page | ratio to reference | queries | CPU ms/request | req/s |", "|---|---|---|---|---|"]
    for row in table:
        errors = f" ({row.errors} errors)" if row.errors else ""
        lines.append(f"| {row.name}{errors} | {row.ratio:.2f}× | {row.queries} | {row.cpu_ms:.1f} | {row.per_second:.1f} |")
    return "\n".join(lines)


# --- The whole bench -------------------------------------------------------------------


def bench(pages: list[Page], *, seconds: float, write) -> None:
    """Serve, sign in, count, load each page between two reference runs, and write the table."""
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed (apt-get install wrk)")
    web = procfile_web_command((Path(settings.BASE_DIR) / "Procfile").read_text(encoding="utf-8"), dict(os.environ))
    command = on_port(web, free_port())
    connections = option(web, "--workers", 1) * option(web, "--threads", 1)
    reference = Page(REFERENCE, reverse("bench:reference"))
    log = Path(settings.DATA_DIR) / "bench_pages" / "gunicorn-errors.log"
    write(f"Load average (1, 5, 15 min): {_load_average()}")
    write("Scale: " + ", ".join(f"{count:,} {label}" for label, count in scale().items()) + f" ({connection.vendor})")
    write(f"Server: {shlex.join(command[1:])} (DEBUG {'on' if settings.DEBUG else 'off'})")
    write(f"Client: wrk, {connections} connections, {seconds:g} s per run, the reference before and after each page\n")
    clients = {username: signed_in(username) for username in {"", *(page.username for page in pages)}}
    with override_settings(BENCH_REFERENCE_PAGE=True):
        queries = {page.name: count_queries(clients[page.username], page) for page in [reference, *pages]}
    with serving(command, log) as server:
        base = f"http://{command[-1]}"
        wait_until_up(base, server, log)
        for page in [reference, *pages]:
            warm_up(base, page, session_cookie(clients[page.username]), WARM_UP_REQUESTS * connections)

        def measure(page: Page | None) -> Run:
            page = page or reference
            run = load(base + page.path, session_cookie(clients[page.username]), seconds=seconds, connections=connections, server=server)
            write(f"  {page.name}: {run.per_second:.1f} req/s")
            return run

        references, runs = interleaved(measure, pages)
    write("\n" + markdown_table(rows(references, runs, queries)))
    write(f"\nLoad average at the end: {_load_average()}")


def _load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())
