"""The KPI dashboard, the records behind a figure, their CSV/XLSX exports and the monthly PDF report."""

import hashlib

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from aftersales.accounts.permissions import staff_view

from . import exports
from .figures import oldest_refresh, refresh_stamps
from .forms import DashboardFilters
from .periods import PeriodKind
from .queries import BY_KEY, Kpi
from .selectors import dashboard as dashboard_tiles
from .selectors import kpi_records, overview
from .targets import targets_for

PAGE_SIZE = 50
OVERVIEW_TTL = 24 * 60 * 60  # seconds; the key changes with every aggregation anyway
PERMISSION = "kpis.view_dashboard"


def _filters(request, **overrides) -> DashboardFilters:
    data = request.GET.copy()
    for name, value in overrides.items():
        data[name] = value
    return DashboardFilters(data, user=request.user)


def _kpi(request) -> Kpi:
    kpi = BY_KEY.get(request.GET.get("kpi", ""))
    if kpi is None or not kpi.drillable:
        raise Http404("no such KPI")
    return kpi


def _currency(filters: DashboardFilters) -> str:
    site = filters.cleaned_data["site"] or filters.fields["site"].queryset.first()
    return site.currency if site else ""


def _invalid(request, filters: DashboardFilters):
    return render(request, "kpis/dashboard.html", {"filters": filters, "overview": None}, status=400)


def _overview_key(*, scope, window, context: dict, stamps: dict, targets: dict) -> str:
    """The cached figures stay true until a site's figures are rebuilt, a target changes or the day turns; they are
    rendered in one language, with the page's currency and links."""
    parts = (
        get_language(),
        timezone.localdate().isoformat(),
        scope,
        window.kind,
        window.current.start,
        window.current.end,
        context["currency"],
        context["query"],
        sorted(stamps.items()),
        sorted(targets.items()),
    )
    return "kpis:overview:" + hashlib.sha256(repr(parts).encode()).hexdigest()


@staff_view(PERMISSION)
def dashboard(request):
    filters = _filters(request)
    if not filters.is_valid():
        return _invalid(request, filters)
    window, scope = filters.window(), filters.scope()
    stamps, targets = refresh_stamps(scope), targets_for(scope.site_ids)
    context = {
        "filters": filters,
        "window": window,
        "currency": _currency(filters),
        "query": request.GET.urlencode(),
        "refreshed_at": oldest_refresh(scope, stamps),
    }
    key = _overview_key(scope=scope, window=window, context=context, stamps=stamps, targets=targets)
    html = cache.get(key)
    if html is None:
        context["overview"] = overview(dashboard_tiles(scope=scope, window=window), scope, targets)
        html = render_to_string("kpis/_overview.html", context)
        cache.set(key, html, OVERVIEW_TTL)
    return render(request, "kpis/dashboard.html", {**context, "overview_html": mark_safe(html)})  # noqa: S308 (rendered here)


@staff_view(PERMISSION)
def records(request):
    kpi = _kpi(request)
    filters = _filters(request)
    if not filters.is_valid():
        return _invalid(request, filters)
    window = filters.window()
    page = Paginator(kpi_records(kpi=kpi, scope=filters.scope(), window=window), PAGE_SIZE).get_page(request.GET.get("page"))
    header, rows = exports.record_rows(kpi, page.object_list)
    return render(
        request,
        "kpis/records.html",
        {
            "kpi": kpi,
            "filters": filters,
            "window": window,
            "page": page,
            "header": header,
            "rows": list(rows),
            "query": request.GET.urlencode(),
        },
    )


@staff_view(PERMISSION)
def export(request):
    """?format=csv|xlsx; with ?kpi=KEY the records behind that KPI, without it the table of every KPI."""
    writer = {"csv": exports.csv_response, "xlsx": exports.xlsx_response}.get(request.GET.get("format", ""))
    if writer is None:
        return HttpResponseBadRequest("format must be csv or xlsx")
    kpi = _kpi(request) if "kpi" in request.GET else None
    filters = _filters(request)
    if not filters.is_valid():
        return _invalid(request, filters)
    window, scope = filters.window(), filters.scope()
    stamp = window.current.start.isoformat()
    if kpi is None:
        return writer(f"kpis-{stamp}", *exports.summary_rows(dashboard_tiles(scope=scope, window=window)))
    return writer(f"{kpi.key}-{stamp}", *exports.record_rows(kpi, kpi_records(kpi=kpi, scope=scope, window=window).iterator()))


@staff_view(PERMISSION)
def report(request):
    """The month's report as a PDF a manager can send to the brand."""
    filters = _filters(request, period=PeriodKind.MONTH)
    if not filters.is_valid():
        return _invalid(request, filters)
    window, scope = filters.window(), filters.scope()
    pdf = exports.monthly_pdf(
        scope=scope,
        window=window,
        sites=filters.fields["site"].queryset.filter(pk__in=scope.site_ids),
        currency=_currency(filters),
        language=get_language(),
        time_zone=timezone.get_current_timezone(),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="kpis-{window.current.start:%Y-%m}.pdf"'
    return response
