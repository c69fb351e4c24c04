"""The comeback heuristic: the same concern found from the customer's words, whatever language each visit was written in."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from appointments.concerns import Concern, categories_in, same_concern
from appointments.selectors import comeback_warnings
from appointments.slots import JobRequest

from .factories import LabourOperationFactory

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def at(day: str, clock: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=PARIS)


def written(description: str) -> JobRequest:
    """A job typed by the agent (no catalogue job)."""
    return JobRequest(description=description, skill="mechanics", flat_rate_hours=Decimal("0.5"))


@pytest.mark.parametrize(
    "text",
    [
        "Squeaking when braking",
        "Les freins grincent",
        "Changer les plaquettes avant",
        "Скрипят тормоза",
        "Поменять передние колодки",
        "刹车有异响",
        "前轮制动盘磨损",
    ],
)
def test_brake_concerns_are_recognised_in_the_four_languages(text):
    assert categories_in([text]) == {"brakes"}


@pytest.mark.parametrize(
    "text, categories",
    [
        ("La clim ne refroidit plus", {"air_conditioning"}),
        ("Не работает кондиционер", {"air_conditioning"}),
        ("Crevaison, pneu arrière gauche", {"tyres"}),
        ("Прокол шины", {"tyres"}),
        ("Le moteur chauffe, voyant allumé", {"engine"}),
        ("Машина не заводится, сел аккумулятор", {"battery"}),
        ("Le pare-brise est fissuré", {"wipers"}),
        ("Bruit à l'avant", set()),  # a symptom alone is no category
        ("", set()),
    ],
)
def test_each_category_has_its_keywords_and_symptoms_are_none(text, categories):
    assert categories_in([text]) == categories


def test_a_catalogue_job_brings_the_categories_of_its_translations():
    operation = LabourOperationFactory(description="Front pads", translations={"fr": {"description": "Plaquettes avant"}})

    assert Concern.of(operations=[operation]).categories == {"brakes"}


def test_two_concerns_share_jobs_words_or_categories():
    earlier = Concern.of(texts=["Remplacement des plaquettes de frein"])

    assert same_concern(Concern.of(texts=["тормоза скрипят"]), earlier).categories == {"brakes"}
    assert same_concern(Concern.of(texts=["plaquettes usées"]), earlier).words == {"plaquettes"}
    assert not same_concern(Concern.of(texts=["La climatisation ne marche plus"]), earlier)


def test_a_call_in_russian_is_a_comeback_of_a_job_written_in_french(booking, vehicle, clock):
    earlier = booking(at("2026-03-02", "10:00"), jobs=[written("Remplacement des plaquettes de frein")], customer_words="")
    clock.move_to(at("2026-03-20", "09:00"))

    with translation.override("en"):
        found = comeback_warnings(vehicle=vehicle, operation_ids=[], words="Снова скрипят тормоза", now=at("2026-03-20", "09:00"))

    assert found == [earlier]
    assert found[0].comeback_reasons == ["brakes"]


def test_a_catalogue_job_translated_matches_words_written_in_chinese(booking, vehicle, clock):
    pads = LabourOperationFactory(description="Brake pads", translations={"fr": {"description": "Plaquettes de frein"}})
    earlier = booking(at("2026-03-02", "10:00"), customer_words="刹车有异响")
    clock.move_to(at("2026-03-20", "09:00"))

    found = comeback_warnings(vehicle=vehicle, operation_ids=[pads.pk], words="", now=at("2026-03-20", "09:00"))

    assert found == [earlier]


def test_another_concern_or_a_visit_over_30_days_ago_is_no_comeback(booking, vehicle, clock):
    booking(at("2026-03-02", "10:00"), jobs=[written("Plaquettes de frein")], customer_words="")
    clock.move_to(at("2026-03-20", "09:00"))

    assert comeback_warnings(vehicle=vehicle, operation_ids=[], words="Кондиционер не холодит", now=at("2026-03-20", "09:00")) == []
    assert comeback_warnings(vehicle=vehicle, operation_ids=[], words="brake squeal", now=at("2026-04-05", "09:00")) == []


def test_the_comeback_check_runs_a_fixed_number_of_queries(booking, vehicle, clock, django_assert_max_num_queries):
    pads = LabourOperationFactory(description="Brake pads")
    for day in ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"):
        booking(at(day, "10:00"), jobs=[JobRequest.of(pads)])
    clock.move_to(at("2026-03-20", "09:00"))

    with django_assert_max_num_queries(3):
        found = comeback_warnings(vehicle=vehicle, operation_ids=[pads.pk], words="freins", now=at("2026-03-20", "09:00"))

    assert len(found) == 4
