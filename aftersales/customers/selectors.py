"""Reads for the customer screens, each in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from aftersales.accounts.models import Site
from aftersales.accounts.permissions import get_for_user, visible_to
from aftersales.audit.selectors import list_history
from aftersales.lib.phones import search_digits
from aftersales.lib.text import fold, plate_key
from aftersales.lib.vin import VIN_PATTERN

from .models import Campaign, Channel, ConsentRecord, Customer, MileageReading, Ownership, SeasonalOffer, Vehicle
from .prices import with_offer_prices

SEARCH_LIMIT = 50
MIN_QUERY_LENGTH = 2
MIN_PHONE_DIGITS = 3
TRIGRAM_LENGTH = 3


@dataclass
class CustomerSearch:
    query: str
    customers: list[Customer] = field(default_factory=list)
    too_short: bool = False
    truncated: bool = False

    min_length: int = MIN_QUERY_LENGTH

    @property
    def searched(self) -> bool:
        return bool(self.query) and not self.too_short


def vehicles_with_latest_mileage(queryset: QuerySet | None = None) -> QuerySet:
    """Vehicles annotated with their latest reading (``latest_km``, ``latest_read_at``) by subquery."""
    latest = MileageReading.objects.filter(vehicle=OuterRef("pk")).order_by("-read_at", "-pk")
    queryset = queryset if queryset is not None else Vehicle.objects.all()
    return queryset.annotate(latest_km=Subquery(latest.values("km")[:1]), latest_read_at=Subquery(latest.values("read_at")[:1]))


def _own_fields_condition(query: str) -> Q:
    """Every word inside the folded name/e-mail, or the digits inside a phone number.

    Words too short for a trigram only match the start of the name (a prefix index serves that).
    """
    folded = fold(query)
    words = folded.split()
    longest = max(map(len, words), default=0)
    if longest == 0:
        condition = Q(pk__in=[])
    elif longest < TRIGRAM_LENGTH:
        condition = Q(search_name__startswith=folded)
    else:
        condition = Q()
        for word in words:
            condition &= Q(search_name__contains=word)
    digits = search_digits(query)
    if len(digits) >= MIN_PHONE_DIGITS and not any(ch.isalpha() for ch in query):  # "AB-123-CD" is no phone
        condition |= Q(search_phones__contains=digits)
    return condition


def _vehicle_condition(key: str) -> Q:
    """A whole VIN is looked up exactly; otherwise a part of a plate or VIN."""
    if VIN_PATTERN.match(key):
        return Q(vin=key)
    lookup = "contains" if len(key) >= TRIGRAM_LENGTH else "startswith"
    return Q(**{f"plate_key__{lookup}": key}) | Q(**{f"vin__{lookup}": key})


def search_customers(*, user, query: str, limit: int = SEARCH_LIMIT) -> CustomerSearch:
    """Customers of the user's sites matching one box: name, e-mail, phone, plate or VIN, or a part of them.

    Four queries whatever the data: customer ids by their own fields, customer
    ids through their vehicles, then the customers found and their vehicles.
    ``__contains`` on the folded columns lets PostgreSQL use trigram indexes.
    Exact plate/VIN matches come first, then names starting with the query.
    """
    query = " ".join(query.replace("\x00", "").split())[:100]
    result = CustomerSearch(query=query)
    if not query:
        return result
    if len(query) < MIN_QUERY_LENGTH:
        result.too_short = True
        return result
    customers = visible_to(Customer.objects.all(), user)
    own_ids = list(
        customers.filter(_own_fields_condition(query)).order_by("last_name", "first_name", "pk").values_list("pk", flat=True)[: limit + 1]
    )
    exact_ids: list[int] = []
    vehicle_ids: list[int] = []
    key = plate_key(query)
    if len(key) >= MIN_QUERY_LENGTH:
        exact = Case(When(Q(plate_key=key) | Q(vin=key), then=Value(0)), default=Value(1), output_field=IntegerField())
        matches = (
            visible_to(Vehicle.objects.all(), user, "owner__site")
            .filter(_vehicle_condition(key))
            .annotate(rank=exact)
            .order_by("rank", "owner__last_name", "owner_id")
            .values_list("owner_id", "rank")[: limit + 1]
        )
        for owner_id, rank in matches:
            (exact_ids if rank == 0 else vehicle_ids).append(owner_id)

    ranked_ids = list(dict.fromkeys([*exact_ids, *own_ids, *vehicle_ids]))
    result.truncated = len(own_ids) > limit or len(exact_ids) + len(vehicle_ids) > limit or len(ranked_ids) > limit
    if not ranked_ids:
        return result
    found = (
        customers.filter(pk__in=ranked_ids)
        .select_related("site")
        .prefetch_related(Prefetch("vehicles", queryset=Vehicle.objects.order_by("make", "model", "pk")))
    )
    exact_set = set(exact_ids)
    folded = fold(query)

    def order(customer: Customer):
        starts_with_query = customer.search_name.startswith(folded)
        return (customer.pk not in exact_set, not starts_with_query, customer.last_name.lower(), customer.first_name.lower(), customer.pk)

    result.customers = sorted(found, key=order)[:limit]
    return result


def active_campaigns(*, on: date | None = None) -> list[Campaign]:
    """The campaigns running on that day: a small set, loaded once and matched in Python."""
    day = on or timezone.localdate()
    campaigns = list(Campaign.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), active=True, starts_on__lte=day))
    for campaign in campaigns:
        campaign.display_title = campaign.localized("title")
        campaign.display_description = campaign.localized("description")
    return campaigns


def attach_open_campaigns(vehicles, campaigns: list[Campaign]) -> None:
    for vehicle in vehicles:
        vehicle.open_campaigns = [campaign for campaign in campaigns if campaign.matches(vehicle.vin)]


def current_offers(*, site: Site, make: str, on: date) -> list[SeasonalOffer]:
    """The seasonal offers and service packages running on that day at the site (or at every site) for the vehicle's
    make (or for every brand), with their prices in the site's currency (``with_offer_prices``), in two queries: the
    packages first, then by price (those without a price last)."""
    offers = SeasonalOffer.objects.filter(
        Q(sites=site) | Q(sites__isnull=True),
        Q(brand__name__iexact=make) | Q(brand__isnull=True),
        starts_on__lte=on,
        ends_on__gte=on,
    ).distinct()
    priced = with_offer_prices(offers, site.currency)
    return sorted(
        priced, key=lambda offer: (offer.kind != SeasonalOffer.Kind.PACKAGE, offer.local_price is None, offer.local_price or 0, offer.pk)
    )


@dataclass(frozen=True)
class OverdueService:
    """A due service the vehicle went past: the due date, the due mileage or both."""

    due_on: date | None
    due_km: int | None
    km: int | None  # the last reading, when the mileage is past


def overdue_service(*, vehicle: Vehicle, today: date, last_km: int | None) -> OverdueService | None:
    """Whether the next service is overdue: its date has passed, or the last reading (``last_km``) reached its mileage."""
    due_on, due_km = vehicle.next_service_due_date, vehicle.next_service_due_km
    past_date = due_on if due_on and due_on < today else None
    past_km = due_km if due_km and last_km is not None and last_km >= due_km else None
    if past_date is None and past_km is None:
        return None
    return OverdueService(due_on=past_date, due_km=past_km, km=last_km if past_km else None)


def current_consents(consents) -> dict[Channel, ConsentRecord | None]:
    """The latest record per channel from a customer's consent history (newest first)."""
    current: dict[Channel, ConsentRecord | None] = dict.fromkeys(Channel)
    for record in consents:
        if current.get(record.channel) is None:
            current[record.channel] = record
    return current


def consent_label(channel: str) -> str:
    return gettext("%(channel)s consent") % {"channel": Channel(channel).label}


def _model_field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_label(model, name: str) -> str:
    if name == "mileage_km":
        return gettext("mileage (km)")
    channel = name.removeprefix("consent_")
    if channel != name and channel in Channel.values:
        return consent_label(channel)
    model_field = _model_field(model, name)
    return model_field.verbose_name if model_field is not None else name


def _display_value(model, name: str, value):
    """Choice labels instead of codes, yes/no instead of True/False; other values as recorded."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    model_field = _model_field(model, name)
    if model_field is not None and model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    return value


def labelled_history(*, objects) -> list:
    """The audit events of these records, each with ``labelled_changes``: (field label, before, after)."""
    events = list(list_history(objects=objects))
    for event in events:
        model = event.content_type.model_class()
        event.labelled_changes = [
            (_field_label(model, name), _display_value(model, name, before), _display_value(model, name, after))
            for name, (before, after) in event.changes.items()
        ]
    return events


def get_customer_for_user(*, user, pk) -> Customer:
    return get_for_user(Customer.objects.select_related("site"), user, pk=pk)


def get_vehicle_for_user(*, user, pk) -> Vehicle:
    """A vehicle is reached through its owner: another site's owner, or none, answers 404."""
    return get_for_user(Vehicle.objects.select_related("owner__site"), user, "owner__site", pk=pk)


def get_customer_360(*, user, pk) -> Customer:
    """The customer with consents, vehicles (latest mileage, open campaigns) and audit history."""
    queryset = Customer.objects.select_related("site").prefetch_related(
        Prefetch("consents", queryset=ConsentRecord.objects.select_related("recorded_by")),
        Prefetch("vehicles", queryset=vehicles_with_latest_mileage().order_by("make", "model", "pk")),
    )
    customer = get_for_user(queryset, user, pk=pk)
    vehicles = list(customer.vehicles.all())
    attach_open_campaigns(vehicles, active_campaigns())
    customer.current_consents = current_consents(customer.consents.all())
    customer.history = labelled_history(objects=[customer, *vehicles])
    return customer


def get_vehicle_page(*, user, pk) -> Vehicle:
    """The vehicle with its readings, ownership history, open campaigns and audit history."""
    queryset = vehicles_with_latest_mileage(Vehicle.objects.select_related("owner__site")).prefetch_related(
        Prefetch("mileage_readings", queryset=MileageReading.objects.select_related("recorded_by")),
        Prefetch("ownerships", queryset=Ownership.objects.select_related("customer")),
    )
    vehicle = get_for_user(queryset, user, "owner__site", pk=pk)
    attach_open_campaigns([vehicle], active_campaigns())
    vehicle.history = labelled_history(objects=[vehicle])
    return vehicle
