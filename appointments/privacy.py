"""The booking desk's part of a customer's export and erasure (aftersales.customers.privacy)."""

from aftersales.customers.privacy import REDACTED, rows

from .models import Appointment, AppointmentEvent, BreakdownCall, WebRequest


def export_appointments(customer) -> list[dict]:
    appointments = Appointment.objects.filter(customer=customer).order_by("starts_at", "pk")
    return [
        *rows(appointments),
        *rows(AppointmentEvent.objects.filter(appointment__in=appointments).order_by("pk")),
        *rows(WebRequest.objects.filter(customer=customer).order_by("received_at", "pk")),
        *rows(BreakdownCall.objects.filter(customer=customer).order_by("taken_at", "pk")),
    ]


def erase_appointments(customer) -> list[str]:
    Appointment.objects.filter(customer=customer).exclude(customer_words="").update(customer_words=REDACTED)
    AppointmentEvent.objects.filter(appointment__customer=customer).exclude(note="").update(note=REDACTED)
    WebRequest.objects.filter(customer=customer).update(
        name=REDACTED, mobile="", email="", message=REDACTED, answer=REDACTED, vehicle_text=""
    )
    BreakdownCall.objects.filter(customer=customer).update(
        location=REDACTED, latitude=None, longitude=None, insurer="", policy_number="", assistance_file_number=""
    )
    return []
