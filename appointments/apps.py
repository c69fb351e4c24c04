from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        from aftersales.messaging.replies import register_reply_handler

        from .replies import confirm_by_sms_reply

        register_reply_handler(confirm_by_sms_reply)
