"""The week grid of a site kept in the cache until something it is read from changes.

A site's grid is stored under a version token; a booking or its release, and any change to what the grid is
built from (opening hours, closures, advisors' hours and absences, capacity rules and overrides, the advisors
themselves) replaces the token once the transaction commits, so the next request builds the grid again. A change
that names no site (an advisor's groups or sites) replaces the token every site's grid also reads. The grid only
helps the desk choose: the booking services check the slot again against the database.
"""

from collections.abc import Callable
from uuid import uuid4

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

GRID_TTL = 15 * 60  # seconds: a bound for changes made in another process when the cache is not shared
ALL_SITES = "all"


def _version_key(site_id) -> str:
    return f"appointments:grid-version:{site_id}"


def _version(site_id) -> str:
    key = _version_key(site_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid4().hex, None)
        version = cache.get(key)
    return version


def cached_grid(*, site_id: int, parts: tuple, build: Callable):
    """``build()`` for this site and ``parts``, from the cache while the site's grid has not changed."""
    key = ":".join(["appointments:grid", str(site_id), _version(ALL_SITES), _version(site_id), *map(str, parts)])
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, GRID_TTL)
    return found


def grid_changed(*, site_id: int | None) -> None:
    """The site's grid (every site's when ``site_id`` is None) is built again: from now on, and once more when the
    transaction commits, since a request may cache the grid as it stood before the commit in between."""
    key = _version_key(ALL_SITES if site_id is None else site_id)
    cache.set(key, uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(key, uuid4().hex, None))


def _row_changed(sender, instance, **kwargs) -> None:
    grid_changed(site_id=getattr(instance, "site_id", None))


def _staff_changed(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is None or set(update_fields) - {"last_login", "password"}:
        grid_changed(site_id=None)


def _staff_links_changed(sender, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        grid_changed(site_id=None)


def watch_grid_sources() -> None:
    """Connect the rows the week grid is built from (``slots.week_grid``); called once from the app's ``ready``."""
    from aftersales.accounts.models import OpeningHours, Site, SiteClosure, User

    from .models import Absence, AdvisorSchedule, CapacityOverride, SiteCapacityRule, SlotReservation

    for model in (SlotReservation, Absence, AdvisorSchedule, CapacityOverride, SiteCapacityRule, OpeningHours, SiteClosure):
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"grid-{model._meta.label}-save")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"grid-{model._meta.label}-delete")
    post_save.connect(_staff_changed, sender=User, dispatch_uid="grid-user-save")
    post_save.connect(_staff_changed, sender=Site, dispatch_uid="grid-site-save")
    for through in (User.groups.through, User.sites.through):
        m2m_changed.connect(_staff_links_changed, sender=through, dispatch_uid=f"grid-{through._meta.label}")
