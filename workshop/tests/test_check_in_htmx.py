"""The check-in with htmx: a saved step answers the next one as a fragment with its title and address, a mistake comes
back in place, jobs are added and removed in their section; Back, a reload and a browser without JavaScript get pages."""

from django.urls import reverse

from aftersales.customers.models import Vehicle
from workshop.models import WorkOrder
from workshop.services import sign_on_tablet
from workshop.signed_content import content_hash

from .helpers import signature_data_url

HTMX = {"HTTP_HX_REQUEST": "true"}


def step_url(order, step):
    return reverse("workshop:step", args=[order.pk, step])


def test_a_saved_step_sends_htmx_to_the_next_one_which_answers_its_area_its_title_and_its_address(client, advisor, order):
    client.force_login(advisor)
    saved = client.post(step_url(order, "prepare"), {"cover_seat": "on"}, **HTMX)
    assert saved.status_code == 302 and saved.url == step_url(order, "greet")

    following = client.get(saved.url, **HTMX)
    assert following.status_code == 200 and following["HX-Push-Url"] == step_url(order, "greet")
    assert "HX-Request" in following["Vary"]
    assert following.text.lstrip().startswith(f"<title>{order.number} · Greet and confirm the work · After-sales</title>")
    assert "<html" not in following.text and 'id="step-title"' in following.text and "data-swap-focus" in following.text


def test_a_refused_step_comes_back_in_place_with_its_errors_and_400_without_moving_the_address(client, advisor, order):
    client.force_login(advisor)
    response = client.post(step_url(order, "prepare"), {"covers_not_fitted_reason": ""}, **HTMX)
    assert response.status_code == 400 and "HX-Push-Url" not in response
    assert "<html" not in response.text and 'aria-invalid="true"' in response.text and "data-swap-invalid" in response.text


def test_back_a_reload_and_a_browser_without_javascript_get_the_whole_page(client, advisor, order):
    client.force_login(advisor)
    restored = client.get(step_url(order, "prepare"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    plain = client.get(step_url(order, "prepare"))
    for response in (restored, plain):
        assert response.status_code == 200 and "<html" in response.text and 'id="check-in"' in response.text
        assert "workshop_diagram.js" in response.text and "workshop_signature.js" in response.text


def test_the_signature_step_swaps_in_too(client, advisor, checked_in):
    client.force_login(advisor)
    response = client.get(step_url(checked_in, "sign"), **HTMX)
    assert response.status_code == 200 and "<html" not in response.text and 'id="signature-pad"' in response.text


def test_a_signed_order_sends_htmx_to_its_page(client, advisor, checked_in):
    sign_on_tablet(work_order=checked_in, image_data_url=signature_data_url(), shown_hash=content_hash(checked_in), actor=advisor)
    client.force_login(advisor)
    response = client.get(step_url(checked_in, "agreement"), **HTMX)
    assert response["HX-Redirect"] == checked_in.get_absolute_url()


def test_jobs_are_added_and_removed_in_their_section_with_the_new_totals(client, advisor, order):
    client.force_login(advisor)
    added = client.post(
        reverse("workshop:job_add", args=[order.pk]),
        {"concern": "Wipers", "flat_rate_hours": "0.5", "skill": "mechanics", "payer": "customer"},
        **HTMX,
    )
    assert added.status_code == 200 and "Job added." in added.text and "Wipers" in added.text and 'id="job-form"' in added.text
    assert "<html" not in added.text and 'id="step-form"' not in added.text
    job = order.jobs.get(concern="Wipers")

    removed = client.post(reverse("workshop:job_remove", args=[order.pk, job.pk]), **HTMX)
    assert removed.status_code == 200 and "Job removed." in removed.text and "Wipers" not in removed.text
    assert not order.jobs.filter(pk=job.pk).exists()


def test_a_refused_job_comes_back_in_its_section_with_400(client, advisor, order):
    client.force_login(advisor)
    response = client.post(
        reverse("workshop:job_add", args=[order.pk]), {"flat_rate_hours": "-1", "skill": "mechanics", "payer": "customer"}, **HTMX
    )
    assert response.status_code == 400 and 'aria-invalid="true"' in response.text and "<html" not in response.text


def test_a_refused_walk_in_comes_back_in_place_with_400(client, advisor, clock, templates):
    client.force_login(advisor)
    response = client.post(reverse("workshop:walk_in"), {"vin": "WAUZZZ8V5KA999999", "customer_words": "Tyres"}, **HTMX)
    assert response.status_code == 400 and "This VIN is not on file" in response.text
    assert "<html" not in response.text and 'id="walk-in-form"' in response.text
    assert not Vehicle.objects.exists() and not WorkOrder.objects.exists()
