"""Demo invoicing: at each site, two cars that went through the workshop and the quality check, invoiced and paid.

The first customer left a deposit at reception and paid the rest by card (the handover is done); the second paid part
in cash and still owes the balance (waiting in the handover queue). Written through the services; a site that already
has an invoice is left as it is, so the demo runs again without adding anything. Each site also gets its accounting
mapping (journals and accounts of its country's chart) for the accounting export.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from aftersales.accounts.models import Site, User
from aftersales.accounts.roles import Role
from aftersales.customers.models import LabourOperation, Vehicle
from appointments.models import TechnicianProfile
from workshop.demo import TYPED as WORKSHOP_TYPED
from workshop.demo import demo_appointment, demo_check_in, drawn_signature
from workshop.models import WorkOrder
from workshop.services import assign_job, hand_to_workshop, open_work_order, record_quality_check, sign_off_job

from .models import AccountingMapping, Invoice, SalesAccount
from .services import (
    close_handover,
    customer_arrived,
    issue_invoice,
    prepare_invoices,
    record_payment,
    record_test_drive,
    salespeople_of,
    save_explanation,
    welcome_customer,
)

ARRIVALS = (time(7, 0), time(7, 15))
# What the staff write, in the site's language.
TYPED = {
    "fr": {"deposit": "Acompte", "road test": "Aucun bruit", "waiting": "Salon, café offert"},
    "ru": {"deposit": "Предоплата", "road test": "Посторонних шумов нет", "waiting": "Зона ожидания, предложен кофе"},
}
# A test drive during the handover, passed to the site's salesperson (model tried, impressions).
TEST_DRIVES = {
    "fr": ("Audi Q4 e-tron", "A aimé le silence et l'autonomie ; souhaite un essai d'un week-end."),
    "ru": ("Citroën C5 Aircross", "Понравилась плавность хода; просит перезвонить насчёт трейд-ина."),
}


# Journals and accounts by country: France's plan comptable général, Russia's chart of accounts (план счетов).
MAPPINGS = {
    "FR": {
        "sales_journal": "VE",
        "sales_journal_label": "Ventes",
        "receipts_journal": "BQ",
        "receipts_journal_label": "Encaissements",
        "customer_account": "411000",
        "customer_account_label": "Clients",
        "customer_credit_account": "419100",
        "customer_credit_account_label": "Clients - avances reçues",
        "vat_account": "445710",
        "vat_account_label": "TVA collectée",
        "cash_account": "530000",
        "cash_account_label": "Caisse",
        "bank_account": "512000",
        "bank_account_label": "Banque",
        "card_account": "511500",
        "card_account_label": "Cartes bancaires à encaisser",
    },
    "RU": {
        "sales_journal": "PR",
        "sales_journal_label": "Продажи",
        "receipts_journal": "KB",
        "receipts_journal_label": "Касса и банк",
        "customer_account": "62.01",
        "customer_account_label": "Расчёты с покупателями",
        "customer_credit_account": "62.02",
        "customer_credit_account_label": "Авансы полученные",
        "vat_account": "68.02",
        "vat_account_label": "НДС",
        "cash_account": "50.01",
        "cash_account_label": "Касса",
        "bank_account": "51",
        "bank_account_label": "Расчётный счёт",
        "card_account": "57.03",
        "card_account_label": "Эквайринг",
    },
}
SALES_ACCOUNTS = {"FR": ("706000", "Prestations de services"), "RU": ("90.01", "Выручка")}


def load_accounting_mappings(report) -> None:
    """Each site's journals and accounts, a sales account for its VAT rate."""
    for site in Site.objects.filter(country__in=MAPPINGS).order_by("code"):
        mapping, created = AccountingMapping.objects.get_or_create(site=site, defaults=MAPPINGS[site.country])
        report.add("accounting mappings", created)
        account, label = SALES_ACCOUNTS[site.country]
        SalesAccount.objects.get_or_create(mapping=mapping, vat_rate=site.vat_rate, defaults={"account": account, "label": label})


def load_invoicing_demo(report) -> None:
    load_accounting_mappings(report)
    now = timezone.now()
    operation = LabourOperation.objects.filter(active=True).order_by("code").first()
    for site in Site.objects.order_by("code"):
        if operation is None or Invoice.objects.filter(site=site).exists():
            continue
        staff = _staff(site, operation)
        vehicles = list(Vehicle.objects.filter(owner__site=site, work_orders__isnull=True).select_related("owner").order_by("-pk")[:2])
        if staff is None or len(vehicles) < 2:
            continue
        advisor, technician, inspector, cashier = staff
        day_start = datetime.combine(timezone.localtime(now, site.tz).date(), time(0), tzinfo=site.tz)
        orders = [
            _through_the_workshop(site, vehicle, at, operation, day_start, now, advisor, technician, inspector)
            for vehicle, at in zip(vehicles, ARRIVALS, strict=True)
        ]
        record_payment(
            work_order=orders[0], actor=advisor, method="card", amount=Decimal("50.00"), reference=TYPED[site.language]["deposit"]
        )
        invoices = [issue_invoice(invoice=prepare_invoices(work_order=order, actor=cashier)[0], actor=cashier) for order in orders]
        record_payment(work_order=orders[0], actor=cashier, method="card", amount=invoices[0].gross_total - Decimal("50.00"))
        record_payment(work_order=orders[1], actor=cashier, method="cash", amount=Decimal("100.00"), tendered=Decimal("100.00"))
        _hand_over(orders[0], advisor, now)
        customer_arrived(work_order=orders[1], actor=advisor, waiting_note=TYPED[site.language]["waiting"])
        report.add("work orders", len(orders))
        report.add("invoices", 2)
        report.add("payments", 3)


def _staff(site: Site, operation) -> tuple[User, User, User, User] | None:
    def first_with(role):
        return User.objects.filter(sites=site, groups__name=role, is_active=True).order_by("username").first()

    profile = next(
        (
            profile
            for profile in TechnicianProfile.objects.filter(site=site, active=True).select_related("user").order_by("user__username")
            if operation.skill in profile.skills
        ),
        None,
    )
    advisor, cashier = first_with(Role.SERVICE_ADVISOR), first_with(Role.CASHIER) or first_with(Role.MANAGER)
    if advisor is None or cashier is None or profile is None:
        return None
    return advisor, profile.user, first_with(Role.QUALITY_CONTROLLER) or advisor, cashier


def _through_the_workshop(site, vehicle, at, operation, day_start, now, advisor, technician, inspector) -> WorkOrder:
    order = open_work_order(appointment=demo_appointment(site, vehicle, advisor, day_start, at, operation), actor=advisor)
    demo_check_in(order, advisor, now - timedelta(hours=3), sign=True)
    hand_to_workshop(work_order=order, actor=advisor)
    for job in order.jobs.all():
        assign_job(job=job, technician=technician, bay=None, actor=advisor)
        sign_off_job(job=job, technician=technician, correction=WORKSHOP_TYPED[site.language]["correction"])
    record_quality_check(
        work_order=order,
        inspector=inspector,
        passed=True,
        order_complete=True,
        road_test_done=True,
        road_test_notes=TYPED[site.language]["road test"],
        all_jobs_done=True,
        cleaned=True,
        parking_place="P3",
        unfixed_findings="",
    )
    order.refresh_from_db()
    return order


def _hand_over(order: WorkOrder, advisor: User, now: datetime) -> None:
    handover = welcome_customer(handover=customer_arrived(work_order=order, actor=advisor), actor=advisor)
    save_explanation(
        handover=handover,
        actor=advisor,
        jobs_explained=True,
        deferred_explained=True,
        unfixed_explained=True,
        parts_shown=True,
        price_matches=True,
        followup_announced=True,
        next_service_date=date(now.year + 1, now.month, 1),
        next_service_km=(order.mileage_in or 0) + 15_000,
    )
    salesperson = salespeople_of(order.site).first()
    if salesperson is not None and order.site.language in TEST_DRIVES:
        model_tried, impressions = TEST_DRIVES[order.site.language]
        record_test_drive(handover=handover, actor=advisor, model_tried=model_tried, impressions=impressions, salesperson=salesperson)
    close_handover(handover=handover, actor=advisor, mileage_out=order.mileage_in, signature_data_url=drawn_signature())
