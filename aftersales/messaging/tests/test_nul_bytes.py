"""U+0000 never reaches the database: a correctly signed inbound SMS with a NUL is stored without it."""

from urllib.parse import urlencode

from django.test import RequestFactory
from django.urls import reverse
from twilio.request_validator import RequestValidator

from aftersales.lib.nul_bytes import StripNulMiddleware
from aftersales.messaging.models import InboundMessage

from .conftest import TWILIO_TOKEN

INBOUND = reverse("messaging:twilio_inbound")


def test_a_signed_inbound_sms_with_a_nul_is_stored_without_it(client, settings, customer):
    params = {"MessageSid": "SM1", "From": customer.mobile, "To": "+33700000000", "Body": "Yes\x00 at 10\x00", "AccountSid": "AC1"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(f"{settings.SITE_URL}{INBOUND}", params)

    response = client.post(
        INBOUND, urlencode(params), content_type="application/x-www-form-urlencoded", headers={"X-Twilio-Signature": signature}
    )

    assert response.status_code == 200
    assert InboundMessage.objects.get().body == "Yes at 10"


def test_a_nul_in_a_signed_field_does_not_pass_for_another_value(client, settings, customer):
    signed = {"MessageSid": "SM1", "From": customer.mobile, "To": "+33700000000", "Body": "Yes at 10", "AccountSid": "AC1"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(f"{settings.SITE_URL}{INBOUND}", signed)
    sent = {**signed, "Body": "Yes at 10\x00"}

    response = client.post(
        INBOUND, urlencode(sent), content_type="application/x-www-form-urlencoded", headers={"X-Twilio-Signature": signature}
    )

    assert response.status_code == 403 and not InboundMessage.objects.exists()


def test_query_and_form_values_and_keys_lose_their_nul():
    seen = {}

    def view(request):
        seen.update(get=request.GET.dict(), post=request.POST.dict())

    request = RequestFactory().post("/?q=AB\x00-123", {"name\x00": "Jo\x00", "note": "fine"})
    StripNulMiddleware(view)(request)

    assert seen == {"get": {"q": "AB-123"}, "post": {"name": "Jo", "note": "fine"}}
