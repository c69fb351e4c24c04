"""Editing the texts of reference data (``models.Translated``) per language: one input per language and field.

``TranslatedAdmin`` and ``TranslatedInline`` replace the raw ``translations`` JSON of a model's admin form with one
text input per translated field and language other than the default one, grouped by language, and write them back
into ``translations`` on save. An empty input removes that translation (readers then get the default language).
``in_every_language`` builds a row's fields from its text in every language (demo and seed data).
"""

from collections.abc import Sequence

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.utils.text import format_lazy

from .models import Translated


def in_every_language(field: str, texts: Sequence[str]) -> dict:
    """The fields of a reference row for one text given in every language of settings.LANGUAGES, in that order."""
    by_language = dict(zip((code for code, _name in settings.LANGUAGES), texts, strict=True))
    default = by_language.pop(settings.LANGUAGE_CODE)
    return {field: default, "translations": {code: {field: text} for code, text in by_language.items()}}


def other_languages() -> list[tuple[str, str]]:
    """The languages kept in ``translations``: every language of the site but the default one."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def input_name(field: str, language: str) -> str:
    return f"{field}_{language.replace('-', '_')}"


def translation_inputs(model: type[Translated]) -> list[tuple[str, str, str]]:
    """(input name, language, field) of every translation of ``model``, language by language."""
    return [(input_name(field, code), code, field) for code, _name in other_languages() for field in model.translated_fields]


def _form_field(model_field: models.Field, language_name) -> forms.CharField:
    return forms.CharField(
        label=format_lazy("{} ({})", model_field.verbose_name, language_name),
        max_length=model_field.max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}) if isinstance(model_field, models.TextField) else forms.TextInput,
    )


class TranslationsFormMixin:
    """Shows the instance's translations in the inputs and writes the inputs back into ``translations``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, language, field in translation_inputs(self._meta.model):
            self.initial.setdefault(name, self.instance.translations.get(language, {}).get(field, ""))

    def clean(self):
        cleaned = super().clean()
        translations = {language: dict(texts) for language, texts in self.instance.translations.items()}
        for name, language, field in translation_inputs(self._meta.model):
            text = (cleaned.get(name) or "").strip()
            texts = translations.setdefault(language, {})
            if text:
                texts[field] = text
            else:
                texts.pop(field, None)
        self.instance.translations = {language: texts for language, texts in translations.items() if texts}
        return cleaned


def translations_form(model: type[Translated], form: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """``form`` with one input per language and translated field of ``model``."""
    names = dict(other_languages())
    inputs = {name: _form_field(model._meta.get_field(field), names[language]) for name, language, field in translation_inputs(model)}
    return type(f"{model.__name__}TranslationsForm", (TranslationsFormMixin, form), inputs)


class TranslatedAdminMixin:
    """The admin of a Translated model or inline: the main fields, then one group of inputs per language."""

    exclude = ["translations"]
    translation_classes: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        inputs = [name for name, _language, _field in translation_inputs(self.model)]
        return [name for name in super().get_fields(request, obj) if name not in inputs and name != "translations"] + inputs

    def get_fieldsets(self, request, obj=None):
        if self.fieldsets:
            return self.fieldsets
        inputs = {name for name, _language, _field in translation_inputs(self.model)}
        main = [name for name in self.get_fields(request, obj) if name not in inputs]
        per_language = [
            (
                language_name,
                {"fields": [input_name(field, code) for field in self.model.translated_fields], "classes": self.translation_classes},
            )
            for code, language_name in other_languages()
        ]
        return [(None, {"fields": main}), *per_language]


class TranslatedAdmin(TranslatedAdminMixin, admin.ModelAdmin):
    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = translations_form(self.model, kwargs.get("form", self.form))
        return super().get_form(request, obj, change, **kwargs)


class TranslatedInline(TranslatedAdminMixin, admin.StackedInline):
    translation_classes = ("collapse",)  # many rows on one page: each language opens on demand

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = translations_form(self.model, kwargs.get("form", self.form))
        return super().get_formset(request, obj, **kwargs)
