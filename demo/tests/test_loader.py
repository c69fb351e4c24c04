"""The whole demo, core and stages: loading it again changes nothing; the command prints the logins."""

from datetime import date

import pytest
from django.apps import apps
from django.core.management import call_command

from aftersales.accounts.demo import DEMO_PASSWORD
from aftersales.accounts.models import User
from aftersales.accounts.roles import Role
from aftersales.customers.models import Customer
from demo.loader import load_demo_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_data")]


def _row_counts():
    models = [*apps.get_app_config("accounts").get_models(), *apps.get_app_config("customers").get_models()]
    return {model._meta.label: model.objects.count() for model in models}


def test_second_load_changes_nothing():
    before = _row_counts()
    snapshot = list(Customer.objects.values().order_by("pk")), list(User.objects.values().order_by("pk"))

    second = load_demo_data(today=date(2026, 12, 5))

    assert second.created == {}
    assert _row_counts() == before
    assert (list(Customer.objects.values().order_by("pk")), list(User.objects.values().order_by("pk"))) == snapshot


def test_command_prints_one_login_per_role(capsys):
    call_command("load_demo_data")

    out = capsys.readouterr().out
    assert "nothing changed" in out
    assert DEMO_PASSWORD in out
    for role in Role:
        assert str(role.label) in out
