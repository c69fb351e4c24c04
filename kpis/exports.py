"""Tables of the dashboard as rows, their CSV and XLSX files, and the monthly PDF report."""

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from aftersales.lib.pdf import render_pdf

from .figures import refreshed_at
from .periods import Window
from .queries import Kpi, Scope
from .selectors import Tile, dashboard, overview

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell(record, path: str):
    """The value at ``path`` ("customer", "sold_job__added_at", "get_status_display") as a plain value."""
    value = record
    for name in path.split("__"):
        value = getattr(value, name, None) if value is not None else None
        if callable(value):
            value = value()
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if value is None or isinstance(value, (int, float, str)) or hasattr(value, "as_tuple"):
        return value
    return str(value)


def record_rows(kpi: Kpi, records: Iterable) -> tuple[list, Iterable]:
    header = [str(label) for label, _path in kpi.columns]
    return header, ([cell(record, path) for _label, path in kpi.columns] for record in records)


def summary_rows(tiles: list[Tile]) -> tuple[list, Iterable]:
    header = [_("KPI"), _("Unit"), _("Period"), _("Previous period"), _("Same period last year"), _("Built on")]
    return header, (
        [str(tile.kpi.label), tile.kpi.unit, tile.current, tile.previous, tile.last_year, str(tile.kpi.built_on)] for tile in tiles
    )


def csv_response(filename: str, header: list, rows: Iterable) -> HttpResponse:
    response = HttpResponse(content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def xlsx_response(filename: str, header: list, rows: Iterable) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(filename[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([value if not hasattr(value, "as_tuple") else float(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def monthly_pdf(*, scope: Scope, window: Window, sites, currency: str, language: str, time_zone) -> bytes:
    """The month's report (A4 landscape): the headline figures against their targets on the first page, then each
    stage's figures two to a row with their 13-month trends."""
    tiles = dashboard(scope=scope, window=window)
    context = {
        "overview": overview(tiles, scope),
        "window": window,
        "currency": currency,
        "refreshed_at": refreshed_at(scope),
        "sites": sites,
    }
    return render_pdf("pdf/kpis_monthly.html", context, language, time_zone)
