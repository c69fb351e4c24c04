"""Target lists: a vehicle put on the caller's own call list, a campaign message to the whole selection."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.customers.models import Vehicle
from aftersales.messaging.models import OutboxMessage, Purpose
from aftersales.messaging.services import queue_message

from ..exceptions import CallRefused
from ..models import CallTask, OutreachCampaign
from ..system_texts import TARGET_LIST
from ._common import _moment, booking_link_for
from .calls import create_call_task


def call_from_list(*, target_list: str, vehicle: Vehicle, actor: User, now: datetime | None = None) -> CallTask:
    """Put a vehicle of a target list on the caller's own call list (once per list, vehicle and day)."""
    now = _moment(now)
    customer = vehicle.owner
    return create_call_task(
        key=f"list:{target_list}:{vehicle.pk}:{timezone.localtime(now, customer.site.tz).date().isoformat()}",
        site=customer.site,
        customer=customer,
        vehicle=vehicle,
        kind=CallTask.Kind.TARGET_LIST,
        reason=TARGET_LIST(target_list=target_list),
        due_at=now,
        assigned_to=actor,
    )


@transaction.atomic
def send_outreach(*, site: Site, target_list: str, title: str, text: str, vehicles, actor: User) -> tuple[OutreachCampaign, int]:
    """A campaign message to every customer of the selection, once per customer; marketing consent is
    enforced by the outbox (no consent: the row is kept as suppressed)."""
    if not title.strip():
        raise CallRefused(_("Give the campaign a title."), field="title")
    if not text.strip():
        raise CallRefused(_("Write the message."), field="text")
    campaign = OutreachCampaign.objects.create(site=site, target_list=target_list, title=title.strip(), text=text.strip(), created_by=actor)
    queued = 0
    seen = set()
    for vehicle in vehicles:
        if vehicle.owner_id in seen:
            continue
        seen.add(vehicle.owner_id)
        message = queue_message(
            customer=vehicle.owner,
            template="vehicle_life_message",
            about=campaign,
            vehicle=vehicle,
            purpose=Purpose.MARKETING,
            context={"vehicle": str(vehicle), "title": campaign.title, "text": campaign.text, "link": booking_link_for(vehicle)},
            idempotency_key=f"outreach:{campaign.pk}:{vehicle.owner_id}",
            actor=actor,
        )
        queued += message.status != OutboxMessage.Status.SUPPRESSED
    return campaign, queued
