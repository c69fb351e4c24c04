import json

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from aftersales.audit.models import AuditEvent
from aftersales.customers.models import Channel, ConsentRecord, Customer
from aftersales.customers.privacy import REDACTED, erase_customer, export_customer
from aftersales.customers.services import record_consent, update_customer
from aftersales.messaging.jobs import run_job
from aftersales.messaging.models import InboundMessage, OutboxMessage
from followup.models import Concern
from invoicing.models import Invoice
from workshop.models import WorkOrderPhoto

from .factories import CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db

STAGE_SECTIONS = {"appointments", "work_orders", "invoices", "followup"}


@pytest.fixture
def invoiced_customer(demo_data):
    """A demo customer whose car went through the workshop and was invoiced (issued invoice)."""
    return Invoice.objects.filter(status=Invoice.Status.ISSUED).select_related("customer").first().customer


def test_the_export_holds_every_section_including_the_stages_and_the_consent_history(advisor):
    customer = CustomerFactory(site=advisor.sites.first(), first_name="Élodie", mobile="+33612345678")
    VehicleFactory(owner=customer)
    record_consent(customer=customer, channel=Channel.SMS, granted=True, source=ConsentRecord.Source.FORM, recorded_by=advisor)
    record_consent(customer=customer, channel=Channel.SMS, granted=False, source=ConsentRecord.Source.PHONE_CALL, recorded_by=advisor)

    export = export_customer(customer=customer)

    sections = export["sections"]
    assert {"profile", "consents", "vehicles", "mileage", "messages", "audit_events"} | STAGE_SECTIONS <= sections.keys()
    assert sections["profile"][0]["first_name"] == "Élodie"
    assert [row["granted"] for row in sections["consents"]] == [True, False]
    assert len(sections["vehicles"]) == 1


def test_a_demo_customer_export_lists_their_visits_work_orders_and_invoices(invoiced_customer):
    sections = export_customer(customer=invoiced_customer)["sections"]

    assert sections["appointments"] and sections["work_orders"] and sections["invoices"]
    assert any(row.get("number") for row in sections["invoices"])


def test_erasure_anonymises_the_customer_and_keeps_issued_invoices_untouched(invoiced_customer, manager):
    customer = invoiced_customer
    invoices_before = list(Invoice.objects.filter(customer=customer).values("pk", "bill_to", "content", "number", "gross_total"))
    Concern.objects.filter(customer=customer).update(description="Noise from the left wheel, call me on 0612345678")
    old_name = customer.last_name

    kept = erase_customer(customer=customer, actor=manager, reason="Written request of 12 May")

    customer.refresh_from_db()
    assert customer.last_name == f"{REDACTED} #{customer.pk}"
    assert (customer.first_name, customer.mobile, customer.phone_other, customer.email, customer.address, customer.city) == ("",) * 6
    assert list(Invoice.objects.filter(customer=customer).values("pk", "bill_to", "content", "number", "gross_total")) == invoices_before
    assert any("Invoice" in note for note in kept)
    assert not OutboxMessage.objects.filter(customer=customer).exclude(body=REDACTED).exists()
    assert not OutboxMessage.objects.filter(customer=customer, status=OutboxMessage.Status.QUEUED).exists()
    assert not Concern.objects.filter(customer=customer).exclude(description=REDACTED).exists()
    assert not WorkOrderPhoto.objects.filter(work_order__customer=customer).exists()
    assert old_name not in json.dumps(list(AuditEvent.objects.filter(object_id=str(customer.pk)).values_list("changes", flat=True)))


def test_erasure_withdraws_every_granted_consent_and_is_audited_with_its_reason(manager):
    customer = CustomerFactory(site=manager.sites.first(), first_name="Jan", email="jan@example.org")
    record_consent(customer=customer, channel=Channel.EMAIL, granted=True, source=ConsentRecord.Source.FORM, recorded_by=manager)
    update_customer(customer=customer, data={"first_name": "Johannes"}, updated_by=manager)

    erase_customer(customer=customer, actor=manager, reason="Customer asked by e-mail")

    assert ConsentRecord.objects.filter(customer=customer, channel=Channel.EMAIL).first().granted is False
    events = AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(Customer), object_id=str(customer.pk))
    erasure = events.first()
    assert erasure.actor == manager
    assert erasure.changes["erasure_reason"] == [None, "Customer asked by e-mail"]
    assert "Johannes" not in json.dumps([event.changes for event in events])


def test_only_managers_and_admins_see_and_use_the_privacy_actions(client, advisor, manager):
    customer = CustomerFactory(site=manager.sites.first())
    client.force_login(advisor)
    assert client.get(reverse("customers:privacy_export", args=[customer.pk])).status_code == 403
    assert client.get(reverse("customers:privacy_erase", args=[customer.pk])).status_code == 403
    assert b"privacy/erase" not in client.get(customer.get_absolute_url()).content

    client.force_login(manager)
    assert b"privacy/erase" in client.get(customer.get_absolute_url()).content
    response = client.get(reverse("customers:privacy_export", args=[customer.pk]), {"format": "json"})
    assert response.status_code == 200
    assert json.loads(response.content)["sections"]["profile"][0]["last_name"] == customer.last_name
    response = client.get(reverse("customers:privacy_export", args=[customer.pk]), {"format": "pdf"})
    assert response.content.startswith(b"%PDF")
    assert client.get(reverse("customers:privacy_export", args=[customer.pk]), {"format": "xml"}).status_code == 404


def test_erasure_needs_a_reason_and_the_confirmation(client, manager):
    customer = CustomerFactory(site=manager.sites.first(), first_name="Ana")
    client.force_login(manager)
    url = reverse("customers:privacy_erase", args=[customer.pk])

    assert client.post(url, {"reason": "  ", "confirm": "on"}).status_code == 400
    assert client.post(url, {"reason": "Asked in person"}).status_code == 400
    customer.refresh_from_db()
    assert customer.first_name == "Ana"

    response = client.post(url, {"reason": "Asked in person", "confirm": "on"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.first_name == ""


def _message(customer, key, body, status):
    return OutboxMessage.objects.create(
        customer=customer,
        site=customer.site,
        template_key="x",
        channel="sms",
        language="en",
        body=body,
        status=status,
        idempotency_key=key,
        purpose="service",
        due_at=timezone.now(),
    )


def test_the_retention_job_blanks_old_message_texts_once(settings, advisor):
    settings.MESSAGE_RETENTION_DAYS = 30
    customer = CustomerFactory(site=advisor.sites.first())
    with time_machine.travel("2026-01-01 10:00Z", tick=False):
        old = _message(customer, "old", "old text", OutboxMessage.Status.SENT)
        queued = _message(customer, "queued", "waiting", OutboxMessage.Status.QUEUED)
        inbound = InboundMessage.objects.create(provider_id="in-1", from_number="+33612345678", body="yes", kind="reply", customer=customer)
    recent = _message(customer, "recent", "new text", OutboxMessage.Status.SENT)

    with time_machine.travel("2026-03-01 03:00Z", tick=False):
        assert run_job("purge_message_bodies", now=timezone.now()) == 2
        assert run_job("purge_message_bodies", now=timezone.now()) == 0

    for message in (old, queued, inbound, recent):
        message.refresh_from_db()
    assert (old.body, queued.body, inbound.body, recent.body) == ("", "waiting", "", "new text")
