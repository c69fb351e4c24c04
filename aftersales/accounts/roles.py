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
    Role.MANAGER: CUSTOMER_DESK,
    Role.ADMIN: CUSTOMER_DESK,
}


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
