"""The main menu: each entry shows only to users holding its permission.

Entries are grouped in sections, each a drop-down menu on the bar, so the bar
fits the screen whatever the role and the language (below 1200 pixels it folds
into the menu button); a section the user sees one entry of, and every entry of
a short menu, is a plain link. Stage apps add their screens here as they come.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
        return reverse(self.url_name)


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
