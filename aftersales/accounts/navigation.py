"""The main menu: each entry shows only to users holding its permission.

Entries are grouped in sections, each a drop-down menu on the bar, so the bar
fits the screen whatever the role and the language (below 1200 pixels it folds
into the menu button); a section the user sees one entry of, and every entry of
a short menu, is a plain link. Stage apps add their screens here as they come.
"""

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

CUSTOMERS = _("Customers")
BOOKING = pgettext_lazy("menu section", "Booking")
WORKSHOP = _("Workshop")
INVOICING = _("Invoicing")
FOLLOW_UP = _("Follow-up")
MESSAGES = _("Messages")
FIGURES = _("KPIs")


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str
    section: str | Promise

    @property
    def url(self) -> str:
        return _address(self.url_name, get_script_prefix())


@dataclass
class NavSection:
    label: str | Promise
    items: list[NavItem] = field(default_factory=list)
    active: bool = False


# Up to this many entries fit the bar as plain links in every language.
FLAT_MENU_MAX = 4

NAVIGATION = [
    NavItem(_("Customers"), "customers:search", "customers.view_customer", CUSTOMERS),
    NavItem(_("Booking desk"), "appointments:desk", "appointments.add_appointment", BOOKING),
    NavItem(_("Diary"), "appointments:diary", "appointments.view_appointment", BOOKING),
    NavItem(_("Reception display"), "appointments:reception", "appointments.view_appointment", BOOKING),
    NavItem(_("Preparation list"), "appointments:preparation", "appointments.view_partstock", BOOKING),
    NavItem(_("Parts requests"), "appointments:part_requests", "appointments.view_partorderrequest", BOOKING),
    NavItem(_("Web requests"), "appointments:web_requests", "appointments.view_webrequest", BOOKING),
    NavItem(_("Reception"), "workshop:board", "workshop.add_workorder", WORKSHOP),
    NavItem(_("Work orders"), "workshop:list", "workshop.view_workorder", WORKSHOP),
    NavItem(_("Dispatch"), "workshop:dispatch", "workshop.dispatch_jobs", WORKSHOP),
    NavItem(_("My jobs"), "workshop:my_jobs", "workshop.work_on_jobs", WORKSHOP),
    NavItem(_("QC queue"), "workshop:qc_queue", "workshop.check_quality", WORKSHOP),
    NavItem(_("Invoicing desk"), "invoicing:desk", "invoicing.add_invoice", INVOICING),
    NavItem(_("Handover"), "invoicing:handovers", "invoicing.change_handover", INVOICING),
    NavItem(_("Closures"), "invoicing:closures", "invoicing.close_period", INVOICING),
    NavItem(_("Accounting export"), "invoicing:accounting", "invoicing.export_accounting", INVOICING),
    NavItem(_("Sales leads"), "invoicing:sales_leads", "invoicing.view_saleslead", INVOICING),
    NavItem(_("Call list"), "followup:call_list", "followup.view_calltask", FOLLOW_UP),
    NavItem(_("Concerns"), "followup:concern_list", "followup.view_concern", FOLLOW_UP),
    NavItem(_("Target lists"), "followup:target_lists", "followup.work_target_lists", FOLLOW_UP),
    NavItem(_("Escalations"), "followup:escalations", "followup.view_escalation", FOLLOW_UP),
    NavItem(_("Complaint review"), "followup:complaint_review", "followup.review_complaints", FOLLOW_UP),
    NavItem(_("Reminders"), "followup:reminders", "followup.view_maintenancereminder", FOLLOW_UP),
    NavItem(_("Mileage checks"), "followup:mileage_checks", "followup.view_mileagecheck", FOLLOW_UP),
    NavItem(_("Messages"), "messaging:log", "messaging.view_outboxmessage", MESSAGES),
    NavItem(_("SMS replies"), "messaging:inbox", "messaging.view_inboundmessage", MESSAGES),
    NavItem(_("Message templates"), "messaging:templates", "messaging.change_messagetemplate", MESSAGES),
    NavItem(_("Dashboard"), "kpis:dashboard", "kpis.view_dashboard", FIGURES),
]


@lru_cache(maxsize=256)
def _address(url_name: str, script_prefix: str) -> str:
    return reverse(url_name)


def items_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in NAVIGATION if user.has_perm(item.permission)]


def active_url(items: list[NavItem], path: str) -> str:
    """The address of the entry the page at ``path`` belongs to: the longest that starts it ("" for none)."""
    return max((item.url for item in items if path.startswith(item.url)), key=len, default="")


def sections_for(items: list[NavItem], current_url: str) -> list[NavSection]:
    """The entries by section, in menu order; the section holding ``current_url`` is active.

    A short menu (a technician's two screens) keeps every entry on the bar, each a section of its own.
    """
    if len(items) <= FLAT_MENU_MAX:
        return [NavSection(item.label, [item], item.url == current_url) for item in items]
    sections: dict[str, NavSection] = {}
    for item in items:
        section = sections.setdefault(str(item.section), NavSection(item.section))
        section.items.append(item)
        section.active = section.active or item.url == current_url
    return list(sections.values())


BY_URL_NAME = {item.url_name: item for item in NAVIGATION}


@lru_cache(maxsize=1024)
def _menu_html(url_names: tuple[str, ...], current_url: str, language: str, script_prefix: str) -> SafeString:
    """The menu bar's HTML: the same for every user who sees the same entries on the same screen in one language."""
    items = [BY_URL_NAME[name] for name in url_names]
    return render_to_string("shared/_main_menu.html", {"sections": sections_for(items, current_url), "active_url": current_url})


class Menu:
    """The signed-in user's menu, worked out only when a page shows it (an htmx fragment never does)."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def items(self) -> list[NavItem]:
        return items_for(self.request.user)

    @cached_property
    def active_url(self) -> str:
        return active_url(self.items, self.request.path)

    @cached_property
    def sections(self) -> list[NavSection]:
        return sections_for(self.items, self.active_url)

    def menu_html(self) -> SafeString:
        names = tuple(item.url_name for item in self.items)
        return _menu_html(names, self.active_url, get_language(), get_script_prefix())
