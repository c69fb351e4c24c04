"""Follow-up's part of a customer's export and erasure (aftersales.customers.privacy): concerns, calls, satisfaction."""

from aftersales.customers.privacy import REDACTED, rows

from .models import CallAttempt, CallTask, Concern, ConcernEvent, SatisfactionAnswer


def export_followup(customer) -> list[dict]:
    concerns = Concern.objects.filter(customer=customer).order_by("pk")
    tasks = CallTask.objects.filter(customer=customer).order_by("pk")
    return [
        *rows(concerns),
        *rows(ConcernEvent.objects.filter(concern__in=concerns).order_by("pk")),
        *rows(tasks),
        *rows(CallAttempt.objects.filter(task__in=tasks).order_by("pk")),
        *rows(SatisfactionAnswer.objects.filter(customer=customer).order_by("pk")),
    ]


def erase_followup(customer) -> list[str]:
    Concern.objects.filter(customer=customer).update(description=REDACTED, answer=REDACTED, resolution=REDACTED)
    ConcernEvent.objects.filter(concern__customer=customer).exclude(note="").update(note=REDACTED)
    CallAttempt.objects.filter(task__customer=customer).exclude(remarks="").update(remarks=REDACTED)
    SatisfactionAnswer.objects.filter(customer=customer).update(text=REDACTED, other_needs=REDACTED)
    return []
