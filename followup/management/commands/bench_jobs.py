"""Time the timed jobs over many rows: the maintenance reminder sweep and the 24 h confirmations.

Loads (once, by bulk inserts) a bench group of ``--sites`` sites open Monday to Friday with ``--vehicles`` vehicles,
each with its owner (SMS consent given), due dates spread evenly from a year back to a year ahead (about one in twelve
in a touch's window), one in ten also with a due mileage and two readings, and ``--appointments`` bookings for
tomorrow. Each run first removes what the previous timed runs wrote, then times the reminder sweep over every vehicle
(then again: nothing left to write, what a daily run costs besides the day's new touches) and the 24 h
confirmations as the jobs run them (chunks, bulk writes), sending excluded: the outbox rows are written,
and those due at once are counted instead of handed to workers. Prints the time, rows written, queries and the load
average. Use a database of its own: the data stays for the next run.
"""

import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from unittest import mock

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from aftersales.accounts.models import DealerGroup, OpeningHours, Site, User
from aftersales.accounts.roles import Role
from aftersales.customers.models import Channel, ConsentRecord, Customer, MileageReading, Vehicle
from aftersales.messaging.models import OutboxMessage
from aftersales.messaging.tasks import send_message
from appointments.models import Appointment
from appointments.services import send_booking_reminders
from followup.models import CallTask, MaintenanceReminder
from followup.services import send_maintenance_reminders

GROUP = "Bench jobs group"
BATCH = 20_000
SPREAD_DAYS = 365  # due dates from a year back to a year ahead
BY_MILEAGE = 10  # one vehicle in ten also has a due mileage and readings
SITE_PLACE = {"address": "2 rue des Travaux", "postcode": "69003", "city": "Lyon", "country": "FR", "time_zone": "Europe/Paris"}
SITE_MONEY = {"language": "fr", "currency": "EUR", "vat_rate": Decimal("20"), "labour_rate": Decimal("90.00")}


class Command(BaseCommand):
    help = "Load a bench group (once) and time the maintenance reminder sweep and the 24 h confirmations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--vehicles", type=int, default=1_000_000)
        parser.add_argument("--appointments", type=int, default=10_000)
        parser.add_argument("--sites", type=int, default=10)

    def handle(self, *args, vehicles: int, appointments: int, sites: int, **options) -> None:
        if vehicles < 1 or appointments < 0 or sites < 1:
            self.stderr.write("--vehicles and --sites must be at least 1, --appointments at least 0.")
            return
        self.now = timezone.now()
        group_sites = [self._site(index) for index in range(sites)]
        self._vehicles(group_sites, vehicles)
        self._appointments(group_sites, appointments)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self._forget_runs(group_sites)
        self._time("maintenance reminder sweep", vehicles, send_maintenance_reminders)
        self._time("the sweep again the same day (all done: the daily scan)", vehicles, send_maintenance_reminders)
        self._time("24 h confirmations", appointments, send_booking_reminders)

    # --- loading ---------------------------------------------------------------------------

    def _site(self, index: int) -> Site:
        group, _created = DealerGroup.objects.get_or_create(name=GROUP)
        defaults = {"group": group, "name": f"Bench jobs {index}", "invoice_prefix": f"BJ{index}", **SITE_PLACE, **SITE_MONEY}
        site, created = Site.objects.get_or_create(code=f"bench-jobs-{index}", defaults=defaults)
        if created:
            opens, closes = datetime.strptime("08:00", "%H:%M").time(), datetime.strptime("18:00", "%H:%M").time()
            OpeningHours.objects.bulk_create(OpeningHours(site=site, weekday=day, opens=opens, closes=closes) for day in range(5))
            advisor = User.objects.create(username=f"bench-jobs-advisor-{index}", first_name="Advisor", last_name=str(index), password="!")
            advisor.sites.add(site)
            advisor.groups.add(Group.objects.get(name=Role.SERVICE_ADVISOR.value))
        return site

    def _vehicles(self, sites: list[Site], count: int) -> None:
        have = Vehicle.objects.filter(owner__site__in=sites).count()
        today = self.now.date()
        for start in range(have, count, BATCH):
            numbers = range(start, min(count, start + BATCH))
            with transaction.atomic():
                owners = Customer.objects.bulk_create(
                    Customer(
                        site=sites[number % len(sites)],
                        last_name=f"Owner{number}",
                        search_name=f"owner{number}",
                        mobile=f"+33677{number:07d}",
                        language="fr",
                    )
                    for number in numbers
                )
                ConsentRecord.objects.bulk_create(
                    ConsentRecord(customer=owner, channel=Channel.SMS, granted=True, source=ConsentRecord.Source.FORM) for owner in owners
                )
                made = Vehicle.objects.bulk_create(
                    Vehicle(
                        vin=f"BJV{number:014d}",
                        plate_key=f"BJ{number}",
                        make="Peugeot",
                        model="308",
                        energy="diesel",
                        owner=owner,
                        next_service_due_date=today + timedelta(days=number % (2 * SPREAD_DAYS) - SPREAD_DAYS),
                        next_service_due_km=60_000 + number % 20_000 if number % BY_MILEAGE == 0 else None,
                    )
                    for number, owner in zip(numbers, owners, strict=True)
                )
                MileageReading.objects.bulk_create(
                    MileageReading(vehicle=vehicle, km=km, read_at=self.now - timedelta(days=days), source=MileageReading.Source.RECEPTION)
                    for vehicle in made
                    if vehicle.next_service_due_km
                    for days, km in ((400, 40_000), (20, 55_000 + vehicle.pk % 5_000))
                )
            self.stdout.write(f"vehicles: {numbers.stop}/{count}")

    def _appointments(self, sites: list[Site], count: int) -> None:
        tomorrow = timezone.localdate(self.now, sites[0].tz) + timedelta(days=1)
        booked = Appointment.objects.filter(site__in=sites, workshop_day=tomorrow, status=Appointment.Status.BOOKED)
        missing = count - booked.count()
        if missing <= 0:
            return
        advisors = {site.pk: User.objects.get(username=f"bench-jobs-advisor-{site.code.rsplit('-', 1)[1]}").pk for site in sites}
        taken = booked.values("vehicle_id")
        vehicles = list(Vehicle.objects.filter(owner__site__in=sites).exclude(pk__in=taken).select_related("owner")[:missing])
        morning = datetime.combine(tomorrow, datetime.min.time(), tzinfo=sites[0].tz) + timedelta(hours=8)
        rows = []
        for index, vehicle in enumerate(vehicles):
            starts = morning + timedelta(minutes=index % 600)
            site_id, advisor = vehicle.owner.site_id, advisors[vehicle.owner.site_id]
            rows.append(
                Appointment(
                    site_id=site_id,
                    customer=vehicle.owner,
                    vehicle=vehicle,
                    advisor_id=advisor,
                    booked_by_id=advisor,
                    starts_at=starts,
                    handover_at=starts + timedelta(hours=4),
                    workshop_day=tomorrow,
                    channel=Appointment.BookingChannel.PHONE_IN,
                    origin=Appointment.Origin.INBOUND_CALL,
                    currency="EUR",
                )
            )
        Appointment.objects.bulk_create(rows, batch_size=BATCH)
        self.stdout.write(f"appointments tomorrow: {count}")

    # --- timing ------------------------------------------------------------------------------

    def _forget_runs(self, sites: list[Site]) -> None:
        """What the previous timed runs wrote, so that each run has the same work to do."""
        CallTask.objects.filter(site__in=sites, key__startswith="reminder:").delete()
        MaintenanceReminder.objects.filter(site__in=sites).delete()
        OutboxMessage.objects.filter(site__in=sites, template_key__in=("maintenance_reminder", "booking_reminder_24h")).delete()

    def _time(self, name: str, scale: int, job: Callable[..., int]) -> None:
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(1)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count), mock.patch.object(send_message, "delay") as handed_over:
            started = time.perf_counter()
            written = job(now=timezone.now())
            elapsed = time.perf_counter() - started
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        self.stdout.write(
            f"{name} over {scale:,}: {written:,} written in {elapsed:.1f} s, {len(queries):,} queries, "
            f"{handed_over.call_count:,} due at once (not handed to workers), load average {load}"
        )
