from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "aftersales.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from aftersales.customers.panels import register_customer_panel
        from aftersales.customers.privacy import register_erasure, register_export_section

        from .panels import MESSAGES_PANEL
        from .privacy import erase_messages, export_messages, export_messages_received

        register_customer_panel(MESSAGES_PANEL)
        register_export_section("messages", export_messages)
        register_export_section("messages_received", export_messages_received)
        register_erasure("messages", erase_messages)
