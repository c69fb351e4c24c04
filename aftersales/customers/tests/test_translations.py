"""Reference data kept per language (customers.models.Translated): reading it, and editing it in the admin."""

from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from aftersales.customers.models import LabourOperation, Part
from aftersales.customers.translations import in_every_language
from aftersales.tests.html_forms import page_form_entries

pytestmark = pytest.mark.django_db

FILTER = {"fr": {"name": "Filtre à huile"}, "ru": {"name": "Масляный фильтр"}, "zh-hans": {"name": "机油滤清器"}}


@pytest.fixture
def oil_filter():
    return Part.objects.create(number="FLT-OIL", name="Oil filter", translations=FILTER)


def test_localized_reads_the_active_language_else_the_given_one(oil_filter):
    with translation.override("ru"):
        assert oil_filter.localized("name") == "Масляный фильтр"
        assert oil_filter.localized("name", "zh-hans") == "机油滤清器"
    with translation.override("en"):
        assert oil_filter.localized("name") == "Oil filter"


def test_localized_falls_back_to_the_base_language_then_to_the_default_text(oil_filter):
    assert oil_filter.localized("name", "fr-ca") == "Filtre à huile"
    assert oil_filter.localized("name", "de") == "Oil filter"
    oil_filter.translations = {"fr": {"name": ""}}
    assert oil_filter.localized("name", "fr") == "Oil filter"


def test_localized_refuses_a_field_that_is_not_translated(oil_filter):
    with pytest.raises(ValueError, match="number"):
        oil_filter.localized("number")


def test_templates_choices_and_str_show_the_active_language(oil_filter):
    operation = LabourOperation.objects.create(
        code="AC",
        description="Air-conditioning service",
        flat_rate_hours=Decimal("1.00"),
        skill=LabourOperation.Skill.MECHANICS,
        translations={"fr": {"description": "Entretien de la climatisation"}},
    )
    picker = forms.ModelChoiceField(queryset=LabourOperation.objects.filter(pk=operation.pk))

    with translation.override("fr"):
        assert Template('{% load translated %}{{ part|localized:"name" }}').render(Context({"part": oil_filter})) == "Filtre à huile"
        assert str(oil_filter) == "FLT-OIL Filtre à huile"
        assert [label for _value, label in picker.choices][1] == "AC Entretien de la climatisation"


def test_in_every_language_gives_the_default_text_and_its_translations():
    assert in_every_language("name", ("Lift 1", "Pont 1", "Подъёмник 1", "1号举升机")) == {
        "name": "Lift 1",
        "translations": {"fr": {"name": "Pont 1"}, "ru": {"name": "Подъёмник 1"}, "zh-hans": {"name": "1号举升机"}},
    }
    with pytest.raises(ValueError):
        in_every_language("name", ("Lift 1", "Pont 1"))


# --- the admin: one input per language and field -----------------------------------


def test_the_admin_edits_a_parts_names_one_input_per_language(admin_client, oil_filter):
    url = reverse("admin:customers_part_change", args=[oil_filter.pk])
    data = page_form_entries(admin_client, url, "part_form")

    assert (data["name_fr"], data["name_ru"], data["name_zh_hans"]) == (["Filtre à huile"], ["Масляный фильтр"], ["机油滤清器"])
    assert "translations" not in data
    data.update(name_fr=["Filtre à huile moteur"], name_zh_hans=[""])
    assert admin_client.post(url, data).status_code == 302

    oil_filter.refresh_from_db()
    assert oil_filter.translations == {"fr": {"name": "Filtre à huile moteur"}, "ru": {"name": "Масляный фильтр"}}
    assert oil_filter.name == "Oil filter"


def test_the_admin_adds_a_labour_operation_with_its_translations(admin_client):
    data = page_form_entries(admin_client, reverse("admin:customers_labouroperation_add"), "labouroperation_form")
    data.update(
        code=["AC"],
        description=["Air-conditioning service"],
        description_fr=["Entretien de la climatisation"],
        description_ru=["Обслуживание кондиционера"],
        flat_rate_hours=["0.70"],
        skill=["express"],
    )
    assert admin_client.post(reverse("admin:customers_labouroperation_add"), data).status_code == 302

    operation = LabourOperation.objects.get(code="AC")
    assert operation.translations == {
        "fr": {"description": "Entretien de la climatisation"},
        "ru": {"description": "Обслуживание кондиционера"},
    }


def test_a_translation_longer_than_its_field_is_refused_naming_the_input(admin_client, oil_filter):
    url = reverse("admin:customers_part_change", args=[oil_filter.pk])
    data = page_form_entries(admin_client, url, "part_form")
    data.update(name_ru=["ф" * 121])

    page = admin_client.post(url, data)

    assert page.status_code == 200 and "name_ru" in page.context["adminform"].form.errors
    oil_filter.refresh_from_db()
    assert oil_filter.translations == FILTER
