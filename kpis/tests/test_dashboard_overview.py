"""The manager's dashboard: headline figures against their targets, the rest by stage, 13-month trends, the PDF."""

import io
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from aftersales.accounts.models import Brand, SiteBrand
from aftersales.tests.html_forms import page_form_entries
from kpis.models import Headline, HeadlineTarget
from kpis.targets import DEFAULTS, Status, Target, targets_for

from .dataset import PARIS, build_month

pytestmark = pytest.mark.django_db
MARCH = {"period": "month", "day": "2026-03-15"}
d = Decimal


@pytest.fixture
def month(site, other_site):
    with timezone.override(PARIS):
        return build_month(site, other_site)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.mark.parametrize(
    ("figure", "status"),
    [
        (d("95.0"), Status.ON),
        (d("99.9"), Status.ON),
        (d("94.9"), Status.CLOSE),
        (d("90.0"), Status.CLOSE),
        (d("89.9"), Status.OFF),
        (None, Status.NONE),
    ],
)
def test_status_against_the_target_on_close_off_boundaries(figure, status):
    assert Target(d("95"), d("5")).status(figure) == status


def test_a_site_target_overrides_its_brands_and_defaults_apply_without_any(site, other_site):
    audi = Brand.objects.create(code="audi-t", name="Audi T")
    SiteBrand.objects.create(site=site, brand=audi)
    SiteBrand.objects.create(site=other_site, brand=audi)
    HeadlineTarget.objects.create(kpi=Headline.SHOW_RATE, brand=audi, target=d("80"), close_margin=d("3"))
    HeadlineTarget.objects.create(kpi=Headline.SHOW_RATE, site=site, target=d("70"))

    assert targets_for((site.pk,))[Headline.SHOW_RATE] == Target(d("70"), d("5"))
    assert targets_for((other_site.pk,))[Headline.SHOW_RATE] == Target(d("80"), d("3"))
    assert targets_for((site.pk, other_site.pk))[Headline.SHOW_RATE].value == d("80")  # the strictest of the sites
    assert targets_for((site.pk,))[Headline.CALLBACK] == Target(DEFAULTS[Headline.CALLBACK])


def test_the_admin_sets_a_site_target_in_french_and_refuses_a_bad_one(admin_client, admin_user, site):
    admin_user.language = "fr"
    admin_user.save(update_fields=["language"])
    url = reverse("admin:kpis_headlinetarget_add")
    data = page_form_entries(admin_client, url, "headlinetarget_form") | {"kpi": Headline.CALLBACK, "site": site.pk, "target": "92.5"}
    data["close_margin"] = "4"

    saved_response = admin_client.post(url, data)
    assert saved_response.status_code == 302, saved_response.context["adminform"].form.errors
    saved = HeadlineTarget.objects.get()
    assert (saved.kpi, saved.site, saved.target, saved.close_margin) == (Headline.CALLBACK, site, d("92.5"), d("4"))

    bad = admin_client.post(url, data | {"kpi": Headline.SHOW_RATE, "close_margin": "99"})
    assert bad.status_code == 200
    assert bad.context["adminform"].form.errors["close_margin"] == ["La marge « proche » ne peut pas dépasser l'objectif."]
    assert HeadlineTarget.objects.count() == 1


def test_the_dashboard_opens_on_the_headline_figures_with_their_status(manager_client, site, month):
    HeadlineTarget.objects.create(kpi=Headline.CALLBACK, site=site, target=d("100"))
    response = manager_client.get(reverse("kpis:dashboard"), {"site": site.pk, **MARCH})

    overview = response.context["overview"]
    assert [figure.tile.kpi.key for figure in overview.headline] == list(Headline.values)
    callback = overview.headline[1]
    assert (callback.tile.current, callback.target.value, callback.status) == (d("100.0"), d("100"), Status.ON)
    page = response.content.decode()
    assert page.index('id="headline-confirmation_30_min"') < page.index('id="stage-booking"')
    assert "On target" in page and "Off target" in page


def test_the_other_figures_are_grouped_by_stage(manager_client, site, month):
    overview = manager_client.get(reverse("kpis:dashboard"), {"site": site.pk, **MARCH}).context["overview"]

    stages = {stage.key: [tile.kpi.key for tile in stage.tiles] for stage in overview.stages}
    assert list(stages)[:5] == ["booking", "workshop", "quality", "customer", "revenue"]
    assert "no_show_rate" in stages["booking"] and "efficiency" in stages["workshop"] and "rework_rate" in stages["quality"]
    assert "nps" in stages["customer"] and "revenue_per_visit" in stages["revenue"]
    assert not {key for keys in stages.values() for key in keys} & set(Headline.values)


@pytest.mark.parametrize("params", [MARCH, {"period": "week", "day": "2026-03-15"}])
def test_each_figure_has_a_13_month_trend_with_its_values(manager_client, site, month, params):
    response = manager_client.get(reverse("kpis:dashboard"), {"site": site.pk, **params})

    tile = next(tile for stage in response.context["overview"].stages for tile in stage.tiles if tile.kpi.key == "no_show_rate")
    assert len(tile.history) == 13 and len(tile.series.points) == 13
    assert tile.history[-1] == ("Mar 26", d("33.3")) and tile.history[0][0] == "Mar 25"
    svg = response.content.decode().split('id="kpi-no_show_rate"')[1].split("</svg>")[0]
    assert "33.3" in svg and "Mar 25" in svg and svg.count('class="kpi-value"') == 1


def test_the_monthly_pdf_is_a4_landscape_with_the_headline_figures_on_page_one(manager_client, site, month, tmp_path):
    response = manager_client.get(reverse("kpis:report"), {"site": site.pk, "day": "2026-03-15"})

    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    pdf = tmp_path / "kpis.pdf"
    pdf.write_bytes(response.content)
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for text in ("Brand standard: headline figures", "7-day callback rate", "Show rate", "Target", "Off target"):
        assert text in first
    assert "100.0 %" in first
