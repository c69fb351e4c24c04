"""A one-time signature code dies after its wrong tries; the customer asks for a new one on the same page."""

import re

from django.urls import reverse

from aftersales.messaging import gateways
from aftersales.messaging.codes import MAX_CODE_ATTEMPTS
from workshop.models import WorkOrder
from workshop.signed_content import content_hash


def last_code() -> str:
    return re.search(r"\b(\d{6})\b", gateways.sms_outbox[-1]["body"]).group(1)


def test_the_code_dies_after_its_wrong_tries_and_a_new_one_signs(client, advisor, checked_in, django_capture_on_commit_callbacks):
    client.force_login(advisor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("workshop:request_code", args=[checked_in.pk]))
    link = re.search(r"https?://\S+/s/\S+/", " ".join(sms["body"] for sms in gateways.sms_outbox)).group(0)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    client.logout()
    shown = content_hash(checked_in)

    for _attempt in range(MAX_CODE_ATTEMPTS):
        assert client.post(link, {"code": wrong, "shown_hash": shown}).status_code == 400
    dead = client.post(link, {"code": code, "shown_hash": shown})

    assert dead.status_code == 400 and "Trop de codes erronés. Demandez-en un nouveau." in dead.text
    checked_in.refresh_from_db()
    assert checked_in.status == WorkOrder.Status.CHECKED_IN

    sent = len(gateways.sms_outbox)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("workshop:customer_new_code", args=[token]))
    assert len(gateways.sms_outbox) == sent + 1
    assert client.post(link, {"code": last_code(), "shown_hash": shown}).status_code == 302
    checked_in.refresh_from_db()
    assert checked_in.status == WorkOrder.Status.SIGNED
