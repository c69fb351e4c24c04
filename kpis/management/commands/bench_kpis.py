"""Time the KPI dashboard on a dealer group of realistic size.

Loads (once) a bench group of ``--sites`` sites with ``--customers`` customers and ``--work-orders`` work orders over
the last two years, with what each KPI reads: appointments, outbox messages, jobs, clockings, attendance, quality
checks, status events, issued invoices and lines, approval requests, reminders, call tasks, complaints, web
requests and loaners. Rows go in by bulk inserts in batches. Then it aggregates the daily figures (the whole
history once, timed; ``--rebuild`` to time it again), times the 10-minute refresh, and prints the dashboard's
server time (every KPI read and its tile rendered) for one month of one site and for a year of the whole group, and
the monthly KPI PDF's render time and query count.
Use a database of its own: the data stays for the next run.
"""

import random
import statistics
import time
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.accounts.models import DealerGroup, Site, User
from aftersales.accounts.roles import Role
from aftersales.customers.models import Customer, LabourOperation, Vehicle
from aftersales.messaging.models import OutboxMessage
from appointments.models import Appointment, Loaner, LoanerReservation, WebRequest
from followup.models import CallTask, Concern, MaintenanceReminder
from invoicing.models import Invoice, InvoiceLine
from kpis.exports import monthly_pdf
from kpis.jobs import AHEAD
from kpis.models import FigureRefresh
from kpis.periods import PeriodKind, period_window
from kpis.queries import Scope
from kpis.rollup import first_record_day, rebuild
from kpis.selectors import dashboard
from workshop.models import (
    ApprovalRequest,
    AttendanceSpan,
    JobClocking,
    JobStatus,
    Payer,
    QualityCheck,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderJob,
)

GROUP = "Bench KPI group"
DAYS = 730
ADVISORS, TECHNICIANS, LOANERS = 5, 8, 4
RATE = Decimal("95.00")


class Command(BaseCommand):
    help = "Load a bench dealer group (once) and time the KPI dashboard for a month of one site and a year of the group."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--work-orders", type=int, default=1_000_000)
        parser.add_argument("--customers", type=int, default=500_000)
        parser.add_argument("--sites", type=int, default=10)
        parser.add_argument("--batch", type=int, default=10_000, help="work orders per batch of bulk inserts")
        parser.add_argument("--runs", type=int, default=5, help="timed runs per case (after one warm-up)")
        parser.add_argument("--seed", type=int, default=1010)
        parser.add_argument("--rebuild", dest="again", action="store_true", help="aggregate the whole history again, even if done before")

    def handle(self, *args, work_orders: int, customers: int, sites: int, batch: int, runs: int, seed: int, again: bool, **options) -> None:
        rng = random.Random(seed)
        self.today = timezone.localdate()
        group_sites = self._sites(sites)
        staff = {site.pk: self._staff(site) for site in group_sites}
        self._customers(group_sites, customers, rng)
        loaded = WorkOrder.objects.filter(site__in=group_sites).count()
        if loaded < work_orders:
            while loaded < work_orders:  # a batch opens fewer work orders than planned (cancelled bookings)
                self._work_orders(group_sites, staff, work_orders - loaded, batch, rng)
                loaded = WorkOrder.objects.filter(site__in=group_sites).count()
            self._attendance(group_sites, staff, rng)
        self._analyze()
        self._aggregate(group_sites, again=again)
        with timezone.override(group_sites[0].tz):
            self._time(group_sites, runs)

    # --- loading ---------------------------------------------------------------------------

    def _sites(self, count: int) -> list[Site]:
        group, _created = DealerGroup.objects.get_or_create(name=GROUP)
        made = []
        for index in range(count):
            site, _created = Site.objects.get_or_create(
                code=f"bench-kpi-{index}",
                defaults={
                    "group": group,
                    "name": f"Bench site {index}",
                    "address": "1 rue du Banc",
                    "postcode": "69000",
                    "city": "Lyon",
                    "country": "FR",
                    "time_zone": "Europe/Paris",
                    "language": "fr",
                    "currency": "EUR",
                    "vat_rate": Decimal("20"),
                    "labour_rate": RATE,
                    "invoice_prefix": f"BK{index}",
                },
            )
            made.append(site)
        return made

    def _staff(self, site: Site) -> dict:
        people = {}
        for role, count in ((Role.SERVICE_ADVISOR, ADVISORS), (Role.TECHNICIAN, TECHNICIANS)):
            users = []
            for index in range(count):
                user, created = User.objects.get_or_create(
                    username=f"{site.code}-{role}-{index}", defaults={"first_name": role.label, "last_name": str(index), "password": "!"}
                )
                if created:
                    user.sites.add(site)
                    user.groups.add(Group.objects.get(name=role.value))
                users.append(user.pk)
            people[role] = users
        people["loaners"] = [
            Loaner.objects.get_or_create(site=site, plate=f"LO-{index}", defaults={"description": "A1", "category": "city"})[0].pk
            for index in range(LOANERS)
        ]
        people["operations"] = [
            LabourOperation.objects.get_or_create(
                code=f"BK{index:03d}",
                defaults={
                    "description": f"Operation {index}",
                    "flat_rate_hours": Decimal(index % 4 + 1) / 2,
                    "skill": LabourOperation.Skill.MECHANICS,
                },
            )[0].pk
            for index in range(20)
        ]
        return people

    def _customers(self, sites: list[Site], count: int, rng: random.Random) -> None:
        have = Customer.objects.filter(site__in=sites).count()
        for start in range(have, count, 20_000):
            chunk = range(start, min(count, start + 20_000))
            with transaction.atomic():
                people = Customer.objects.bulk_create(
                    [
                        Customer(
                            site=sites[index % len(sites)],
                            last_name=f"Client{index}",
                            search_name=f"client{index}",
                            mobile=f"+33699{index:06d}",
                            language="fr",
                        )
                        for index in chunk
                    ]
                )
                Vehicle.objects.bulk_create(
                    [
                        Vehicle(
                            vin=f"BKV{person.pk:014d}", plate_key=f"BK{person.pk}", make="Audi", model="A3", energy="petrol", owner=person
                        )
                        for person in people
                    ]
                )
            self.stdout.write(f"customers: {chunk.stop}/{count}")

    def _when(self, rng: random.Random) -> datetime:
        day = self.today - timedelta(days=rng.randrange(1, DAYS))
        return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=rng.uniform(8, 17))

    def _work_orders(self, sites: list[Site], staff: dict, count: int, batch: int, rng: random.Random) -> None:
        vehicles = {site.pk: list(Vehicle.objects.filter(owner__site=site).values_list("pk", "owner_id")) for site in sites}
        sequence = WorkOrder.objects.filter(site__in=sites).aggregate(last=Max("sequence"))["last"] or 0
        done = 0
        while done < count:
            size = min(batch, count - done)
            with transaction.atomic():
                self._batch(sites, staff, vehicles, sequence + done, size, rng)
            done += size
            self.stdout.write(f"work orders: {done}/{count}")

    def _batch(self, sites, staff, vehicles, first: int, size: int, rng: random.Random) -> None:  # noqa: C901 (one batch, step by step)
        plans = []
        for offset in range(size):
            site = sites[rng.randrange(len(sites))]
            people = staff[site.pk]
            vehicle, customer = rng.choice(vehicles[site.pk])
            opened = self._when(rng)
            plans.append(
                {
                    "site": site,
                    "people": people,
                    "vehicle": vehicle,
                    "customer": customer,
                    "opened": opened,
                    "number": first + offset + 1,
                    "advisor": rng.choice(people[Role.SERVICE_ADVISOR]),
                    "booked": rng.random() < 0.8,
                }
            )
        appointments = []
        for plan in plans:
            lead = timedelta(days=rng.randrange(1, 30), hours=rng.randrange(0, 8))
            status = rng.choices([Appointment.Status.CONVERTED, Appointment.Status.NO_SHOW, Appointment.Status.CANCELLED], [90, 5, 5])[0]
            if plan["booked"] or status != Appointment.Status.CONVERTED:
                appointment = Appointment(
                    site=plan["site"],
                    customer_id=plan["customer"],
                    vehicle_id=plan["vehicle"],
                    advisor_id=plan["advisor"],
                    starts_at=plan["opened"],
                    handover_at=plan["opened"] + timedelta(hours=8),
                    workshop_day=plan["opened"].date(),
                    status=status if plan["booked"] else Appointment.Status.NO_SHOW,
                    channel=rng.choice(Appointment.BookingChannel.values),
                    origin=rng.choice(Appointment.Origin.values),
                    currency="EUR",
                    booked_by_id=plan["advisor"],
                    created_at=plan["opened"] - lead,
                )
                appointments.append(appointment)
                plan["appointment"] = appointment if appointment.status == Appointment.Status.CONVERTED else None
        Appointment.objects.bulk_create(appointments)
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    idempotency_key=f"{template}:{appointment.pk}",
                    customer_id=appointment.customer_id,
                    site=appointment.site,
                    channel="sms",
                    purpose="service",
                    template_key=template,
                    language="fr",
                    due_at=moment,
                    created_at=moment,
                    status=OutboxMessage.Status.DELIVERED,
                    sent_at=moment + timedelta(minutes=rng.randrange(1, 60)),
                )
                for appointment in appointments
                for template, moment in (
                    ("booking_confirmation", appointment.created_at),
                    ("booking_reminder_24h", appointment.starts_at - timedelta(days=1)),
                )
            ]
        )
        orders = WorkOrder.objects.bulk_create(
            [
                WorkOrder(
                    site=plan["site"],
                    year=plan["opened"].year,
                    sequence=plan["number"],
                    number=f"{plan['site'].code}-{plan['number']}",
                    status=WorkOrder.Status.READY,
                    appointment=plan.get("appointment"),
                    customer_id=plan["customer"],
                    vehicle_id=plan["vehicle"],
                    advisor_id=plan["advisor"],
                    created_at=plan["opened"],
                    currency="EUR",
                )
                for plan in plans
                if plan["booked"] is False or plan.get("appointment") is not None
            ]
        )
        jobs, events, checks, requests, invoices = [], [], [], [], []
        for order in orders:
            people = staff[order.site_id]
            technician = rng.choice(people[Role.TECHNICIAN])
            order_jobs = []
            for _job in range(rng.choice((1, 1, 2))):
                hours = Decimal(rng.randrange(1, 8)) / 2
                order_jobs.append(
                    WorkOrderJob(
                        work_order=order,
                        operation_id=rng.choice(people["operations"]),
                        concern="service",
                        skill="mechanics",
                        flat_rate_hours=hours,
                        labour_price=hours * RATE,
                        payer=Payer.CUSTOMER,
                        status=JobStatus.DONE,
                        technician_id=technician,
                        done_by_id=technician,
                        done_at=order.created_at + timedelta(hours=3),
                        added_at=order.created_at,
                    )
                )
            jobs += order_jobs
            events += [
                WorkOrderEvent(work_order=order, to_status=status, at=order.created_at + timedelta(hours=hours))
                for status, hours in (("checked_in", 0), ("in_workshop", 1), ("quality_check", 4), ("ready", 5))
            ]
            if rng.random() < 0.05:
                checks.append(
                    QualityCheck(
                        work_order=order,
                        inspector_id=technician,
                        checked_at=order.created_at + timedelta(hours=4),
                        passed=False,
                        fail_reason="rework",
                    )
                )
            checks.append(
                QualityCheck(work_order=order, inspector_id=technician, checked_at=order.created_at + timedelta(hours=5), passed=True)
            )
            if rng.random() < 0.3:
                requests.append(
                    ApprovalRequest(
                        work_order=order,
                        sent_by_id=order.advisor_id,
                        sent_at=order.created_at + timedelta(hours=2),
                        first_viewed_at=order.created_at + timedelta(hours=2, minutes=20) if rng.random() < 0.7 else None,
                    )
                )
            invoices.append(
                Invoice(
                    site=order.site,
                    work_order=order,
                    payer=rng.choice(Payer.values),
                    bill_to="bench",
                    customer_id=order.customer_id,
                    vehicle_id=order.vehicle_id,
                    currency="EUR",
                    created_by_id=order.advisor_id,
                    year=order.year,
                    sequence=order.sequence,
                    number=f"{order.site.invoice_prefix}-{order.year}-{order.sequence}",
                    issued_at=order.created_at + timedelta(hours=6),
                    issued_on=order.created_at.date(),
                    hash=f"{order.pk:064d}",
                    net_total=sum((job.labour_price for job in order_jobs), Decimal("0")),
                )
            )
        WorkOrderJob.objects.bulk_create(jobs)
        JobClocking.objects.bulk_create(
            [
                JobClocking(
                    technician_id=job.technician_id,
                    job=job,
                    started_at=job.added_at + timedelta(hours=1),
                    ended_at=job.added_at + timedelta(hours=1) + timedelta(hours=float(job.flat_rate_hours) * rng.uniform(0.7, 1.3)),
                )
                for job in jobs
            ]
        )
        WorkOrderEvent.objects.bulk_create(events)
        QualityCheck.objects.bulk_create(checks)
        ApprovalRequest.objects.bulk_create(requests)
        Invoice.objects.bulk_create(invoices)
        labour = {}
        for job in jobs:
            labour.setdefault(job.work_order_id, []).append(job)
        lines = []
        for document in invoices:
            for job in labour.get(document.work_order_id, []):
                estimate = job.labour_price if rng.random() < 0.8 else job.labour_price * Decimal("0.9")
                lines.append(
                    InvoiceLine(
                        invoice=document,
                        kind=InvoiceLine.Kind.LABOUR,
                        job=job,
                        description="labour",
                        quantity=job.flat_rate_hours,
                        unit_price=RATE,
                        vat_rate=Decimal("20"),
                        net=job.labour_price,
                        vat=job.labour_price / 5,
                        expected_net=estimate.quantize(Decimal("0.01")),
                    )
                )
        InvoiceLine.objects.bulk_create(lines)
        Invoice.objects.filter(pk__in=[document.pk for document in invoices]).update(status=Invoice.Status.ISSUED)
        self._follow_up(orders, staff, rng)

    def _follow_up(self, orders: list[WorkOrder], staff: dict, rng: random.Random) -> None:
        reminders, tasks, concerns, requests, loans = [], [], [], [], []
        for order in orders:
            moment = order.created_at
            if rng.random() < 0.6:
                reminders.append(
                    MaintenanceReminder(
                        vehicle_id=order.vehicle_id,
                        customer_id=order.customer_id,
                        site=order.site,
                        target=f"{order.pk}",
                        touch="d30",
                        basis="date",
                        due_on=moment.date(),
                        sent_at=moment - timedelta(days=20),
                    )
                )
            if rng.random() < 0.5:
                tasks.append(
                    CallTask(
                        site=order.site,
                        customer_id=order.customer_id,
                        kind=CallTask.Kind.CALLBACK,
                        reason="7 days",
                        key=f"bench-callback:{order.pk}",
                        due_at=moment + timedelta(days=7),
                        created_at=moment + timedelta(days=1),
                        status=CallTask.Status.DONE,
                        closed_at=moment + timedelta(days=rng.randrange(1, 12)),
                    )
                )
            if rng.random() < 0.02:
                concerns.append(
                    Concern(
                        site=order.site,
                        customer_id=order.customer_id,
                        kind=Concern.Kind.COMPLAINT,
                        channel="call",
                        summary="bench",
                        owner_id=order.advisor_id,
                        received_at=moment + timedelta(days=2),
                        answered_at=moment + timedelta(days=2, hours=rng.randrange(1, 48)),
                        created_by_id=order.advisor_id,
                    )
                )
            if rng.random() < 0.05:
                requests.append(
                    WebRequest(
                        site=order.site,
                        channel="web",
                        name="bench",
                        mobile="+33600000000",
                        language="fr",
                        message="?",
                        received_at=moment,
                        due_at=moment + timedelta(hours=2),
                        answered_at=moment + timedelta(hours=rng.randrange(0, 4)),
                    )
                )
            if order.appointment_id and rng.random() < 0.1:
                loans.append(
                    LoanerReservation(
                        loaner_id=rng.choice(staff[order.site_id]["loaners"]),
                        appointment_id=order.appointment_id,
                        starts_at=moment,
                        ends_at=moment + timedelta(hours=9),
                    )
                )
        MaintenanceReminder.objects.bulk_create(reminders, ignore_conflicts=True)
        CallTask.objects.bulk_create(tasks)
        Concern.objects.bulk_create(concerns)
        WebRequest.objects.bulk_create(requests)
        LoanerReservation.objects.bulk_create(loans, ignore_conflicts=True)  # PostgreSQL refuses overlaps: those are skipped

    def _attendance(self, sites: list[Site], staff: dict, rng: random.Random) -> None:
        AttendanceSpan.objects.filter(site__in=sites).delete()
        spans = []
        for site in sites:
            for technician in staff[site.pk][Role.TECHNICIAN]:
                for back in range(1, DAYS):
                    day = self.today - timedelta(days=back)
                    if day.weekday() >= 5:
                        continue
                    start = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=8)
                    spans.append(
                        AttendanceSpan(
                            technician_id=technician, site=site, kind="day", started_at=start, ended_at=start + timedelta(hours=9)
                        )
                    )
                    spans.append(
                        AttendanceSpan(
                            technician_id=technician,
                            site=site,
                            kind="break",
                            started_at=start + timedelta(hours=4),
                            ended_at=start + timedelta(hours=5),
                        )
                    )
        AttendanceSpan.objects.bulk_create(spans, batch_size=10_000)

    def _analyze(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    # --- timing ------------------------------------------------------------------------------

    def _aggregate(self, sites: list[Site], again: bool) -> None:
        now = timezone.now()
        if again or FigureRefresh.objects.filter(site__in=sites).count() < len(sites):
            started = time.perf_counter()
            made = rebuild(sites=sites, start=first_record_day(sites), end=self.today + AHEAD, now=now)
            self.stdout.write(f"whole history aggregated: {made} daily figures in {time.perf_counter() - started:.1f} s")
            self._analyze()
        started = time.perf_counter()
        made = rebuild(sites=sites, start=self.today - timedelta(days=2), end=self.today + AHEAD, now=now, snapshots=False)
        self.stdout.write(
            f"10-minute refresh (2 days back, {AHEAD.days} ahead, as kpi_figures_today): {made} daily figures "
            f"in {time.perf_counter() - started:.1f} s"
        )

    def _time(self, sites: list[Site], runs: int) -> None:
        last_month = self.today.replace(day=1) - timedelta(days=1)
        cases = [
            ("month of one site", Scope((sites[0].pk,)), period_window(PeriodKind.MONTH, last_month)),
            (
                "year of the whole group",
                Scope(tuple(site.pk for site in sites)),
                period_window(PeriodKind.CUSTOM, self.today - timedelta(days=365), self.today - timedelta(days=1)),
            ),
        ]
        self.stdout.write(
            f"data: {WorkOrder.objects.filter(site__in=sites).count()} work orders, "
            f"{Customer.objects.filter(site__in=sites).count()} customers, {len(sites)} sites, {connection.vendor}"
        )
        for label, scope, window in cases:
            timings = []
            for run in range(runs + 1):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    tiles = dashboard(scope=scope, window=window)
                    for tile in tiles:
                        render_to_string("kpis/_tile.html", {"tile": tile, "currency": "EUR", "link": True, "query": ""})
                    elapsed = time.perf_counter() - started
                if run:
                    timings.append(elapsed)
            sql = sum(float(query["time"]) for query in queries.captured_queries)
            self.stdout.write(
                f"{label}: median {statistics.median(timings) * 1000:.0f} ms, worst {max(timings) * 1000:.0f} ms, "
                f"{len(queries)} queries taking {sql * 1000:.0f} ms of the last run"
            )
        self._time_pdf(sites[0], cases[0][1], cases[0][2], runs)

    def _time_pdf(self, site: Site, scope: Scope, window, runs: int) -> None:
        """The monthly KPI PDF of one site (figures read, template rendered, WeasyPrint layout), as the report view."""
        timings = []
        for run in range(runs + 1):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                pdf = monthly_pdf(
                    scope=scope,
                    window=window,
                    sites=[site],
                    currency=site.currency,
                    language="en",
                    time_zone=timezone.get_current_timezone(),
                )
                elapsed = time.perf_counter() - started
            if run:
                timings.append(elapsed)
        self.stdout.write(
            f"monthly KPI PDF of one site: median {statistics.median(timings) * 1000:.0f} ms, worst {max(timings) * 1000:.0f} ms, "
            f"{len(queries)} queries, {len(pdf) // 1024} KiB"
        )
