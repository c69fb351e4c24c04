"""Numbers with no gaps (work orders, invoices), taken from a locked counter row, never from "last + 1".

A counter model has a ``last`` field and one row per key (a site and a year, say), unique in the database. The
caller takes the number inside the transaction that uses it: a rollback gives the number back, and concurrent
callers wait for the row lock, so every number is used once and none is skipped.
"""

from django.db import models


def take_next_number(counter_model: type[models.Model], **key) -> int:
    """The next number of the counter row ``key`` (created at 0 on first use); call inside the transaction that uses it."""
    counter, _created = counter_model.objects.get_or_create(**key)
    counter = counter_model.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last
