"""Work for the load test (``make load``), on top of the demo data, written through the services.

At each site: vehicles of new customers to book, appointments of the day to
check in, and work orders through the workshop and the quality check, ready
to invoice. Each cashier gets an authenticator (their login asks for a code).
The plan (ids, logins, TOTP secrets) is written as JSON for the locust file.

    manage.py shell -c "from aftersales.tests.load.seed import main; main('var/load/plan.json')"
"""

import json
from datetime import datetime, time, timedelta
from pathlib import Path

from django.utils import timezone

from aftersales.accounts.demo import DEMO_PASSWORD
from aftersales.accounts.models import Site
from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory, enrol_two_factor
from aftersales.customers.models import LabourOperation
from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory
from invoicing.demo import _staff, _through_the_workshop
from workshop.demo import demo_appointment

PER_SITE = 20  # vehicles to book, appointments to check in, and orders to invoice, per site
CASHIERS_PER_SITE = 4


def _slots(first: time, count: int) -> list[time]:
    start = datetime.combine(datetime(2000, 1, 1), first)
    return [(start + timedelta(minutes=15 * index)).time() for index in range(count)]


def seed() -> dict:
    now = timezone.now()
    operation = LabourOperation.objects.filter(active=True).order_by("code").first()
    plan = {"password": DEMO_PASSWORD, "operation": operation.pk, "sites": []}
    for site in Site.objects.order_by("code"):
        staff = _staff(site, operation)
        if staff is None:
            continue
        advisor, technician, inspector, _cashier = staff
        day_start = datetime.combine(timezone.localtime(now, site.tz).date(), time(0), tzinfo=site.tz)
        vehicles = [VehicleFactory(owner=CustomerFactory(site=site, language=site.language)) for _ in range(3 * PER_SITE)]
        plan["sites"].append(
            {
                "advisor": advisor.username,
                "cashiers": _load_cashiers(site),
                "to_book": [vehicle.pk for vehicle in vehicles[:PER_SITE]],
                "to_check_in": [
                    demo_appointment(site, vehicle, advisor, day_start, at, operation).pk
                    for vehicle, at in zip(vehicles[PER_SITE : 2 * PER_SITE], _slots(time(12), PER_SITE), strict=True)
                ],
                "to_invoice": [
                    _through_the_workshop(site, vehicle, at, operation, day_start, now, advisor, technician, inspector).pk
                    for vehicle, at in zip(vehicles[2 * PER_SITE :], _slots(time(6, 45), PER_SITE), strict=True)
                ],
            }
        )
    return plan


def _load_cashiers(site) -> list[dict]:
    """Cashiers of their own for the load (one authenticator each: a code is accepted once)."""
    cashiers = [
        UserFactory(username=f"load-cashier-{site.code}-{index}".lower(), roles=[Role.CASHIER], site_list=[site], password=DEMO_PASSWORD)
        for index in range(CASHIERS_PER_SITE)
    ]
    return [{"username": user.username, "secret": enrol_two_factor(user).secret} for user in cashiers]


def main(path: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(seed(), indent=2))
