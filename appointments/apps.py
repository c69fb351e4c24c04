from datetime import date, timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        from aftersales.customers.panels import register_customer_panel, register_vehicle_panel
        from aftersales.customers.privacy import register_erasure, register_export_section
        from aftersales.messaging.catalogue import register_message_type
        from aftersales.messaging.replies import register_reply_handler

        from .grid_cache import watch_grid_sources
        from .message_texts import PARTS_DELAY_TEMPLATE
        from .panels import VEHICLE_VISITS_PANEL, VISITS_PANEL
        from .privacy import erase_appointments, export_appointments
        from .replies import confirm_by_sms_reply

        register_reply_handler(confirm_by_sms_reply)
        register_customer_panel(VISITS_PANEL)
        register_vehicle_panel(VEHICLE_VISITS_PANEL)
        register_message_type(
            PARTS_DELAY_TEMPLATE,
            _("Part delayed for an appointment"),
            ["start", "vehicle", "parts", "expected", "link"],
            samples={"parts": "Front brake pads 8W0698151", "expected": date.today() + timedelta(days=5)},
        )
        register_message_type(
            "web_request_answer",
            _("Answer to a web or e-mail request"),
            ["answer", "link"],
            samples={"answer": "Thank you for your message: we can see your car on Tuesday at 9:00."},
        )
        register_export_section("appointments", export_appointments)
        register_erasure("appointments", erase_appointments)
        watch_grid_sources()
