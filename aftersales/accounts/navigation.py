"""The main menu: each entry shows only to users holding its permission.

Stage apps add their screens here as they come.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


NAVIGATION = [
    NavItem(_("Customers"), "customers:search", "customers.view_customer"),
    NavItem(_("Messages"), "messaging:log", "messaging.view_outboxmessage"),
    NavItem(_("SMS replies"), "messaging:inbox", "messaging.view_inboundmessage"),
    NavItem(_("Message templates"), "messaging:templates", "messaging.change_messagetemplate"),
    NavItem(_("Reception"), "workshop:board", "workshop.add_workorder"),
    NavItem(_("Work orders"), "workshop:list", "workshop.view_workorder"),
    NavItem(_("Dispatch"), "workshop:dispatch", "workshop.dispatch_jobs"),
    NavItem(_("My jobs"), "workshop:my_jobs", "workshop.work_on_jobs"),
    NavItem(_("QC queue"), "workshop:qc_queue", "workshop.check_quality"),
    NavItem(_("Invoicing desk"), "invoicing:desk", "invoicing.add_invoice"),
    NavItem(_("Handover"), "invoicing:handovers", "invoicing.change_handover"),
    NavItem(_("Closures"), "invoicing:closures", "invoicing.close_period"),
    NavItem(_("Booking desk"), "appointments:desk", "appointments.add_appointment"),
    NavItem(_("Diary"), "appointments:diary", "appointments.view_appointment"),
    NavItem(_("Reception display"), "appointments:reception", "appointments.view_appointment"),
    NavItem(_("Preparation list"), "appointments:preparation", "appointments.view_partstock"),
    NavItem(_("Parts requests"), "appointments:part_requests", "appointments.view_partorderrequest"),
    NavItem(_("Web requests"), "appointments:web_requests", "appointments.view_webrequest"),
    NavItem(_("Call list"), "followup:call_list", "followup.view_calltask"),
    NavItem(_("Concerns"), "followup:concern_list", "followup.view_concern"),
    NavItem(_("Target lists"), "followup:target_lists", "followup.work_target_lists"),
    NavItem(_("Escalations"), "followup:escalations", "followup.view_escalation"),
    NavItem(_("Complaint review"), "followup:complaint_review", "followup.review_complaints"),
    NavItem(_("Reminders"), "followup:reminders", "followup.view_maintenancereminder"),
    NavItem(_("Mileage checks"), "followup:mileage_checks", "followup.view_mileagecheck"),
    NavItem(_("Dashboard"), "kpis:dashboard", "kpis.view_dashboard"),
]


def items_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in NAVIGATION if user.has_perm(item.permission)]
