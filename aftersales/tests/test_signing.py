from datetime import timedelta

import pytest
import time_machine

from aftersales.lib.signing import LinkError, make_token, read_token


def test_a_link_reads_back_its_object_for_its_purpose():
    token = make_token(purpose="manage-booking", pk=42)

    assert read_token(token, purpose="manage-booking", max_age=timedelta(days=1)) == 42


def test_a_tampered_link_is_refused():
    token = make_token(purpose="manage-booking", pk=42)

    with pytest.raises(LinkError):
        read_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), purpose="manage-booking", max_age=timedelta(days=1))


def test_a_link_made_for_another_purpose_is_refused():
    token = make_token(purpose="inspection", pk=42)

    with pytest.raises(LinkError):
        read_token(token, purpose="manage-booking", max_age=timedelta(days=1))


def test_an_expired_link_is_refused():
    with time_machine.travel("2026-11-01 10:00Z", tick=False):
        token = make_token(purpose="manage-booking", pk=42)
    with time_machine.travel("2026-11-03 10:00Z", tick=False), pytest.raises(LinkError, match="expired"):
        read_token(token, purpose="manage-booking", max_age=timedelta(days=1))


@pytest.mark.parametrize("garbage", ["", "x", "a:b:c", "é" * 300])
def test_garbage_is_refused_without_error(garbage):
    with pytest.raises(LinkError):
        read_token(garbage, purpose="manage-booking", max_age=timedelta(days=1))
