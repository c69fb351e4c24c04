from django import forms

from aftersales.lib.domain import DomainError, add_domain_error


class Refused(DomainError):
    field = "slot"
    default_message = "This slot is not free."


class SlotForm(forms.Form):
    slot = forms.CharField()
    reason = forms.CharField(required=False)


def _bound_form() -> SlotForm:
    form = SlotForm({"slot": "10:00"})
    assert form.is_valid()
    return form


def test_a_domain_error_keeps_its_class_field_and_message_unless_given_others():
    assert (Refused().field, Refused().message, str(Refused())) == ("slot", "This slot is not free.", "This slot is not free.")
    assert (Refused("Taken.", field="reason").field, str(Refused("Taken.", field="reason"))) == ("reason", "Taken.")
    assert DomainError("No.").field is None


def test_a_refusal_shows_on_the_field_it_names():
    form = _bound_form()

    add_domain_error(form, Refused())

    assert form.errors == {"slot": ["This slot is not free."]}


def test_a_refusal_about_a_field_the_form_has_not_shows_above_the_form():
    form = _bound_form()

    add_domain_error(form, DomainError("No.", field="advisor"))

    assert form.non_field_errors() == ["No."]


def test_a_refusal_shows_on_the_field_the_form_names_for_it_with_the_text_given():
    form = _bound_form()

    add_domain_error(form, DomainError("No.", field="starts_at"), fields={"starts_at": "slot"}, message="Pick another time.")

    assert form.errors == {"slot": ["Pick another time."]}
