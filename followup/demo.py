"""Demo follow-up data: a reminder and a follow-up policy per site, a few concerns (one complaint overdue) and calls to make;
once the invoicing demo handed cars over, their visit follow-ups (the 7-day callback, the quick touch to come).

Idempotent: policies by site, concerns by customer and summary, call tasks by key, one follow-up per handover.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import Site, User
from aftersales.customers.models import Vehicle

from . import services
from .models import CallTask, Concern, FollowupPolicy, ReminderPolicy
from .system_texts import TARGET_LIST

POLICIES = {
    "audi-lyon": {"extra_days_before": [60, 7], "chaser_days_after": 14},
    "lexus-marseille": {"extra_days_before": [7], "recontact_by": ReminderPolicy.Recontact.SECOND_CHANNEL},
    "citroen-moscow": {},
}
# Each site's satisfaction follow-up: the quick touch, then the 7-day call or the survey link.
FOLLOWUP_POLICIES = {
    "audi-lyon": {"quick_touch": True, "callback": FollowupPolicy.Callback.SURVEY_WRITTEN},
    "lexus-marseille": {"quick_touch": True, "callback": FollowupPolicy.Callback.CALL},
    "citroen-moscow": {"quick_touch": False, "callback": FollowupPolicy.Callback.SURVEY},
}
# (site code, kind, channel, summary, hours ago, answer, resolution), written in the site's language
CONCERNS = [
    ("audi-lyon", Concern.Kind.COMPLAINT, Concern.Channel.CALL, "Bruit à la roue avant gauche depuis la dernière révision", 30, "", ""),
    (
        "audi-lyon",
        Concern.Kind.INFORMATION_REQUEST,
        Concern.Channel.EMAIL,
        "Prix du forfait pneus hiver ?",
        4,
        "Forfait hiver envoyé par e-mail : 649 € monté.",
        "",
    ),
    (
        "lexus-marseille",
        Concern.Kind.PRAISE,
        Concern.Channel.SURVEY,
        "Accueil très aimable, voiture lavée",
        72,
        "Client remercié au nom de l'équipe.",
        "Transmis à l'équipe d'accueil.",
    ),
    ("citroen-moscow", Concern.Kind.COMPLAINT, Concern.Channel.DESK, "Ждал выдачи автомобиля 40 минут", 3, "", ""),
]


@transaction.atomic
def load_followup_demo(report) -> None:
    sites = {site.code: site for site in Site.objects.filter(code__in=POLICIES)}
    now = timezone.now()
    for code, values in POLICIES.items():
        if code in sites:
            _policy, created = ReminderPolicy.objects.get_or_create(site=sites[code], defaults=values)
            report.add("reminder policies", created)
    for code, values in FOLLOWUP_POLICIES.items():
        if code in sites:
            _policy, created = FollowupPolicy.objects.get_or_create(site=sites[code], defaults=values)
            report.add("follow-up policies", created)
    for code, kind, channel, summary, hours_ago, answer, resolution in CONCERNS:
        site = sites.get(code)
        vehicle = Vehicle.objects.filter(owner__site=site).select_related("owner").order_by("pk").first() if site else None
        if vehicle is None or Concern.objects.filter(customer=vehicle.owner, summary=summary).exists():
            continue
        staff = User.objects.filter(sites=site, groups__name__in=["service_advisor", "manager"]).order_by("username").first()
        concern = services.record_concern(
            customer=vehicle.owner,
            vehicle=vehicle,
            kind=kind,
            channel=channel,
            summary=summary,
            owner=staff,
            recorded_by=staff,
            received_at=now - timedelta(hours=hours_ago),
        )
        if answer:
            concern = services.answer_concern(concern=concern, answer=answer, actor=staff, now=now - timedelta(hours=hours_ago - 1))
        if resolution:
            services.close_concern(concern=concern, resolution=resolution, customer_agreed=True, actor=staff)
        report.add("concerns")
    for site in sites.values():
        agent = User.objects.filter(sites=site, groups__name="crc_agent").order_by("username").first()
        due = (
            Vehicle.objects.filter(owner__site=site, next_service_due_date__isnull=False)
            .select_related("owner")
            .order_by("next_service_due_date", "pk")[:3]
        )
        for vehicle in due:
            key = f"list:service_due:demo:{vehicle.vin}"
            if CallTask.objects.filter(key=key).exists():
                continue
            services.create_call_task(
                key=key,
                site=site,
                customer=vehicle.owner,
                vehicle=vehicle,
                kind=CallTask.Kind.TARGET_LIST,
                reason=TARGET_LIST(target_list="service_due"),
                due_at=now,
                assigned_to=agent,
            )
            report.add("call tasks")


def load_visit_followups_demo(report) -> None:
    """The follow-up job run once now: each handover closed in the last week gets its follow-up and callback."""
    report.add("visit follow-ups", services.start_visit_followups(now=timezone.now()))
