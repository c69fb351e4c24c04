"""Domain errors of invoicing, payment and handover; each carries a translatable message and the field it is about."""

from django.utils.translation import gettext_lazy as _

from aftersales.lib.domain import DomainError


class InvoicingError(DomainError):
    """A refusal of invoicing, payment or handover."""


class DocumentFrozen(InvoicingError):
    """An issued invoice, credit note, payment or closure never changes."""

    default_message = _("An issued invoice cannot be changed or deleted: issue a credit note, then a new invoice.")


class NotInvoiceable(InvoicingError):
    """Work that is not approved, or a work order not ready for invoicing."""


class VarianceNotExplained(InvoicingError):
    """A line differs from the signed estimate and approved extras without a reason."""


class PeriodClosed(InvoicingError):
    """Nothing is issued into a closed day, month or year."""


class InvalidInvoiceInput(InvoicingError):
    """Bad input on an invoice line, a payment, a closure."""


class CashLimitExceeded(InvoicingError):
    """More cash than the site's country allows for one purchase."""


class BalanceDue(InvoicingError):
    """The car is not released with a balance due without a manager's authorisation."""


class HandoverError(InvoicingError):
    """Bad input or a step out of order at the handover."""
