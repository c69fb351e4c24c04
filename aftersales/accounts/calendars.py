"""Sites' calendars loaded once for a timed job that goes over many rows (``lib.business_hours.SiteCalendar``)."""

from collections import defaultdict
from datetime import date

from aftersales.lib.business_hours import SiteCalendar

from .models import OpeningHours, Site, SiteClosure


def site_calendars(sites=None, *, since: date) -> dict[int, SiteCalendar]:
    """The calendars of ``sites`` (default: every site) by site id, in three queries; closures before ``since`` are
    left out."""
    sites = list(Site.objects.all() if sites is None else sites)
    ids = [site.pk for site in sites]
    closures, weekdays = defaultdict(set), defaultdict(set)
    for site_id, day in SiteClosure.objects.filter(site_id__in=ids, day__gte=since).values_list("site_id", "day"):
        closures[site_id].add(day)
    for site_id, weekday in OpeningHours.objects.filter(site_id__in=ids).values_list("site_id", "weekday"):
        weekdays[site_id].add(weekday)
    return {
        site.pk: SiteCalendar(
            tz=site.tz,
            holidays=site.public_holidays(since.year),
            closures=frozenset(closures[site.pk]),
            open_weekdays=frozenset(weekdays[site.pk]),
        )
        for site in sites
    }
