from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopConfig(AppConfig):
    name = "workshop"
    verbose_name = _("Workshop")

    def ready(self) -> None:
        from aftersales.messaging.catalogue import register_message_type

        from .message_texts import SIGNATURE_TEMPLATE

        register_message_type(
            SIGNATURE_TEMPLATE, _("Work order to sign by code"), ["number", "vehicle", "total", "link"],
            samples={"number": "LYO-2026-00042"},
        )
