"""The forms of a rendered page, read and submitted as a browser would (for the round-trip tests).

A browser does not post what the HTML says: an ``<input type="date" value="04/12/2027">``
shows an empty box and posts nothing, because the value is not a valid date
string (the HTML standard's "value sanitization algorithm"). ``Form.entries()``
builds what a browser sends when the form is submitted untouched: the
sanitized value of each input (number, date, time, datetime-local, month,
week), the checked boxes and radios, the selected options (the first one when
none is selected), the textareas, controls outside the form tag that name it
with ``form="..."``, nothing from disabled controls or disabled fieldsets, and
the clicked submit button's name and value.
"""

import re
from dataclasses import dataclass, field
from datetime import date, time
from html.parser import HTMLParser

# The input types whose value a browser sanitizes to the machine format or to "".
MACHINE_FORMAT_TYPES = frozenset({"number", "date", "month", "week", "time", "datetime-local"})
BUTTON_TYPES = frozenset({"submit", "image", "reset", "button"})

_NUMBER = re.compile(r"-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?")
_DATE = re.compile(r"(\d{4,})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"(\d{4,})-(\d{2})")
_WEEK = re.compile(r"(\d{4,})-W(\d{2})")
_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?")


def _date(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _time(text: str) -> time | None:
    match = _TIME.fullmatch(text)
    if not match:
        return None
    hours, minutes, seconds, fraction = match.groups()
    try:
        return time(int(hours), int(minutes), int(seconds or 0), int((fraction or "0").ljust(3, "0")) * 1000)
    except ValueError:
        return None


def _normalized_time(moment: time) -> str:
    """The shortest time string: HH:MM, with seconds and milliseconds only when not zero."""
    if moment.microsecond:
        return f"{moment:%H:%M:%S}.{moment.microsecond // 1000:03d}".rstrip("0")
    return f"{moment:%H:%M:%S}" if moment.second else f"{moment:%H:%M}"


def sanitize(input_type: str, value: str) -> str:
    """What the browser keeps of an input's value attribute (its value sanitization algorithm)."""
    if input_type in ("text", "search", "tel", "password", "hidden", "email", "url"):
        if input_type == "hidden":
            return value
        value = value.replace("\r", "").replace("\n", "")
        return value.strip(" \t\f") if input_type in ("email", "url") else value
    if input_type == "number":
        return value if _NUMBER.fullmatch(value) else ""
    if input_type == "date":
        return value if _date(value) else ""
    if input_type == "month":
        match = _MONTH.fullmatch(value)
        return value if match and 1 <= int(match.group(2)) <= 12 else ""
    if input_type == "week":
        match = _WEEK.fullmatch(value)
        return value if match and 1 <= int(match.group(2)) <= 53 else ""
    if input_type == "time":
        return value if _time(value) else ""
    if input_type == "datetime-local":
        day, separator, moment = value.partition("T") if "T" in value else value.partition(" ")
        parsed = _time(moment) if separator else None
        return f"{day}T{_normalized_time(parsed)}" if _date(day) and parsed else ""
    return value


def machine_format_problem(input_type: str, value: str) -> str | None:
    """Why a browser would drop or change this value (None when it keeps it as written)."""
    if input_type not in MACHINE_FORMAT_TYPES or value == "":
        return None
    kept = sanitize(input_type, value)
    if kept == value:
        return None
    return f'<input type="{input_type}" value="{value}">: the browser ' + (f"reads {kept!r}" if kept else "shows it empty")


@dataclass
class Control:
    tag: str
    attrs: dict
    options: list = field(default_factory=list)  # <select>: [(value, selected, disabled)]
    text: str = ""  # <textarea>, or a <button>'s label
    in_disabled_fieldset: bool = False

    @property
    def name(self) -> str:
        return self.attrs.get("name") or ""

    @property
    def type(self) -> str:
        if self.tag == "input":
            return (self.attrs.get("type") or "text").lower()
        if self.tag == "button":
            return (self.attrs.get("type") or "submit").lower()
        return self.tag

    @property
    def disabled(self) -> bool:
        return "disabled" in self.attrs or self.in_disabled_fieldset

    @property
    def is_submit_button(self) -> bool:
        return self.tag in ("input", "button") and self.type in ("submit", "image")

    def values(self) -> list[str]:
        """The values this control adds to the form's entry list when the form is submitted untouched."""
        if self.tag == "input":
            if self.type in BUTTON_TYPES or self.type == "file":
                return []
            if self.type in ("checkbox", "radio"):
                return [self.attrs.get("value", "on")] if "checked" in self.attrs else []
            return [sanitize(self.type, self.attrs.get("value") or "")]
        if self.tag == "textarea":
            text = self.text[1:] if self.text.startswith("\n") else self.text
            return [text.replace("\r\n", "\n")]
        if self.tag == "select":
            enabled = [(value, selected) for value, selected, disabled in self.options if not disabled]
            chosen = [value for value, selected in enabled if selected]
            if not chosen and "multiple" not in self.attrs and enabled:
                chosen = [enabled[0][0]]
            return chosen if "multiple" in self.attrs else chosen[-1:]
        return []


@dataclass
class Form:
    attrs: dict
    controls: list = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.attrs.get("id") or ""

    @property
    def action(self) -> str:
        return self.attrs.get("action") or ""

    @property
    def method(self) -> str:
        return (self.attrs.get("method") or "get").lower()

    def submit_buttons(self) -> list[Control]:
        return [control for control in self.controls if control.is_submit_button and not control.disabled]

    def machine_format_inputs(self) -> list[Control]:
        return [control for control in self.controls if control.tag == "input" and control.type in MACHINE_FORMAT_TYPES]

    def entries(self, submitter: Control | None = None) -> dict[str, list[str]]:
        """The data a browser posts for this form submitted unchanged with ``submitter`` (default: its first submit button)."""
        buttons = self.submit_buttons()
        submitter = submitter or (buttons[0] if buttons else None)
        data: dict[str, list[str]] = {}
        for control in self.controls:
            if not control.name or control.disabled:
                continue
            values = [control.attrs.get("value", "")] if control is submitter else control.values()
            if values:
                data.setdefault(control.name, []).extend(values)
        return data


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.orphans: list[Control] = []  # controls outside any form tag, kept for their form="..." attribute
        self._form: Form | None = None
        self._disabled_fieldsets = 0
        self._fieldsets: list[bool] = []
        self._select: Control | None = None
        self._option: dict | None = None
        self._text_into: Control | None = None

    def _add(self, control: Control) -> None:
        control.in_disabled_fieldset = self._disabled_fieldsets > 0
        if "form" in control.attrs or self._form is None:
            self.orphans.append(control)
        else:
            self._form.controls.append(control)

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self._form = Form(attrs)
            self.forms.append(self._form)
        elif tag == "fieldset":
            disabled = "disabled" in attrs
            self._fieldsets.append(disabled)
            self._disabled_fieldsets += disabled
        elif tag == "input":
            self._add(Control("input", attrs))
        elif tag in ("select", "textarea", "button"):
            control = Control(tag, attrs)
            self._add(control)
            if tag == "select":
                self._select = control
            else:
                self._text_into = control
        elif tag == "option" and self._select is not None:
            self._close_option()
            self._option = {"attrs": attrs, "text": ""}

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("input",):
            self.handle_endtag(tag)

    def _close_option(self):
        if self._option is not None and self._select is not None:
            attrs = self._option["attrs"]
            value = attrs["value"] if "value" in attrs else " ".join(self._option["text"].split())
            self._select.options.append((value, "selected" in attrs, "disabled" in attrs))
        self._option = None

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "fieldset" and self._fieldsets:
            self._disabled_fieldsets -= self._fieldsets.pop()
        elif tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag in ("textarea", "button"):
            self._text_into = None

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        elif self._text_into is not None:
            self._text_into.text += data


def parse_forms(html: str) -> list[Form]:
    """The page's forms, each with its controls in page order (those naming it with form="id" included)."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    parser._close_option()
    by_id = {form.id: form for form in parser.forms if form.id}
    for control in parser.orphans:
        owner = by_id.get(control.attrs.get("form", ""))
        if owner is not None:
            owner.controls.append(control)
    return parser.forms


def all_inputs(html: str) -> list[Control]:
    """Every control of the page, in a form or not."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return [control for form in parser.forms for control in form.controls] + parser.orphans


def page_form_entries(client, url: str, form_id: str) -> dict[str, list[str]]:
    """What the form with this id on the page at ``url`` posts when submitted untouched."""
    page = client.get(url)
    assert page.status_code == 200
    return next(form for form in parse_forms(page.content.decode()) if form.id == form_id).entries()
