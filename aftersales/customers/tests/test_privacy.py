import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from aftersales.audit.models import AuditEvent
from aftersales.customers.models import Channel, ConsentRecord, Customer
from aftersales.customers.privacy import erase_customer, export_customer
from aftersales.customers.services import record_consent, update_customer

from .factories import CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db

STAGE_SECTIONS = {"appointments", "work_orders", "invoices", "followup"}


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


def test_erasure_withdraws_every_granted_consent_and_is_audited_with_its_reason(manager):
    customer = CustomerFactory(site=manager.sites.first(), first_name="Jan", email="jan@example.org")
    record_consent(customer=customer, channel=Channel.EMAIL, granted=True, source=ConsentRecord.Source.FORM, recorded_by=manager)
    update_customer(customer=customer, first_name="Johannes", updated_by=manager)

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
