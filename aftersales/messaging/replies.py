"""Hooks for the stages that act on a customer's SMS reply (messaging imports none of them).

A stage registers ``handler(inbound) -> bool`` at start-up (in its
``AppConfig.ready``); ``receive_sms`` calls every handler for each new reply,
inside its transaction. A handler returns True when it dealt with the reply
(the reply is then marked handled); a handler that fails is rolled back on
its own and logged, and the reply still waits in the inbox.
"""

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

ReplyHandler = Callable[..., bool]
_HANDLERS: list[ReplyHandler] = []


def register_reply_handler(handler: ReplyHandler) -> ReplyHandler:
    """Add a handler once (registering it again changes nothing)."""
    if handler not in _HANDLERS:
        _HANDLERS.append(handler)
    return handler


def unregister_reply_handler(handler: ReplyHandler) -> None:
    if handler in _HANDLERS:
        _HANDLERS.remove(handler)


def dispatch_reply(inbound) -> bool:
    """Offer the reply to every handler; True when at least one dealt with it."""
    handled = False
    for handler in list(_HANDLERS):
        try:
            with transaction.atomic():
                handled = bool(handler(inbound)) or handled
        except Exception:
            logger.exception("SMS reply handler %s failed on inbound message %s", getattr(handler, "__name__", handler), inbound.pk)
    return handled
