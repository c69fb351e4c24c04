"""The role × URL matrix: every URL of the project, for every role.

Each view is either public (``login_not_required``, listed in PUBLIC), one of
the account pages any signed-in user may open (ACCOUNT_PAGES), or a staff
view carrying ``required_permissions`` from ``staff_view``. A new view is
walked automatically; a URL argument this file cannot fill fails loudly, so
add its record to RECORDS and its name to URL_KWARG_RECORDS or PK_RECORDS.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from aftersales.accounts.navigation import NAVIGATION
from aftersales.accounts.roles import FOLLOWUP_OWNER_ROLES, ROLE_PERMISSIONS, Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory
from aftersales.messaging.models import InboundMessage, MessageChannel, MessageTemplate, OutboxMessage, Purpose
from appointments.tests.factories import appointment_for_matrix, reception_screen_for_matrix, web_request_for_matrix
from followup.tests.factories import matrix_records as followup_records
from invoicing.tests.matrix import INVOICING_PK_RECORDS, INVOICING_RECORDS, INVOICING_URL_KWARG_RECORDS
from workshop.tests.matrix import WORKSHOP_PK_RECORDS, WORKSHOP_RECORDS, WORKSHOP_URL_KWARG_RECORDS

# Pages anyone may open without logging in (customer pages reached by signed links...).
PUBLIC = {
    "accounts:login",
    "accounts:language",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "messaging:twilio_status",
    "messaging:twilio_inbound",
    "messaging:unsubscribe",
    "appointments:public",
    "appointments:public_ics",
    "appointments:kiosk",
    *{f"online:{name}" for name in ("book", "book_brand", "code", "details", "choose", "slot", "contact", "contact_brand", "contact_sent")},
    "workshop:customer_sign",
    "workshop:customer_new_code",
    "workshop:customer_pdf",
    "workshop:customer_approval",
    "workshop:customer_photo",
    "followup:rate",
    "followup:survey",
    "bench:reference",  # 404 unless BENCH_REFERENCE_PAGE (on only for manage.py bench_pages's own server)
}
# Account pages every signed-in user may open, whatever their role.
ACCOUNT_PAGES = {"home", "accounts:logout", "accounts:two_factor_enrol", "accounts:two_factor_verify", "accounts:two_factor_recovery_codes"}
SKIPPED_NAMESPACES = {"admin", "djdt"}


@dataclass(frozen=True)
class Record:
    build: Callable  # (site, records built so far) -> object
    site_scoped: bool = True  # another site's record must answer 404


# Records built for the user's own site (and for another site), in this order.
RECORDS = {
    "customer": Record(lambda site, made: CustomerFactory(site=site)),
    "vehicle": Record(lambda site, made: VehicleFactory(owner=made["customer"])),
    "outbox_message": Record(
        lambda site, made: OutboxMessage.objects.create(
            idempotency_key=f"matrix-{site.pk}",
            customer=made["customer"],
            site=site,
            channel=MessageChannel.SMS,
            recipient=made["customer"].mobile,
            purpose=Purpose.SERVICE,
            template_key="matrix",
            language="fr",
            body="Votre véhicule est prêt.",
            due_at=timezone.now(),
        )
    ),
    "inbound_message": Record(
        lambda site, made: InboundMessage.objects.create(
            provider_id=f"SM-matrix-{site.pk}",
            from_number=made["customer"].mobile,
            body="OK merci",
            kind=InboundMessage.Kind.REPLY,
            customer=made["customer"],
            site=site,
        )
    ),
    "message_template": Record(
        lambda site, made: MessageTemplate.objects.get_or_create(
            key="matrix-test",
            language="en",
            defaults={"subject": "Test", "body_text": "Hello", "sms_body": "Hello"},
        )[0],
        site_scoped=False,
    ),
    "appointment": Record(lambda site, made: appointment_for_matrix(site, made["customer"], made["vehicle"])),
    "loaner_reservation": Record(lambda site, made: made["appointment"].loaner_reservations.get()),
    "part_order_request": Record(lambda site, made: made["appointment"].part_order_requests.get()),
    "web_request": Record(lambda site, made: web_request_for_matrix(site)),
    "reception_screen": Record(lambda site, made: reception_screen_for_matrix(site, made["appointment"].advisor)),
    "followup": Record(lambda site, made: followup_records(site, made["customer"], made["vehicle"])),
    **{
        name: Record(lambda site, made, name=name: made["followup"][name])
        for name in ("concern", "call_task", "escalation", "mileage_check")
    },
    **{name: Record(build, site_scoped) for name, (build, site_scoped) in WORKSHOP_RECORDS.items()},
    **{name: Record(build, site_scoped) for name, (build, site_scoped) in INVOICING_RECORDS.items()},
}
# Which record a URL argument stands for: by argument name, ...
URL_KWARG_RECORDS = {
    "customer_pk": "customer",
    "customer_id": "customer",
    "vehicle_pk": "vehicle",
    **WORKSHOP_URL_KWARG_RECORDS,
    **INVOICING_URL_KWARG_RECORDS,
}
# ... or, for a plain <pk>, by URL name.
PK_RECORDS = {
    "customers:detail": "customer",
    "customers:edit": "customer",
    "customers:privacy_export": "customer",
    "customers:privacy_erase": "customer",
    "customers:vehicle_create": "customer",
    "customers:vehicle_detail": "vehicle",
    "customers:vehicle_edit": "vehicle",
    "customers:mileage_add": "vehicle",
    "messaging:message_detail": "outbox_message",
    "messaging:inbox_handle": "inbound_message",
    "messaging:template_edit": "message_template",
    "messaging:template_preview": "message_template",
    **{
        f"appointments:{name}": "appointment"
        for name in (
            "detail",
            "confirm",
            "arrived",
            "no_show",
            "cancel",
            "reschedule",
            "booking_card",
            "loan_contract",
            "reserve_part",
            "request_part",
            "warn_parts_delay",
            "bin_label",
        )
    },
    "appointments:confirm_loaner": "loaner_reservation",
    "appointments:part_request_ordered": "part_order_request",
    "appointments:web_request": "web_request",
    "appointments:web_request_answer": "web_request",
    "appointments:reception_screen_revoke": "reception_screen",
    **{f"followup:{name}": "call_task" for name in ("call", "call_record", "call_assign")},
    **{f"followup:concern_{name}": "concern" for name in ("detail", "assign", "request_info", "reply", "answer", "close", "reopen")},
    "followup:escalation_handle": "escalation",
    "followup:mileage_check_decide": "mileage_check",
    **WORKSHOP_PK_RECORDS,
    **INVOICING_PK_RECORDS,
}


@dataclass(frozen=True)
class Route:
    name: str
    view: Callable
    kwargs: tuple[str, ...]

    @property
    def permissions(self) -> tuple[str, ...]:
        return tuple(getattr(self.view, "required_permissions", ()))

    @property
    def is_public(self) -> bool:
        return getattr(self.view, "login_required", True) is False

    def record_for(self, kwarg: str) -> str:
        record = PK_RECORDS.get(self.name) if kwarg == "pk" else URL_KWARG_RECORDS.get(kwarg)
        if record is None:
            pytest.fail(
                f"{self.name}: no test value for the URL argument <{kwarg}>. Add it to "
                f"{'PK_RECORDS' if kwarg == 'pk' else 'URL_KWARG_RECORDS'} (and its record to RECORDS) in {__file__}."
            )
        return record

    def url(self, records: dict) -> str:
        return reverse(self.name, kwargs={kwarg: records[self.record_for(kwarg)].pk for kwarg in self.kwargs})

    def has_site_scoped_record(self) -> bool:
        return any(RECORDS[self.record_for(kwarg)].site_scoped for kwarg in self.kwargs)


def walk(patterns, namespace: str = "", kwargs: tuple[str, ...] = ()):
    for entry in patterns:
        entry_kwargs = kwargs + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from walk(entry.url_patterns, inner, entry_kwargs)
        elif isinstance(entry, URLPattern):
            if "static" in str(entry.pattern) and entry.name is None:
                continue
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            yield Route(name=name, view=entry.callback, kwargs=entry_kwargs)


ROUTES = list(walk(get_resolver().url_patterns))
STAFF_ROUTES = [route for route in ROUTES if route.permissions]
RECORD_ROUTES = [route for route in STAFF_ROUTES if route.kwargs]


def build_records(site) -> dict:
    made: dict = {}
    for name, record in RECORDS.items():
        made[name] = record.build(site, made)
    return made


@pytest.fixture
def staff_by_role(site):
    return {role: UserFactory(roles=[role], site_list=[site]) for role in Role}


def holds(role: Role, permissions: tuple[str, ...]) -> bool:
    return set(permissions) <= set(ROLE_PERMISSIONS[role])


def test_every_view_is_public_an_account_page_or_permission_checked():
    unchecked = [route.name for route in ROUTES if not route.permissions and route.name not in PUBLIC | ACCOUNT_PAGES]
    assert unchecked == [], f"Views without staff_view(...) and not listed as public: {unchecked}"


def test_every_url_has_a_name():
    assert [route for route in ROUTES if route.name.endswith("None")] == []


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_listed_public_views_are_really_open_without_login(name):
    routes = [route for route in ROUTES if route.name == name]
    assert routes, f"{name} is listed as public but no URL has that name any more"
    assert routes[0].is_public, f"{name} is listed as public but is not login_not_required"
    assert not routes[0].permissions


def test_staff_views_are_not_public():
    assert [route.name for route in STAFF_ROUTES if route.is_public] == []


@pytest.mark.parametrize("route", STAFF_ROUTES, ids=lambda route: route.name)
def test_each_role_is_refused_without_the_permission_and_served_with_it(route, client, site, staff_by_role):
    url = route.url(build_records(site))
    for role, user in staff_by_role.items():
        client.force_login(user)
        got = client.get(url).status_code
        if holds(role, route.permissions):
            assert got != 403 and got < 500, f"{role} holds {route.permissions} but GET {url} answered {got}"
        else:
            posted = client.post(url, {}).status_code
            assert {got, posted} <= {403, 405} and 403 in {got, posted}, (
                f"{role} lacks {route.permissions} but GET/POST {url} answered {got}/{posted}"
            )


@pytest.mark.parametrize("route", STAFF_ROUTES, ids=lambda route: route.name)
def test_anonymous_visitor_is_sent_to_login(route, client, site):
    url = route.url(build_records(site))

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("route", RECORD_ROUTES, ids=lambda route: route.name)
def test_another_sites_record_answers_404(route, client, site, other_site, staff_by_role):
    if not route.has_site_scoped_record():
        pytest.skip("only group-wide reference data in this URL")
    url = route.url(build_records(other_site))
    allowed = [user for role, user in staff_by_role.items() if holds(role, route.permissions)]
    assert allowed, f"no role may open {route.name}"
    for user in allowed:
        client.force_login(user)
        got = client.get(url).status_code
        if got == 405:  # POST-only: the record is looked up before anything else
            got = client.post(url, {}).status_code
        assert got == 404, f"{user.role_names()} opened another site's record at {url}: {got}"


def test_navigation_shows_each_role_only_the_screens_it_may_open(client, staff_by_role):
    views = {route.name: route for route in ROUTES}
    for item in NAVIGATION:
        assert item.permission in views[item.url_name].permissions, (
            f"menu entry {item.url_name} shows on {item.permission}, which its view does not require"
        )
    for role, user in staff_by_role.items():
        client.force_login(user)
        page = client.get(reverse("home")).text
        for item in NAVIGATION:
            shown = f'href="{item.url}"' in page
            assert shown == holds(role, (item.permission,)), f"{role}: menu entry {item.url_name} shown={shown}"


def test_the_parts_desk_warns_customers_and_places_orders():
    """The parts advisor, who knows the supplier's date, warns the customer of a missing part (not only the advisors)."""
    views = {route.name: route for route in ROUTES}
    warners = {role for role in Role if holds(role, views["appointments:warn_parts_delay"].permissions)}
    orderers = {role for role in Role if holds(role, views["appointments:part_request_ordered"].permissions)}

    assert warners == {Role.SERVICE_ADVISOR, Role.PARTS_ADVISOR, Role.MANAGER, Role.ADMIN}
    assert orderers == {Role.PARTS_ADVISOR, Role.MANAGER, Role.ADMIN}


def test_whoever_a_call_or_concern_can_be_given_to_can_open_it():
    """A 7-day callback given to an advisor opens for them: every follow-up owner role works calls and concerns."""
    views = {route.name: route for route in ROUTES}
    for name in ("followup:call_list", "followup:call", "followup:call_record", "followup:concern_detail", "followup:concern_answer"):
        openers = {role for role in Role if holds(role, views[name].permissions)}
        assert set(FOLLOWUP_OWNER_ROLES) <= openers, name
