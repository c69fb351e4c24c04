from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = _("Invoicing")

    def ready(self) -> None:
        from aftersales.customers.privacy import register_erasure, register_export_section
        from aftersales.messaging.catalogue import register_message_type
        from appointments.vehicle_history import register_visit_history

        from .message_texts import INVOICE_EMAIL_TEMPLATE
        from .privacy import erase_invoices, export_invoices
        from .visit_history import past_visits

        register_message_type(
            INVOICE_EMAIL_TEMPLATE,
            _("Invoice by e-mail (PDF attached)"),
            ["number", "vehicle", "total", "kind"],
            samples={"number": "T1-2026-000042", "total": "€312.00", "kind": "Invoice"},
        )
        register_visit_history(past_visits)
        register_export_section("invoices", export_invoices)
        register_erasure("invoices", erase_invoices)
