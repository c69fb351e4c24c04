"""Workshop reference data kept per language (customers.models.Translated): bays and checklist points."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from aftersales.tests.html_forms import page_form_entries
from workshop.models import Bay, InspectionItem, InspectionTemplate

pytestmark = pytest.mark.django_db


def test_a_copy_made_in_one_language_is_read_back_in_the_readers():
    point = InspectionItem(
        label="Tyre front left", translations={"fr": {"label": "Pneu avant gauche"}, "ru": {"label": "Шина передняя левая"}}
    )

    assert point.relocalized("label", "Pneu avant gauche", "ru") == "Шина передняя левая"
    assert point.relocalized("label", "Шина передняя левая: worn inside", "fr") == "Pneu avant gauche: worn inside"
    assert point.relocalized("label", "Tyre front left", "fr") == "Pneu avant gauche"
    assert point.relocalized("label", "Pneu avant gauche usé", "ru") == "Pneu avant gauche usé"  # not a copy: as written


def test_a_bay_reads_in_the_active_language():
    bay = Bay(name="Lift 1", translations={"ru": {"name": "Подъёмник 1"}})

    with translation.override("ru"):
        assert str(bay) == "Подъёмник 1"


def test_the_admin_edits_a_checklists_points_per_language_in_its_inline(admin_client):
    checklist = InspectionTemplate.objects.create(name="Quick check", translations={"fr": {"name": "Contrôle rapide"}})
    point = InspectionItem.objects.create(template=checklist, position=1, section="Tyres", label="Tyre front left", hours=Decimal("0.5"))
    url = reverse("admin:workshop_inspectiontemplate_change", args=[checklist.pk])
    data = page_form_entries(admin_client, url, "inspectiontemplate_form")

    assert data["name_fr"] == ["Contrôle rapide"] and data["items-0-label_fr"] == [""]
    data.update(
        {
            "items-0-section_fr": ["Pneumatiques"],
            "items-0-label_fr": ["Pneu avant gauche"],
            "items-0-label_ru": ["Шина передняя левая"],
            "items-0-measurement_label_fr": ["Profondeur de sculpture (mm)"],
        }
    )
    assert admin_client.post(url, data).status_code == 302

    point.refresh_from_db()
    assert point.translations == {
        "fr": {"section": "Pneumatiques", "label": "Pneu avant gauche", "measurement_label": "Profondeur de sculpture (mm)"},
        "ru": {"label": "Шина передняя левая"},
    }
    assert point.label == "Tyre front left"
