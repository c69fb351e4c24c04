"""Roles are Django groups; this table says which permissions each one holds.

Groups are brought in line with it after every migrate, so a fresh database,
the test database and production all carry the same roles.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CRC_AGENT = "crc_agent", _("CRC agent")
    SERVICE_ADVISOR = "service_advisor", _("Service advisor")
    FOREMAN = "foreman", _("Workshop foreman")
    TECHNICIAN = "technician", _("Technician")
    QUALITY_CONTROLLER = "quality_controller", _("Quality controller")
    CASHIER = "cashier", _("Cashier")
    PARTS_ADVISOR = "parts_advisor", _("Parts advisor")
    SALESPERSON = "salesperson", _("Salesperson")
    MANAGER = "manager", _("After-sales manager")
    ADMIN = "admin", _("Administrator")


CUSTOMER_DESK = [
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "customers.view_vehicle",
    "customers.add_vehicle",
    "customers.change_vehicle",
]
CUSTOMER_READ = ["customers.view_customer", "customers.view_vehicle"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CRC_AGENT: CUSTOMER_DESK,
    Role.SERVICE_ADVISOR: CUSTOMER_DESK,
    Role.FOREMAN: CUSTOMER_READ,
    Role.TECHNICIAN: ["customers.view_vehicle"],
    Role.QUALITY_CONTROLLER: ["customers.view_vehicle"],
    Role.CASHIER: CUSTOMER_READ,
    Role.PARTS_ADVISOR: ["customers.view_vehicle"],
    Role.SALESPERSON: CUSTOMER_READ,
    Role.MANAGER: CUSTOMER_DESK,
    Role.ADMIN: CUSTOMER_DESK,
}

# Booking (appointments). Booking past a capacity limit (with a reason, logged)
# is for advisors, who own their diary and take walk-ins, and for managers;
# CRC agents pick a free slot or ask them.
BOOKING_DESK = ["appointments.view_appointment", "appointments.add_appointment", "appointments.change_appointment"]
BOOKING_CAPACITY_SETUP = [
    f"appointments.{action}_{model}"
    for model in (
        "advisorschedule",
        "absence",
        "technicianprofile",
        "technicianattendance",
        "sitecapacityrule",
        "capacityoverride",
        "loaner",
        "loanterms",
    )
    for action in ("view", "add", "change", "delete")
]
BOOKING_PERMISSIONS = {
    Role.CRC_AGENT: BOOKING_DESK,
    Role.SERVICE_ADVISOR: [*BOOKING_DESK, "appointments.override_capacity", "appointments.view_loaner"],
    Role.FOREMAN: [
        "appointments.view_appointment",
        "appointments.view_absence",
        "appointments.add_absence",
        "appointments.change_absence",
        "appointments.view_capacityoverride",
        "appointments.add_capacityoverride",
    ],
    Role.PARTS_ADVISOR: ["appointments.view_appointment"],
    Role.MANAGER: [*BOOKING_DESK, "appointments.override_capacity", *BOOKING_CAPACITY_SETUP],
    Role.ADMIN: [*BOOKING_DESK, "appointments.override_capacity", *BOOKING_CAPACITY_SETUP],
}
for _role, _perms in BOOKING_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]

# Messaging: desk roles read the message log and handle SMS replies;
# managers and administrators also edit the message texts.
MESSAGING_DESK = ["messaging.view_outboxmessage", "messaging.view_inboundmessage", "messaging.change_inboundmessage"]
MESSAGING_PERMISSIONS = {
    Role.CRC_AGENT: MESSAGING_DESK,
    Role.SERVICE_ADVISOR: MESSAGING_DESK,
    Role.MANAGER: [*MESSAGING_DESK, "messaging.view_messagetemplate", "messaging.change_messagetemplate"],
    Role.ADMIN: [*MESSAGING_DESK, "messaging.view_messagetemplate", "messaging.change_messagetemplate"],
}
for _role, _perms in MESSAGING_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]


# Booking preparation (24-48 h): advisors, the parts advisor and the foreman
# see the list; the parts advisor (and managers) reserve stock and handle
# order requests; advisors ask for orders and confirm loaners.
PREPARATION_VIEW = ["appointments.view_partstock"]
PREPARATION_PERMISSIONS = {
    Role.SERVICE_ADVISOR: [
        *PREPARATION_VIEW,
        "appointments.add_partorderrequest",
        "appointments.view_partorderrequest",
        "appointments.change_loanerreservation",
    ],
    Role.PARTS_ADVISOR: [
        *PREPARATION_VIEW,
        "appointments.change_partstock",
        "appointments.add_partorderrequest",
        "appointments.view_partorderrequest",
        "appointments.change_partorderrequest",
    ],
    Role.FOREMAN: PREPARATION_VIEW,
    Role.MANAGER: [
        *PREPARATION_VIEW,
        "appointments.change_partstock",
        "appointments.add_partorderrequest",
        "appointments.view_partorderrequest",
        "appointments.change_partorderrequest",
        "appointments.change_loanerreservation",
    ],
    Role.ADMIN: [
        *PREPARATION_VIEW,
        "appointments.change_partstock",
        "appointments.add_partorderrequest",
        "appointments.view_partorderrequest",
        "appointments.change_partorderrequest",
        "appointments.change_loanerreservation",
    ],
}
for _role, _perms in PREPARATION_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]

# Warning a customer that a part will be missing on the day: the parts advisor,
# who knows the supplier's date, as well as advisors, managers and administrators.
PARTS_WARNING = ["appointments.add_partsdelaywarning"]
for _role in (Role.SERVICE_ADVISOR, Role.PARTS_ADVISOR, Role.MANAGER, Role.ADMIN):
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *PARTS_WARNING]

# The reception screens in the customer area (kiosk links): managers and
# administrators make and revoke them.
RECEPTION_SCREENS = [f"appointments.{action}_receptionscreen" for action in ("view", "add", "change")]
for _role in (Role.MANAGER, Role.ADMIN):
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *RECEPTION_SCREENS]


# Follow-up: everyone at the desk records and handles customer concerns; CRC
# agents work the call list and the target lists; managers also see the
# escalations, the monthly complaint review, reminders and mileage checks.
CONCERNS_DESK = ["followup.view_concern", "followup.add_concern", "followup.change_concern"]
CALL_LIST = [
    "followup.view_calltask",
    "followup.add_calltask",
    "followup.change_calltask",
    "followup.work_target_lists",
    "followup.add_outreachcampaign",
]
FOLLOWUP_MANAGEMENT = [
    "followup.view_escalation",
    "followup.change_escalation",
    "followup.review_complaints",
    "followup.view_maintenancereminder",
    "followup.view_mileagecheck",
    "followup.change_mileagecheck",
    "followup.view_reminderpolicy",
    "followup.add_reminderpolicy",
    "followup.change_reminderpolicy",
]
FOLLOWUP_PERMISSIONS = {
    Role.CRC_AGENT: [*CONCERNS_DESK, *CALL_LIST],
    Role.SERVICE_ADVISOR: CONCERNS_DESK,
    Role.MANAGER: [*CONCERNS_DESK, *CALL_LIST, *FOLLOWUP_MANAGEMENT],
    Role.ADMIN: [*CONCERNS_DESK, *CALL_LIST, *FOLLOWUP_MANAGEMENT],
}
for _role, _perms in FOLLOWUP_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]

# Follow-up owners: a call or a concern is assigned only to someone who can act on it
# (CRC agents, advisors, managers); an advisor opens and records the calls given to them.
FOLLOWUP_OWNER_ROLES = (Role.CRC_AGENT, Role.SERVICE_ADVISOR, Role.MANAGER)
ROLE_PERMISSIONS[Role.SERVICE_ADVISOR] = [*ROLE_PERMISSIONS[Role.SERVICE_ADVISOR], "followup.view_calltask", "followup.change_calltask"]

# Sales leads (a test drive during the visit): the salesperson works the leads passed to them;
# managers and administrators see their sites' leads.
SALES_LEADS = ["invoicing.view_saleslead", "invoicing.change_saleslead"]
for _role in (Role.SALESPERSON, Role.MANAGER, Role.ADMIN):
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *SALES_LEADS]


# Reception (workshop): advisors open and fill work orders; foremen and
# technicians read them; managers and administrators do what advisors do.
WORK_ORDER_DESK = ["workshop.view_workorder", "workshop.add_workorder", "workshop.change_workorder"]
WORKSHOP_PERMISSIONS = {
    Role.SERVICE_ADVISOR: WORK_ORDER_DESK,
    Role.FOREMAN: ["workshop.view_workorder"],
    Role.TECHNICIAN: ["workshop.view_workorder"],
    Role.MANAGER: WORK_ORDER_DESK,
    Role.ADMIN: WORK_ORDER_DESK,
}
for _role, _perms in WORKSHOP_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]


# Workshop floor and quality check: foremen dispatch jobs to technicians and
# bays (and set up bays); technicians clock, tick their jobs, inspect and
# report findings; advisors price extra work and record the customer's
# decisions; quality controllers read work orders and do the final check.
# Managers and administrators may do all of it.
WORKSHOP_FLOOR_ALL = [
    "workshop.dispatch_jobs",
    "workshop.work_on_jobs",
    "workshop.decide_extra_work",
    "workshop.check_quality",
    "workshop.view_bay",
    "workshop.add_bay",
    "workshop.change_bay",
]
WORKSHOP_FLOOR_PERMISSIONS = {
    Role.SERVICE_ADVISOR: ["workshop.decide_extra_work"],
    Role.FOREMAN: ["workshop.dispatch_jobs", "workshop.view_bay", "workshop.add_bay", "workshop.change_bay"],
    Role.TECHNICIAN: ["workshop.work_on_jobs"],
    Role.QUALITY_CONTROLLER: ["workshop.view_workorder", "workshop.check_quality"],
    Role.MANAGER: WORKSHOP_FLOOR_ALL,
    Role.ADMIN: WORKSHOP_FLOOR_ALL,
}
for _role, _perms in WORKSHOP_FLOOR_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]

# Web and e-mail requests (online booking stage): advisors, CRC agents and
# managers see, record and answer them within 2 working hours.
WEB_REQUEST_DESK = ["appointments.view_webrequest", "appointments.add_webrequest", "appointments.change_webrequest"]
WEB_REQUEST_PERMISSIONS = {
    Role.CRC_AGENT: WEB_REQUEST_DESK,
    Role.SERVICE_ADVISOR: WEB_REQUEST_DESK,
    Role.MANAGER: WEB_REQUEST_DESK,
    Role.ADMIN: WEB_REQUEST_DESK,
}
for _role, _perms in WEB_REQUEST_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]

# Breakdown and accident calls (booking): whoever books takes the call and
# records it with its diagnosis appointment.
BREAKDOWN_DESK = ["appointments.view_breakdowncall", "appointments.add_breakdowncall"]
for _role in (Role.CRC_AGENT, Role.SERVICE_ADVISOR, Role.MANAGER, Role.ADMIN):
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *BREAKDOWN_DESK]

# Invoicing and handover: cashiers prepare, issue and credit invoices, take
# payments and close periods; advisors take payments and run the handover;
# managers and administrators do both and alone release a car with a balance due.
INVOICING_DESK = [
    "invoicing.view_invoice",
    "invoicing.add_invoice",
    "invoicing.change_invoice",
    "invoicing.issue_invoice",
    "invoicing.view_payment",
    "invoicing.add_payment",
    "invoicing.view_closure",
    "invoicing.close_period",
]
HANDOVER_DESK = [
    "invoicing.view_invoice",
    "invoicing.view_payment",
    "invoicing.add_payment",
    "invoicing.view_handover",
    "invoicing.add_handover",
    "invoicing.change_handover",
]
INVOICING_PERMISSIONS = {
    Role.CASHIER: INVOICING_DESK,
    Role.SERVICE_ADVISOR: HANDOVER_DESK,
    Role.MANAGER: sorted({*INVOICING_DESK, *HANDOVER_DESK, "invoicing.authorize_release"}),
    Role.ADMIN: sorted({*INVOICING_DESK, *HANDOVER_DESK, "invoicing.authorize_release"}),
}
for _role, _perms in INVOICING_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]

# The accounting export (FEC and CSV journal): cashiers, managers and administrators download it;
# managers and administrators also keep the sites' journals and account numbers in the administration.
ACCOUNTING_EXPORT = ["invoicing.export_accounting"]
ACCOUNTING_SETUP = [
    f"invoicing.{action}_{model}" for model in ("accountingmapping", "salesaccount") for action in ("view", "add", "change")
]
for _role, _perms in {
    Role.CASHIER: ACCOUNTING_EXPORT,
    Role.MANAGER: [*ACCOUNTING_EXPORT, *ACCOUNTING_SETUP],
    Role.ADMIN: [*ACCOUNTING_EXPORT, *ACCOUNTING_SETUP],
}.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]

# KPI dashboards: managers (their sites; group-wide managers the whole group) and administrators.
KPI_PERMISSIONS = {
    Role.MANAGER: ["kpis.view_dashboard"],
    Role.ADMIN: ["kpis.view_dashboard"],
}
for _role, _perms in KPI_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]

# Privacy (GDPR): exporting everything held about a customer and erasing
# their personal data are for managers and administrators only.
PRIVACY_PERMISSIONS = {
    Role.MANAGER: ["customers.export_customer", "customers.erase_customer"],
    Role.ADMIN: ["customers.export_customer", "customers.erase_customer"],
}
for _role, _perms in PRIVACY_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]


def sync_role_groups(sender=None, **kwargs) -> None:
    """Create one group per role and give it exactly the permissions above."""
    from django.contrib.auth.models import Group, Permission

    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {}
    for perm in Permission.objects.select_related("content_type").filter(
        content_type__app_label__in={name.split(".")[0] for name in wanted}
    ):
        by_name[f"{perm.content_type.app_label}.{perm.codename}"] = perm
    if not wanted <= by_name.keys():
        return  # some app is not migrated yet; a later post_migrate finishes
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set([by_name[name] for name in perms])
