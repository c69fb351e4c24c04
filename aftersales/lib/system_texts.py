"""Texts the system writes (a call's reason, an event's note, an advisor's notification), kept as a message code
and its parameters and written out in the reader's language when shown.

Each app defines its messages in its ``system_texts`` module (found on first use), a translatable template with
named placeholders and how each parameter is kept and shown::

    SERVICE_DUE = Message("followup.service_due", _("Service due on %(day)s."), day=Day())

    create_call_task(..., reason=SERVICE_DUE(day=due_on))  # reason_code "followup.service_due", reason_params {"day": "2026-12-24"}
    {{ task.reason_display }}                              # "Entretien prévu le 24 déc. 2026.", "ТО до 24 декабря 2026."

A model keeps a text in three fields, ``<name>`` (free text), ``<name>_code`` and ``<name>_params`` (JSON), and shows
it through ``<name>_display = ShownText("<name>")``. Parameters are machine values (ISO dates, decimals as strings,
ids, choice values) formatted when shown, in the reader's locale. Words a person typed, and old sentences that no
pattern recognised, are free text shown as they are (after the coded text when there are both).
"""

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)

_MESSAGES: dict[str, "Message"] = {}
_discovered = False


class Param:
    """How a parameter is kept (a JSON value), shown (in the active language) and read back from an old sentence."""

    def keep(self, value: Any) -> Any:
        return str(value)

    def show(self, kept: Any) -> str:
        return str(kept)

    def read(self, text: str) -> Any:
        """The kept value from the words an old sentence had in its place; ValueError when they cannot give one."""
        return text


class Text(Param):
    """Shown as written: a work-order number, a reference."""


class Day(Param):
    """A date: kept as ISO, shown in the project's medium date format of the reader's language (aftersales.formats):
    "4 Dec 2026", "4 déc. 2026", "4 декабря 2026", "2026年12月4日"."""

    def keep(self, value: date) -> str:
        return value.isoformat()

    def show(self, kept: str) -> str:
        return date_format(date.fromisoformat(kept), "MEDIUM_DATE_FORMAT", use_l10n=True)

    def read(self, text: str) -> str:
        return date.fromisoformat(text.strip()).isoformat()


class Moment(Param):
    """A date and time: kept as ISO with its offset, shown in the active time zone (the site's, for a staff e-mail) in
    the project's medium date and time format of the reader's language: "4 Dec 2026 14:30", "4 déc. 2026 14:30"."""

    def keep(self, value: datetime) -> str:
        if timezone.is_naive(value):
            raise ValueError(f"{value!r} has no time zone")
        return value.isoformat()

    def show(self, kept: str) -> str:
        return date_format(timezone.localtime(datetime.fromisoformat(kept)), "MEDIUM_DATETIME_FORMAT", use_l10n=True)

    def read(self, text: str) -> str:
        return self.keep(datetime.fromisoformat(text.strip()))


class Number(Param):
    """A decimal or a whole number: kept as a string, shown with the reader's separators ("1 234,5")."""

    def keep(self, value: Decimal | int) -> str:
        return str(value)

    def show(self, kept: str) -> str:
        number = Decimal(kept)
        if number == number.to_integral_value():
            number = number.quantize(Decimal(1))
        return number_format(number, use_l10n=True, force_grouping=True)

    def read(self, text: str) -> str:
        try:
            return str(Decimal(text.strip().replace(",", ".")))
        except InvalidOperation as error:
            raise ValueError(text) from error


class Choice(Param):
    """One of a set of labelled values (a TextChoices class, a {value: label} mapping or a function giving one): kept
    as the value, shown as its label in the reader's language."""

    def __init__(self, labels: type[models.Choices] | Mapping[str, Any] | Callable[[], Mapping[str, Any]]):
        self.labels = labels

    def _labels(self) -> Mapping[str, Any]:
        if isinstance(self.labels, type):
            return dict(self.labels.choices)
        return self.labels if isinstance(self.labels, Mapping) else self.labels()

    def keep(self, value: str) -> str:
        if str(value) not in self._labels():
            raise ValueError(f"{value!r} is not one of {list(self._labels())}")
        return str(value)

    def show(self, kept: str) -> str:
        return str(self._labels().get(kept, kept))

    def read(self, text: str) -> str:
        for value, label in self._labels().items():
            if text.strip() in (value, str(label)):
                return value
        raise ValueError(text)


class Record(Param):
    """A row (or several): kept as its id (a list of ids), shown by ``label`` (its ``str`` by default) as it is
    now, several joined by commas; "—" for none or one deleted since. ``find`` gives the row an old sentence named
    (None when it cannot tell)."""

    def __init__(
        self, model: type[models.Model], label: Callable[[Any], str] = str, find: Callable[[str], models.Model | None] | None = None
    ):
        self.model, self.label, self.find = model, label, find

    def keep(self, value: models.Model | Iterable[models.Model] | None) -> int | list[int] | None:
        if value is None or isinstance(value, models.Model):
            return value.pk if value is not None else None
        return [row.pk for row in value]

    def show(self, kept: int | list[int] | None) -> str:
        ids = kept if isinstance(kept, list) else [kept] if kept is not None else []
        rows = self.model._default_manager.in_bulk(ids)
        return ", ".join(self.label(rows[pk]) for pk in ids if pk in rows) or "—"

    def read(self, text: str) -> int | None:
        if text.strip() == "—":
            return None
        found = self.find(text.strip()) if self.find else None
        if found is None:
            raise ValueError(f"no {self.model._meta.model_name} is named {text!r}")
        return found.pk


@dataclass(frozen=True)
class SystemText:
    """A text as stored: a message code and its parameters, and/or free text."""

    code: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    free: str = ""

    @classmethod
    def of(cls, value: "SystemText | str | None") -> "SystemText":
        """A text a service was given: a message as it is, words typed by a person as free text."""
        return value if isinstance(value, SystemText) else cls(free=str(value or "").strip())

    def __str__(self) -> str:
        return " ".join(filter(None, [render(self.code, self.params) if self.code else "", self.free]))

    def __bool__(self) -> bool:
        return bool(self.code or self.free)

    def fields(self, name: str, *, max_length: int | None = None) -> dict[str, Any]:
        """The values of the model fields ``<name>``, ``<name>_code`` and ``<name>_params``."""
        return {name: self.free[:max_length], f"{name}_code": self.code, f"{name}_params": dict(self.params)}


class Message:
    """A text the system writes, by code: ``Message(code, _("… %(day)s …"), day=Day())``."""

    def __init__(self, code: str, template: Promise | str, **params: Param):
        if code in _MESSAGES:
            raise ValueError(f"The message code {code!r} is defined twice.")
        self.code, self.template, self.params = code, template, params
        _MESSAGES[code] = self

    def __call__(self, free: str = "", **values: Any) -> SystemText:
        if set(values) != set(self.params):
            raise TypeError(f"{self.code} takes {sorted(self.params)}, not {sorted(values)}")
        return SystemText(self.code, {name: kind.keep(values[name]) for name, kind in self.params.items()}, free.strip())

    def render(self, params: Mapping[str, Any]) -> str:
        return str(self.template) % {name: kind.show(params[name]) for name, kind in self.params.items()}

    def pattern(self) -> re.Pattern:
        """The template in the active language as a regular expression, one named group per placeholder."""
        parts, position, source = [], 0, str(self.template)
        for placeholder in re.finditer(r"%\((\w+)\)s|%%", source):
            parts.append(re.escape(source[position : placeholder.start()]))
            parts.append(f"(?P<{placeholder.group(1)}>.+?)" if placeholder.group(1) else "%")
            position = placeholder.end()
        parts.append(re.escape(source[position:]))
        return re.compile("".join(parts), re.DOTALL)


def find_message(code: str) -> Message | None:
    global _discovered
    if not _discovered:
        autodiscover_modules("system_texts")
        _discovered = True
    return _MESSAGES.get(code)


def render(code: str, params: Mapping[str, Any]) -> str:
    """The message in the active language; a code no longer defined, or parameters it cannot use, show as stored."""
    found = find_message(code)
    try:
        return found.render(params) if found else f"{code} {dict(params)}"
    except (KeyError, TypeError, ValueError, InvalidOperation):
        logger.warning("System text %s cannot be shown with %r", code, params, exc_info=True)
        return f"{code} {dict(params)}"


class ShownText:
    """Model attribute: the text kept in the fields ``<name>``, ``<name>_code`` and ``<name>_params``, shown in the
    active language (``{{ event.note_display }}``)."""

    def __init__(self, name: str, short_description: Promise | str = ""):
        self.name, self.short_description = name, short_description or name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return SystemText(
            getattr(instance, f"{self.name}_code"), getattr(instance, f"{self.name}_params") or {}, getattr(instance, self.name)
        )


class OldTextReader:
    """Old sentences, written in any of the site's languages, as the messages they came from (for data migrations).

    ``words_after``: a sentence may be followed by words a person typed, kept as free text.
    """

    def __init__(self, messages: Iterable[Message], *, words_after: bool = False):
        tail = r"(?:\s+(?P<free_words>.*))?" if words_after else ""
        self.patterns = []
        for candidate in messages:
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    self.patterns.append((candidate, language, re.compile(candidate.pattern().pattern + tail, re.DOTALL)))

    def read(self, text: str) -> SystemText:
        """The message ``text`` was written from, with its parameters; else ``text`` as free text."""
        text = (text or "").strip()
        for candidate, language, pattern in self.patterns:
            match = pattern.fullmatch(text)
            if match is None:
                continue
            with translation.override(language):
                try:
                    params = {name: kind.read(match.group(name)) for name, kind in candidate.params.items()}
                except ValueError:
                    continue
            return SystemText(candidate.code, params, (match.groupdict().get("free_words") or "").strip())
        return SystemText(free=text)


def convert_old_texts(model: type[models.Model], name: str, messages: Iterable[Message], *, words_after: bool = False) -> None:
    """Data migrations: the old sentence in each row's ``<name>`` field becomes its message code and parameters where
    a pattern recognises it; the others stay free text, shown as they are."""
    reader = OldTextReader(messages, words_after=words_after)
    rows = model._default_manager.exclude(**{name: ""}).filter(**{f"{name}_code": ""}).values_list("pk", name)
    for pk, old in list(rows):
        text = reader.read(old)
        if text.code:
            model._default_manager.filter(pk=pk).update(**text.fields(name))


def restore_old_texts(model: type[models.Model], name: str) -> None:
    """Reverse of ``convert_old_texts``: coded texts written out in the default language into the free-text field."""
    max_length = model._meta.get_field(name).max_length
    rows = model._default_manager.exclude(**{f"{name}_code": ""}).values_list("pk", f"{name}_code", f"{name}_params", name)
    with translation.override(settings.LANGUAGE_CODE):
        for pk, code, params, free in list(rows):
            written = str(SystemText(code, params or {}, free))[:max_length]
            model._default_manager.filter(pk=pk).update(**{name: written, f"{name}_code": "", f"{name}_params": {}})
