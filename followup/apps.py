from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up")

    def ready(self):
        from aftersales.customers.panels import register_customer_panel
        from aftersales.messaging.replies import register_reply_handler

        from .panels import CONCERNS_PANEL
        from .replies import concern_reply_by_sms

        register_reply_handler(concern_reply_by_sms)
        register_customer_panel(CONCERNS_PANEL)
