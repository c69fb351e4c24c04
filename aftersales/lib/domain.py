"""The domain scaffold every app shares: its errors, how a form shows them, how a status moves.

A service refuses a change by raising a subclass of ``DomainError`` from its
app's ``exceptions.py``; a view shows it on the form with ``add_domain_error``.
A model whose status moves has a ``TRANSITIONS`` table beside its ``Status``
choices and an event model; its ``StatusFlow`` checks each move against the
table, saves it and writes the event row (who, when, from, to, note).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from .system_texts import SystemText


class DomainError(Exception):
    """A business rule refused the change: a translatable ``message`` and the form ``field`` it is about (None: the whole form).

    A subclass names its field and its default message as class attributes.
    """

    default_message = _("This action is not possible.")
    field: str | None = None

    def __init__(self, message=None, *, field: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)
        if field is not None:
            self.field = field

    def __str__(self) -> str:
        return str(self.message)


def add_domain_error(form: forms.BaseForm, error: DomainError, *, fields: Mapping[str, str | None] | None = None, message=None) -> None:
    """Show a service's refusal on the form field it is about, or above the form when the form has no such field.

    ``fields`` renames a service's field to this form's (None: above the form); ``message`` replaces the error's text.
    """
    field = (fields or {}).get(error.field, error.field)
    form.add_error(field if field in form.fields else None, message or error.message)


@dataclass(frozen=True)
class StatusFlow:
    """The status moves of one model, each allowed by the model's ``TRANSITIONS`` and recorded as a row of ``event_model``.

    ``event_model`` has a foreign key ``subject`` to the model and the fields ``actor``, ``from_status``,
    ``to_status``, ``note``, ``note_code`` and ``note_params``. A move the table does not allow raises
    ``refused(refusal)``, ``refusal`` being a translatable text with ``%(current)s`` and ``%(target)s``.

    A later stage that must react to a move of an earlier stage's model registers ``listener(obj, to, actor)``
    with ``on_move`` in its ``AppConfig.ready()``; it runs after each move, in the mover's transaction.
    """

    event_model: type[models.Model]
    subject: str
    refused: type[DomainError]
    refusal: str
    listeners: list[Callable[[models.Model, str, object], None]] = field(default_factory=list, compare=False, repr=False)

    def on_move(self, listener: Callable[[models.Model, str, object], None]) -> None:
        if listener not in self.listeners:
            self.listeners.append(listener)

    def allows(self, obj: models.Model, to: str) -> bool:
        """Whether the model's ``TRANSITIONS`` allows the object to move from its status to ``to``."""
        return to in obj.TRANSITIONS[obj.status]

    def check(self, obj: models.Model, to: str) -> None:
        """Refuse a move the model's ``TRANSITIONS`` does not allow."""
        if not self.allows(obj, to):
            raise self.refused(self.refusal % {"current": obj.get_status_display(), "target": obj.Status(to).label})

    def move(self, obj: models.Model, to: str, *, actor, note: SystemText | str = "", **changes) -> models.Model:
        """Move the object, locked by the caller in its transaction, to ``to`` with ``changes``; returns the event row."""
        self.check(obj, to)
        previous = obj.status
        obj.status = to
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.save(update_fields=["status", *changes])
        event = self.record(obj, actor=actor, from_status=previous, note=note)
        for listener in self.listeners:
            listener(obj, to, actor)
        return event

    def record(self, obj: models.Model, *, actor, from_status: str, note: SystemText | str = "", **values) -> models.Model:
        """An event row of the object at its current status (``from_status`` is "" when it was just created)."""
        return self.event_model.objects.create(
            **{self.subject: obj},
            actor=actor if actor is not None and actor.is_authenticated else None,
            from_status=from_status,
            to_status=obj.status,
            **SystemText.of(note).fields("note", max_length=self.event_model._meta.get_field("note").max_length),
            **values,
        )
