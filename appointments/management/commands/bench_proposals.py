"""Time ``propose()`` on a site with 12 advisors whose next 4 weeks are full.

Builds the site in one transaction (bulk inserts), measures, then rolls it
all back: the database is left as it was. Target (issue 4): under 100 ms of
server time with a fixed number of queries.
"""

import statistics
import time as clock
import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.accounts.models import DealerGroup, OpeningHours, Site, User
from aftersales.accounts.roles import Role
from aftersales.customers.models import Customer, Vehicle
from appointments.models import (
    AdvisorSchedule,
    Appointment,
    AppointmentJob,
    SlotReservation,
    TechnicianAttendance,
    TechnicianProfile,
)
from appointments.slots import JobRequest, propose

ADVISORS = 12
TECHNICIANS = 10
WEEKS = 4


class Command(BaseCommand):
    help = "Benchmark appointment proposals on a site with 12 advisors and 4 full weeks (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30)

    def handle(self, *args, runs, **options):
        with transaction.atomic():
            site, now = self.build_full_site()
            jobs = [JobRequest(description="Service", skill="mechanics", flat_rate_hours=Decimal("1.5"))]
            for label, extra in (("normal", {}), ("urgent", {"urgent": True}), ("loaner + waiting", {"needs_loaner": True, "waits": True})):
                self.measure(label, site=site, jobs=jobs, now=now, runs=runs, **extra)
            transaction.set_rollback(True)

    def measure(self, label, *, runs, **arguments):
        timings, cpu_timings, query_counts = [], [], set()
        for _run in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started, cpu_started = clock.perf_counter(), clock.process_time()
                result = propose(**arguments)
                timings.append((clock.perf_counter() - started) * 1000)
                cpu_timings.append((clock.process_time() - cpu_started) * 1000)
            query_counts.add(len(queries))
        self.stdout.write(
            f"propose [{label}]: median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms over {runs} runs "
            f"(this process's CPU: median {statistics.median(cpu_timings):.1f} ms); "
            f"queries per call: {sorted(query_counts)}; proposals: {len(result.proposals)}; reason: {result.reason[:90]}…"
        )

    def build_full_site(self) -> tuple[Site, datetime]:
        tag = uuid.uuid4().hex[:8]
        site = Site.objects.create(
            group=DealerGroup.objects.create(name=f"Bench {tag}"),
            code=f"bench-{tag}",
            name="Bench",
            address="1 rue",
            postcode="69000",
            city="Lyon",
            country="FR",
            time_zone="Europe/Paris",
            language="fr",
            currency="EUR",
            vat_rate=Decimal("20"),
            labour_rate=Decimal("98"),
            invoice_prefix=f"B{tag[:4]}",
        )
        OpeningHours.objects.bulk_create(OpeningHours(site=site, weekday=day, opens=time(8), closes=time(18)) for day in range(5))
        advisor_group = Group.objects.get(name=Role.SERVICE_ADVISOR)
        advisors = User.objects.bulk_create(User(username=f"bench-{tag}-advisor-{n}", last_name=f"Advisor {n}") for n in range(ADVISORS))
        advisor_group.user_set.add(*advisors)
        site.staff.add(*advisors)
        AdvisorSchedule.objects.bulk_create(
            AdvisorSchedule(
                site=site, advisor=advisor, weekday=day, starts=time(8), ends=time(17), break_starts=time(12), break_ends=time(13)
            )
            for advisor in advisors
            for day in range(5)
        )
        technicians = User.objects.bulk_create(User(username=f"bench-{tag}-tech-{n}") for n in range(TECHNICIANS))
        profiles = TechnicianProfile.objects.bulk_create(
            TechnicianProfile(user=user, site=site, skills=["mechanics", "express"]) for user in technicians
        )
        TechnicianAttendance.objects.bulk_create(
            TechnicianAttendance(profile=profile, weekday=day, hours=Decimal("8")) for profile in profiles for day in range(5)
        )
        customer = Customer.objects.create(site=site, last_name="Bench", mobile="+33612345678", language="fr")
        vehicle = Vehicle.objects.create(vin=f"BENCH{tag.upper()}0000"[:17], make="Audi", model="A3", energy="petrol", owner=customer)
        now = timezone.now()
        self.fill(site, advisors, customer, vehicle, now)
        return site, now

    def fill(self, site, advisors, customer, vehicle, now) -> None:
        """Every slot of every advisor taken: per quarter-hour pair, a reception and, 30 minutes later, its handover."""
        tz = site.tz
        today = timezone.localtime(now, tz).date()
        appointments, pairs = [], []
        for offset in range(WEEKS * 7):
            day = today + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for advisor in advisors:
                for hour in (8, 9, 10, 11, 13, 14, 15, 16):
                    for minute in (0, 15):
                        starts_at = datetime.combine(day, time(hour, minute), tzinfo=tz)
                        handover_at = starts_at + timedelta(minutes=30)
                        appointments.append(
                            Appointment(
                                site=site,
                                customer=customer,
                                vehicle=vehicle,
                                advisor=advisor,
                                starts_at=starts_at,
                                handover_at=handover_at,
                                workshop_day=day,
                                channel="phone_in",
                                origin="inbound_call",
                                currency="EUR",
                                booked_by=advisor,
                                flat_rate_hours=Decimal("1"),
                            )
                        )
                        pairs.append((starts_at, handover_at))
        Appointment.objects.bulk_create(appointments, batch_size=2000)
        AppointmentJob.objects.bulk_create(
            (
                AppointmentJob(
                    appointment=a, description="Service", skill="mechanics", flat_rate_hours=Decimal("1"), labour_price=Decimal("98")
                )
                for a in appointments
            ),
            batch_size=2000,
        )
        SlotReservation.objects.bulk_create(
            (
                SlotReservation(site=site, advisor=a.advisor, starts_at=moment, kind=kind, appointment=a)
                for a in appointments
                for moment, kind in ((a.starts_at, "reception"), (a.handover_at, "handover"))
            ),
            batch_size=2000,
        )
        self.stdout.write(f"built: {len(appointments)} appointments, {2 * len(appointments)} slot reservations, {len(advisors)} advisors")
