"""A customer confirms the next appointment by answering the reminder SMS with a yes."""

from aftersales.lib.text import fold

from .selectors import upcoming_for_customer
from .services import confirm_appointment

YES_WORDS = {"yes", "y", "ok", "oui", "da", "да", "是", "是的", "好", "1"}


def is_yes(body: str) -> bool:
    return fold(body.strip().strip(".!。！ ")) in {fold(word) for word in YES_WORDS}


def confirm_by_sms_reply(inbound) -> bool:
    """Registered with messaging's reply hook: True when the reply confirmed an appointment."""
    if inbound.customer_id is None or not is_yes(inbound.body):
        return False
    appointment = upcoming_for_customer(customer=inbound.customer)
    if appointment is None:
        return False
    confirm_appointment(appointment=appointment, via="sms_reply")
    return True
