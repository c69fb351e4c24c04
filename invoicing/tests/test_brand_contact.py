"""A Toyota's documents at the Lexus and Toyota site: the work order, the invoice and its e-mail name Toyota's
contact point where they name the site's."""

import pytest
from django.core import mail
from django.urls import reverse

from aftersales.accounts.tests.factories import sell_lexus_and_toyota
from aftersales.customers.models import MileageReading
from aftersales.tests.documents import pdf_text
from appointments.tests.factories import CustomerFactory, VehicleFactory
from invoicing.services import issue_invoice, prepare_invoices

TOYOTA = ("Toyota Marseille", "+33491290200", "toyota.marseille@example.test")


@pytest.fixture
def toyota_order(site, templates, make_ready_order):
    site.name, site.phone, site.email = "Lexus Marseille", "+33491290000", "apres-vente@example.test"
    site.save()
    sell_lexus_and_toyota(site)
    owner = CustomerFactory(site=site, first_name="Claire", last_name="Durand", email="claire.durand@example.test", language="fr")
    yaris = VehicleFactory(owner=owner, make="Toyota", model="Yaris Cross")
    MileageReading.objects.create(vehicle=yaris, km=42_000, source=MileageReading.Source.CUSTOMER)
    return make_ready_order(vehicle=yaris)


def test_the_invoice_and_its_email_speak_for_toyota(toyota_order, cashier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = issue_invoice(invoice=prepare_invoices(work_order=toyota_order, actor=cashier)[0], actor=cashier, delivery="email")

    text = pdf_text(bytes(invoice.pdf.content))
    assert all(part in text for part in TOYOTA) and "Lexus" not in text and "+33491290000" not in text
    email = next(email for email in mail.outbox if email.to == ["claire.durand@example.test"])
    assert email.from_email == "Toyota Marseille <toyota.marseille@example.test>"
    assert "Lexus" not in email.subject + email.body


def test_the_work_order_pdf_speaks_for_toyota(client, advisor, toyota_order):
    client.force_login(advisor)
    text = pdf_text(client.get(reverse("workshop:pdf", args=[toyota_order.pk])).content)
    assert all(part in text for part in TOYOTA) and "Lexus" not in text
