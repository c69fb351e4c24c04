from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.customers.tests.factories import VehicleFactory
from aftersales.messaging import gateways
from aftersales.messaging.codes import issue_code, verify_code
from aftersales.messaging.exceptions import CodeAttemptsExhausted, CodeExpired, CodeRefused, InvalidMessageRequest
from aftersales.messaging.models import OneTimeCode, OutboxMessage

# Sunday 22:00 in Paris: quiet hours, yet a code goes out at once.
SUNDAY_NIGHT = datetime(2026, 11, 22, 22, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def night(time_machine):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    return time_machine


@pytest.fixture
def subject(customer):
    return VehicleFactory(owner=customer)


def sent_code(django_capture_on_commit_callbacks, **arguments) -> tuple[OneTimeCode, str]:
    with django_capture_on_commit_callbacks(execute=True):
        row = issue_code(**arguments)
    return row, gateways.sms_outbox[-1]["body"].split("code est ")[1][:6]


def test_a_code_is_sent_by_sms_at_once_even_in_quiet_hours_and_never_stored_in_clear(
    customer,
    subject,
    night,
    django_capture_on_commit_callbacks,
):
    row, code = sent_code(django_capture_on_commit_callbacks, purpose="sign", customer=customer, subject=subject)

    row.message.refresh_from_db()
    assert row.message.status == OutboxMessage.Status.SENT
    assert row.message.channel == "sms" and row.message.urgent
    assert code.isdigit() and code not in row.code_hash
    assert row.expires_at == SUNDAY_NIGHT + timedelta(minutes=15)


def test_staff_cannot_read_a_sent_code_in_the_message_log(customer, subject, night, django_capture_on_commit_callbacks):
    row, code = sent_code(django_capture_on_commit_callbacks, purpose="sign", customer=customer, subject=subject)

    row.message.refresh_from_db()
    assert code not in row.message.body
    assert row.message.body == "••••••"


def test_the_right_code_is_accepted_once(customer, subject, night, django_capture_on_commit_callbacks):
    _row, code = sent_code(django_capture_on_commit_callbacks, purpose="sign", customer=customer, subject=subject)

    used = verify_code(purpose="sign", subject=subject, code=code)

    assert used.used_at is not None
    with pytest.raises(CodeExpired, match="already used"):
        verify_code(purpose="sign", subject=subject, code=code)


def test_a_code_is_refused_after_fifteen_minutes(customer, subject, night, django_capture_on_commit_callbacks):
    _row, code = sent_code(django_capture_on_commit_callbacks, purpose="sign", customer=customer, subject=subject)
    night.shift(timedelta(minutes=15, seconds=1))

    with pytest.raises(CodeExpired):
        verify_code(purpose="sign", subject=subject, code=code)


def test_wrong_codes_are_counted_and_the_fifth_locks_the_code(customer, subject, night, django_capture_on_commit_callbacks):
    row, code = sent_code(django_capture_on_commit_callbacks, purpose="sign", customer=customer, subject=subject)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _attempt in range(4):
        with pytest.raises(CodeRefused) as refused:
            verify_code(purpose="sign", subject=subject, code=wrong)
        assert type(refused.value) is CodeRefused
    with pytest.raises(CodeAttemptsExhausted):
        verify_code(purpose="sign", subject=subject, code=wrong)

    with pytest.raises(CodeAttemptsExhausted):
        verify_code(purpose="sign", subject=subject, code=code)
    row.refresh_from_db()
    assert row.attempts == 5 and row.used_at is None


def test_a_new_code_retires_the_older_one(customer, subject, night, django_capture_on_commit_callbacks):
    _first, old_code = sent_code(django_capture_on_commit_callbacks, purpose="sign", customer=customer, subject=subject)
    _second, new_code = sent_code(django_capture_on_commit_callbacks, purpose="sign", customer=customer, subject=subject)

    if old_code != new_code:
        with pytest.raises(CodeRefused):
            verify_code(purpose="sign", subject=subject, code=old_code)
    assert verify_code(purpose="sign", subject=subject, code=new_code).used_at is not None


def test_a_code_is_bound_to_its_purpose_and_subject(customer, subject, night, django_capture_on_commit_callbacks):
    _row, code = sent_code(django_capture_on_commit_callbacks, purpose="sign", customer=customer, subject=subject)

    with pytest.raises(CodeRefused, match="No code"):
        verify_code(purpose="booking", subject=subject, code=code)
    with pytest.raises(CodeRefused, match="No code"):
        verify_code(purpose="sign", subject=VehicleFactory(owner=customer), code=code)


def test_a_free_key_stands_for_a_subject_not_yet_recorded(customer, night, django_capture_on_commit_callbacks):
    _row, code = sent_code(django_capture_on_commit_callbacks, purpose="booking", customer=customer, key="+33612345678")

    assert verify_code(purpose="booking", key="+33612345678", code=code).used_at is not None


def test_a_code_needs_exactly_one_of_subject_and_key(customer, subject):
    with pytest.raises(InvalidMessageRequest):
        issue_code(purpose="sign", customer=customer)
    with pytest.raises(InvalidMessageRequest):
        issue_code(purpose="sign", customer=customer, subject=subject, key="x")
