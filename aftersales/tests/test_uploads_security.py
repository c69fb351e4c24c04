"""Uploads (walk-around photos, drawn signatures) stay out of the web root and behind permission checks.

The checks themselves (type read from the content, size limits) live in
workshop.services and are tested there; this module holds the project-wide
guarantees."""

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.static import serve

from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory
from appointments.tests.factories import appointment_for_matrix
from workshop.tests.matrix import WORKSHOP_RECORDS


def all_patterns(patterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from all_patterns(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield entry


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def photo(site):
    customer = CustomerFactory(site=site)
    made = {"customer": customer, "vehicle": VehicleFactory(owner=customer)}
    made["appointment"] = appointment_for_matrix(site, made["customer"], made["vehicle"])
    made["work_order"] = WORKSHOP_RECORDS["work_order"][0](site, made)
    return WORKSHOP_RECORDS["work_order_photo"][0](site, made)


def test_no_url_serves_the_media_folder_directly():
    serving = [str(pattern.pattern) for pattern in all_patterns(get_resolver().url_patterns) if pattern.callback is serve]

    assert serving == []
    assert not settings.MEDIA_URL or settings.MEDIA_URL == "/"


def test_the_media_folder_is_outside_the_static_files():
    media = settings.MEDIA_ROOT.resolve()
    for static_dir in [*settings.STATICFILES_DIRS, settings.STATIC_ROOT]:
        assert not media.is_relative_to(static_dir.resolve()), static_dir


def test_an_uploaded_file_is_not_reachable_by_its_storage_path(client, advisor, photo):
    client.force_login(advisor)

    assert client.get("/media/" + photo.image.name).status_code == 404
    assert client.get("/" + photo.image.name).status_code == 404


def test_the_photo_view_serves_the_sites_staff_with_nosniff(client, advisor, photo):
    client.force_login(advisor)

    response = client.get(reverse("workshop:photo", args=[photo.work_order.pk, photo.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_photo_view_refuses_another_sites_user(client, other_site_advisor, photo):
    client.force_login(other_site_advisor)

    response = client.get(reverse("workshop:photo", args=[photo.work_order.pk, photo.pk]))

    assert response.status_code == 404


def test_the_photo_view_sends_anonymous_visitors_to_login(client, photo):
    response = client.get(reverse("workshop:photo", args=[photo.work_order.pk, photo.pk]))

    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
