"""What the outbox writes by itself in a message's history (recovering a stalled send), kept as codes and shown in
the reader's language (aftersales.lib.system_texts)."""

from django.utils.translation import gettext_lazy as _

from aftersales.lib.system_texts import Choice, Message

from .models import FAILURE_REASONS

PROVIDER_HAS_IT = Message("messaging.provider_has_it", _("The provider has it: the worker stopped before recording the send."))
QUEUED_AGAIN = Message("messaging.queued_again", _("The worker stopped during the send; queued again."))
NOT_SENT_AGAIN = Message("messaging.not_sent_again", _("The worker stopped during the send twice; not sent again."))
NOT_SENT = Message("messaging.not_sent", "%(reason)s", reason=Choice(FAILURE_REASONS))
