"""Sales leads: a test drive during the visit passed to a salesperson, who works it from open to won or lost."""

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.accounts.notifications import notify_staff
from aftersales.accounts.roles import Role
from aftersales.audit.services import record_change

from ..exceptions import HandoverError
from ..models import SalesLead
from ..system_texts import SALES_LEAD_DETAILS, SALES_LEAD_PASSED


def salespeople_of(site: Site) -> QuerySet:
    """The site's active salespeople (group-wide ones included): who a test-drive lead can be passed to."""
    return (
        User.objects.filter(
            Q(sites=site) | Q(group_wide=True, sites__group_id=site.group_id),
            groups__name=Role.SALESPERSON,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def check_salesperson(salesperson: User | None, site: Site) -> None:
    if salesperson is None or not salespeople_of(site).filter(pk=salesperson.pk).exists():
        raise HandoverError(_("Choose a salesperson of the site to take the lead."), field="salesperson")


def tell_salesperson(lead: SalesLead, site: Site) -> None:
    """E-mail the salesperson once the lead is saved: who tried what, and their impressions."""
    notify_staff(
        recipients=[lead.salesperson],
        subject=SALES_LEAD_PASSED(customer=lead.customer, model=lead.model_tried),
        lines=[SALES_LEAD_DETAILS(impressions=lead.impressions)],
        link=reverse("invoicing:sales_leads"),
        site=site,
    )


@transaction.atomic
def move_sales_lead(*, lead: SalesLead, status: str, actor: User) -> SalesLead:
    """The salesperson contacted the customer, or the lead is won or lost."""
    if status not in SalesLead.Status.values:
        raise HandoverError(_("Choose the lead's status from the list."), field="status")
    locked = SalesLead.objects.select_for_update().get(pk=lead.pk)
    if status not in SalesLead.TRANSITIONS[locked.status]:
        raise HandoverError(
            _("A lead that is %(current)s cannot become %(wanted)s.")
            % {"current": locked.get_status_display(), "wanted": SalesLead.Status(status).label},
            field="status",
        )
    before = locked.status
    locked.status = status
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at"])
    record_change(actor=actor, obj=locked, action="update", changes={"status": [before, status]})
    return locked
