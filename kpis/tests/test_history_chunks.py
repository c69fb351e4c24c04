"""The whole-history rebuild in chunks: cut off after its first chunk and run again, it goes on where it stopped and
ends with the figures of a rebuild never cut off."""

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from aftersales.jobs import chunks
from aftersales.jobs.registry import run_job
from kpis.models import DailyFigure, HistoryRebuild, MonthlyFigure

from .dataset import PARIS, at, build_month

pytestmark = pytest.mark.django_db
COLUMNS = ("kpi", "part", "site_id", "day", "person_id", "num", "den")


def figures() -> tuple[list, list]:
    return (
        list(DailyFigure.objects.order_by(*COLUMNS).values_list(*COLUMNS)),
        list(MonthlyFigure.objects.order_by(*COLUMNS).values_list(*COLUMNS)),
    )


def rebuild_history() -> int:
    with timezone.override(PARIS):
        return run_job("kpi_figures_all", now=at(31, 23))


def test_a_history_rebuild_cut_off_after_its_first_chunk_goes_on_and_ends_with_the_same_figures(site, other_site, monkeypatch):
    with timezone.override(PARIS):
        build_month(site, other_site)
    rebuild_history()
    uncut = figures()
    assert uncut[0] and uncut[1] and not HistoryRebuild.objects.exists()
    DailyFigure.objects.all().delete()
    MonthlyFigure.objects.all().delete()

    def cut_off(done):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(chunks, "chunk_done", cut_off)
    with pytest.raises(SoftTimeLimitExceeded):
        rebuild_history()
    assert HistoryRebuild.objects.exists()  # the cursor of the pass under way, moved past the first chunk
    assert figures() != uncut

    monkeypatch.setattr(chunks, "chunk_done", lambda done: None)
    rebuild_history()
    assert figures() == uncut and not HistoryRebuild.objects.exists()
