from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopConfig(AppConfig):
    name = "workshop"
    verbose_name = _("Workshop")

    def ready(self) -> None:
        from aftersales.customers.panels import register_customer_panel, register_vehicle_panel
        from aftersales.customers.privacy import register_erasure, register_export_section
        from aftersales.messaging.catalogue import register_message_type
        from appointments.hints import register_vehicle_hints
        from appointments.loan_contract import register_loan_handover
        from appointments.preparation import register_preparation_notes
        from appointments.services import APPOINTMENT_FLOW

        from .hints import workshop_hints
        from .loans import loan_handover
        from .message_texts import PROMISED_TIME_TEMPLATE, SIGNATURE_TEMPLATE
        from .panels import DEFERRED_WORK_PANEL, VEHICLE_OPEN_WORK_PANEL
        from .preparation import work_order_notes
        from .privacy import erase_work_orders, export_work_orders
        from .services import withdraw_prepared_order

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
        register_vehicle_panel(VEHICLE_OPEN_WORK_PANEL)
        register_vehicle_hints(workshop_hints)
        register_loan_handover(loan_handover)
        register_preparation_notes(work_order_notes)
        APPOINTMENT_FLOW.on_move(withdraw_prepared_order)
        register_export_section("work_orders", export_work_orders)
        register_erasure("work_orders", erase_work_orders)
