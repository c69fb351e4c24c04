from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopConfig(AppConfig):
    name = "workshop"
    verbose_name = _("Workshop")

    def ready(self) -> None:
        from aftersales.customers.panels import register_customer_panel
        from aftersales.customers.privacy import register_erasure, register_export_section
        from aftersales.messaging.catalogue import register_message_type
        from appointments.hints import register_vehicle_hints

        from .hints import deferred_work_hints
        from .message_texts import PROMISED_TIME_TEMPLATE, SIGNATURE_TEMPLATE
        from .panels import DEFERRED_WORK_PANEL
        from .privacy import erase_work_orders, export_work_orders

        register_message_type(
            SIGNATURE_TEMPLATE,
            _("Work order to sign by code"),
            ["number", "vehicle", "total", "link"],
            samples={"number": "LYO-2026-00042"},
        )
        register_message_type(
            PROMISED_TIME_TEMPLATE,
            _("Promised return time changed"),
            ["number", "vehicle", "promised", "previous"],
            samples={"number": "LYO-2026-00042"},
        )
        register_customer_panel(DEFERRED_WORK_PANEL)
        register_vehicle_hints(deferred_work_hints)
        register_export_section("work_orders", export_work_orders)
        register_erasure("work_orders", erase_work_orders)
