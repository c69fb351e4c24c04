"""The whole demo: the dealer group of the core, then each stage's data in process order, then the KPI figures.

The one place that knows every stage: it sits above them all (see
aftersales/tests/test_layers.py). Idempotent, as each loader is.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from aftersales.accounts.demo import Report, load_dealer_group_demo
from aftersales.jobs.registry import run_job
from appointments.demo import load_appointments_demo
from followup.demo import load_followup_demo, load_visit_followups_demo
from invoicing.demo import load_invoicing_demo
from workshop.demo import load_workshop_demo


@transaction.atomic
def load_demo_data(*, today: date | None = None) -> Report:
    """Create whatever part of the demo is missing; returns what was created."""
    report = Report()
    load_dealer_group_demo(report, today=today or timezone.localdate())
    load_followup_demo(report)
    load_appointments_demo(report)
    load_workshop_demo(report)  # after the booking demo: the workshop floor needs its technician profiles
    load_invoicing_demo(report)
    load_visit_followups_demo(report)  # after invoicing: the callbacks of the handovers closed
    run_job("kpi_figures_all", now=timezone.now())  # the dashboards' figures, as the weekly job would rebuild them
    return report
