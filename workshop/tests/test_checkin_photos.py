"""Check-in: walk-around photos sent in the background and tied to a damage mark, their thumbnails on the PDF, the
protective covers (or why none), and the photo size limit answered in the user's language."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from workshop.exceptions import InvalidCheckIn, PhotoRefused
from workshop.models import DamageMark
from workshop.services import add_photo, save_prepare_step, save_walk_around_step

from .helpers import image_bytes, photo_upload, step_data

HTMX = {"HTTP_HX_REQUEST": "true"}
NO_COVER = {"cover_seat": False, "cover_steering_wheel": False, "cover_floor_mat": False}


def _walk_around(order, advisor, marks):
    return save_walk_around_step(work_order=order, actor=advisor, **{**step_data("walk_around"), "marks": marks})


SCRATCH = {"view": "left", "x": 0.25, "y": 0.5, "kind": "scratch", "note": "rear door"}
DENT = {"view": "front", "x": 0.5, "y": 0.5, "kind": "dent", "note": ""}


# --- covers -----------------------------------------------------------------------


def test_the_prepare_step_refuses_no_cover_and_no_reason_naming_the_field(order, advisor):
    with pytest.raises(InvalidCheckIn) as refused:
        save_prepare_step(work_order=order, actor=advisor, **NO_COVER, covers_not_fitted_reason="  ")
    assert refused.value.field == "covers_not_fitted_reason"
    order.refresh_from_db()
    assert order.check_in_step == 0


def test_the_prepare_step_keeps_why_no_cover_was_fitted(order, advisor):
    save_prepare_step(work_order=order, actor=advisor, **NO_COVER, covers_not_fitted_reason="Customer refused the covers")
    order.refresh_from_db()
    assert order.covers_not_fitted_reason == "Customer refused the covers" and order.check_in_step == 1


def test_the_prepare_page_shows_the_refusal_on_the_reason_field(client, advisor, order):
    client.force_login(advisor)
    response = client.post(reverse("workshop:step", args=[order.pk, "prepare"]), {"covers_not_fitted_reason": ""})
    assert response.status_code == 400
    assert 'id="id_covers_not_fitted_reason"' in response.text and 'aria-invalid="true"' in response.text
    assert "floor mat" in response.text


# --- damage marks and photos ------------------------------------------------------


def test_saving_the_walk_around_again_keeps_the_marks_left_in_place_and_their_photos(order, advisor):
    _walk_around(order, advisor, [SCRATCH])
    scratch = order.damage_marks.get()
    photo = add_photo(work_order=order, upload=photo_upload(), actor=advisor, damage_mark=scratch)
    _walk_around(order, advisor, [{**SCRATCH, "note": "rear left door"}, DENT])
    assert order.damage_marks.filter(pk=scratch.pk, note="rear left door").exists() and order.damage_marks.count() == 2
    photo.refresh_from_db()
    assert photo.damage_mark_id == scratch.pk
    _walk_around(order, advisor, [DENT])
    photo.refresh_from_db()
    assert photo.damage_mark_id is None and not DamageMark.objects.filter(pk=scratch.pk).exists()


def test_a_photo_cannot_show_another_orders_damage(order, advisor, site, customer, vehicle, clock):
    from workshop.services import open_walk_in

    other = open_walk_in(site=site, customer=customer, vehicle=vehicle, actor=advisor)
    _walk_around(other, advisor, [SCRATCH])
    with pytest.raises(PhotoRefused) as refused:
        add_photo(work_order=order, upload=photo_upload(), actor=advisor, damage_mark=other.damage_marks.get())
    assert refused.value.field == "damage_mark"


def test_an_htmx_photo_answers_only_the_photos_section_with_the_damage_number(client, advisor, order):
    _walk_around(order, advisor, [DENT, SCRATCH])
    scratch = order.damage_marks.get(kind="scratch")
    client.force_login(advisor)
    response = client.post(reverse("workshop:photo_add", args=[order.pk]), {"photo": photo_upload(), "damage_mark": scratch.pk}, **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="mt-4"') and "<html" not in response.text
    assert "Damage 2" in response.text and 'id="photo-added"' in response.text
    assert order.photos.get().damage_mark == scratch


def test_an_htmx_photo_that_is_not_an_image_comes_back_with_the_error_in_place(client, advisor, order):
    client.force_login(advisor)
    response = client.post(reverse("workshop:photo_add", args=[order.pk]), {"photo": photo_upload(content=b"%PDF-1.4")}, **HTMX)
    assert response.status_code == 400 and "<html" not in response.text
    assert "not a photo" in response.text and not order.photos.exists()


def test_the_walk_around_page_offers_the_saved_marks_for_a_photo(client, advisor, order):
    _walk_around(order, advisor, [SCRATCH])
    client.force_login(advisor)
    page = client.get(reverse("workshop:step", args=[order.pk, "walk_around"])).text
    assert 'name="damage_mark"' in page and "1. Scratch (Left side): rear door" in page
    assert 'data-hx-post="{}"'.format(reverse("workshop:photo_add", args=[order.pk])) in page


def test_an_inspection_photo_sent_in_the_background_answers_its_cell(client, mechanic, in_workshop):
    from workshop.services import start_inspection

    inspection = start_inspection(work_order=in_workshop, actor=mechanic)
    row = inspection.results.first()
    client.force_login(mechanic)
    response = client.post(reverse("workshop:inspection_photo", args=[in_workshop.pk, row.pk]), {"photo": photo_upload()}, **HTMX)
    assert response.status_code == 200 and "<html" not in response.text and "result-photos" in response.text
    assert row.photos.count() == 1


def test_the_work_order_pdf_shows_the_photos_as_thumbnails(client, advisor, order):
    _walk_around(order, advisor, [SCRATCH])
    add_photo(
        work_order=order,
        upload=photo_upload(content=image_bytes("JPEG", (2400, 1800))),
        actor=advisor,
        caption="Rear door",
        damage_mark=order.damage_marks.get(),
    )
    client.force_login(advisor)
    reader = PdfReader(io.BytesIO(client.get(reverse("workshop:pdf", args=[order.pk])).content))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 1 and max(images[0].image.size) <= 360
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Dommage 1" in text and "Rear door" in text  # the customer reads French


@pytest.mark.parametrize(("language", "words"), [("fr", "trop volumineux"), ("en", "too large")])
def test_a_15_mb_photo_gets_a_page_in_the_users_language(client, advisor, order, language, words, settings):
    advisor.language = language
    advisor.save(update_fields=["language"])
    client.force_login(advisor)
    body = b"x" * (15 * 1024 * 1024)
    response = client.post(
        reverse("workshop:photo_add", args=[order.pk]), data=body, content_type="multipart/form-data; boundary=x", **HTMX
    )
    assert response.status_code == 413 and response["HX-Retarget"] == "#request-error"
    assert words in response.text.lower()
