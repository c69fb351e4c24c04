"""The reception display in the customer area: a manager makes and revokes a screen's link; the screen shows first
names and initials, no surname, plate, phone or staff menu; a forged or revoked link gets a clear page."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from aftersales.audit.models import AuditEvent
from appointments.kiosk import create_reception_screen, first_name_and_initial
from appointments.models import ReceptionScreen

from .factories import CustomerFactory, VehicleFactory

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def at(clock: str) -> datetime:
    return datetime.combine(date(2026, 3, 2), time.fromisoformat(clock), tzinfo=PARIS)


@pytest.fixture
def arrivals(site, booking, diary_advisor):
    """Two customers today at the site: Camille Moreau and Léon Petit."""
    diary_advisor.last_name = "Dubois"
    diary_advisor.save(update_fields=["last_name"])
    camille = CustomerFactory(site=site, first_name="Camille", last_name="Moreau", mobile="+33611223344")
    leon = CustomerFactory(site=site, first_name="Léon", last_name="Petit", mobile="+33655667788")
    later = booking(at("10:00"), customer=leon, vehicle=VehicleFactory(owner=leon, plate="LP-222-BB", make="Audi", model="A1"))
    earlier = booking(at("09:00"), customer=camille, vehicle=VehicleFactory(owner=camille, plate="CM-111-AA", make="Audi", model="Q5"))
    return [earlier, later]  # booked latest first: each handover takes the first slot free after its return time


@pytest.fixture
def screen_url(site, manager):
    _screen, key = create_reception_screen(site=site, name="Hall", language="fr", actor=manager)
    return reverse("appointments:kiosk", args=[key])


def test_the_screen_shows_first_names_and_initials_only_without_the_staff_menu(client, arrivals, screen_url):
    page = client.get(screen_url)

    assert page.status_code == 200
    assert [row.customer for row in page.context["arrivals"]] == ["Camille M.", "Léon P."]
    assert "Camille M." in page.text and "Marc D." in page.text and "Audi Q5" in page.text
    for private in ("Moreau", "Petit", "CM-111-AA", "+33611223344", "06 11 22 33 44", "@example.test", "Dubois"):
        assert private not in page.text
    assert "navbar" not in page.text and "logout" not in page.text and "<a " not in page.text
    assert page.headers["Content-Language"] == "fr" and "Bienvenue" in page.text
    assert "no-store" in page.headers["Cache-Control"] and page.headers["Referrer-Policy"] == "no-referrer"


def test_the_screen_refreshes_its_arrivals_alone(client, arrivals, screen_url):
    part = client.get(screen_url, headers={"HX-Request": "true"})

    assert part.status_code == 200
    assert "<html" not in part.text and 'id="arrivals-table"' in part.text and "Léon P." in part.text


def test_the_screen_reads_a_fixed_number_of_queries(client, arrivals, screen_url, booking, site, django_assert_max_num_queries):
    client.get(screen_url)
    with django_assert_max_num_queries(8) as few:
        client.get(screen_url)
    for clock in ("16:00", "15:00", "14:00"):
        customer = CustomerFactory(site=site)
        booking(at(clock), customer=customer, vehicle=VehicleFactory(owner=customer))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(screen_url)


@pytest.mark.parametrize("key", ["forged-key", "x" * 43, "%00"])
def test_a_forged_link_gets_a_clear_page(client, arrivals, screen_url, key):
    page = client.get(reverse("appointments:kiosk", args=[key]))

    assert page.status_code == 404
    assert "cannot be used" in page.text and "Camille" not in page.text


def test_a_revoked_link_stops_at_the_next_refresh(client, manager, arrivals, screen_url):
    client.force_login(manager)
    screen = ReceptionScreen.objects.get()
    client.post(reverse("appointments:reception_screen_revoke", args=[screen.pk]))
    client.logout()

    page = client.get(screen_url)
    refresh = client.get(screen_url, headers={"HX-Request": "true"})

    assert page.status_code == 404 and "Camille" not in page.text
    assert refresh.headers["HX-Refresh"] == "true"
    screen.refresh_from_db()
    assert screen.revoked_by == manager and screen.revoked_at is not None
    assert AuditEvent.objects.filter(object_id=str(screen.pk), action="update").exists()


def test_a_manager_makes_a_link_shown_once_that_opens_the_screen(client, manager, site, arrivals):
    client.force_login(manager)

    made = client.post(reverse("appointments:reception_screen_create"), {"site": site.pk, "name": "Hall d'accueil", "language": "ru"})
    shown = client.get(reverse("appointments:reception_screens"))
    again = client.get(reverse("appointments:reception_screens"))

    assert made.status_code == 302
    url = shown.context["new_link"]["url"]
    assert 'id="new-screen-link"' in shown.text and 'id="new-screen-link"' not in again.text
    client.logout()
    screen = client.get(url)
    assert screen.status_code == 200 and "Камилла" not in screen.text and "Camille M." in screen.text
    assert screen.headers["Content-Language"] == "ru" and "Добро пожаловать" in screen.text
    assert ReceptionScreen.objects.get().key_hash not in url


def test_a_link_needs_a_name_and_one_of_the_managers_sites(client, manager, other_site):
    client.force_login(manager)

    refused = client.post(reverse("appointments:reception_screen_create"), {"site": other_site.pk, "name": " ", "language": "fr"})

    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"site", "name"}
    assert not ReceptionScreen.objects.exists()


def test_advisors_see_the_preview_but_do_not_make_links(client, advisor, arrivals):
    client.force_login(advisor)

    preview = client.get(reverse("appointments:reception"))

    assert preview.status_code == 200 and "Camille M." in preview.text and "Moreau" not in preview.text
    assert reverse("appointments:reception_screens") not in preview.text
    assert client.get(reverse("appointments:reception_screens")).status_code == 403
    assert client.post(reverse("appointments:reception_screen_create"), {"name": "Hall"}).status_code == 403


def test_another_sites_screen_cannot_be_revoked(client, other_site, other_site_advisor, manager):
    screen, _key = create_reception_screen(site=other_site, name="Hall", language="fr", actor=other_site_advisor)
    client.force_login(manager)

    assert client.post(reverse("appointments:reception_screen_revoke", args=[screen.pk])).status_code == 404
    screen.refresh_from_db()
    assert screen.revoked_at is None


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [("Camille", "Moreau", "Camille M."), ("", "Moreau", "M."), ("Анна", "иванова", "Анна И."), ("Léa", "", "Léa")],
)
def test_first_name_and_initial(first, last, shown):
    assert first_name_and_initial(first, last) == shown
