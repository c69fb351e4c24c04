from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up")

    def ready(self):
        from aftersales.customers.panels import register_customer_panel
        from aftersales.customers.privacy import register_erasure, register_export_section
        from aftersales.messaging.catalogue import register_message_type
        from aftersales.messaging.replies import register_reply_handler

        from .panels import CONCERNS_PANEL
        from .privacy import erase_followup, export_followup
        from .replies import concern_reply_by_sms

        register_reply_handler(concern_reply_by_sms)
        register_customer_panel(CONCERNS_PANEL)
        register_message_type(
            "concern_info_request",
            _("Question about a concern"),
            ["reference", "question"],
            samples={"question": "Which wheel makes the noise, and at what speed?"},
        )
        register_message_type(
            "vehicle_life_message",
            _("Vehicle-life campaign message"),
            ["vehicle", "title", "text", "link"],
            samples={"title": "Winter check", "text": "Free 20-point check before the cold season."},
            marketing=True,
        )
        register_message_type("quick_touch", _("Quick rating after the handover"), ["vehicle", "link"])
        register_export_section("followup", export_followup)
        register_erasure("followup", erase_followup)
