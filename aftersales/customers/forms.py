from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape, format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site
from aftersales.lib import html5_inputs
from aftersales.lib.domain import add_domain_error
from aftersales.lib.phones import normalize_phone
from aftersales.lib.vin import validate_vin

from .exceptions import CustomerError, VinAlreadyOnFile
from .models import Channel, Customer, MileageReading, Vehicle
from .selectors import consent_label, current_consents
from .services import CUSTOMER_FIELDS, VEHICLE_FIELDS

PHONE_FIELDS = ("mobile", "phone_other")


def _helper(layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the page template renders the form tag and its token
    if layout is not None:
        helper.layout = layout
    return helper


def consent_field_name(channel: str) -> str:
    return f"consent_{channel}"


class CustomerForm(forms.ModelForm):
    """Phones are normalised to E.164 with the customer's site country as default region."""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Site"))
    # Typed as people write them ("+33 (0)6 12 34 56 78"); stored in E.164.
    mobile = forms.CharField(label=capfirst(Customer._meta.get_field("mobile").verbose_name), max_length=40, required=False)
    phone_other = forms.CharField(label=capfirst(Customer._meta.get_field("phone_other").verbose_name), max_length=40, required=False)

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS
        formfield_callback = html5_inputs.formfield

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for channel in Channel:
            self.fields[consent_field_name(channel)] = forms.BooleanField(label=consent_label(channel), required=False)
        if self.instance.pk:
            del self.fields["site"]
            for channel, record in current_consents(self.instance.consents.all()).items():
                self.fields[consent_field_name(channel)].initial = bool(record and record.granted)
        else:
            sites = user.visible_sites()
            self.fields["site"].queryset = sites
            first_site = sites.first()
            if first_site is not None:
                self.fields["site"].initial = first_site.pk
                self.fields["language"].initial = first_site.language
                self.fields["country"].initial = first_site.country
        identity = ["kind", "last_name", "first_name", "company_name"]
        if "site" in self.fields:
            identity.insert(0, "site")
        self.helper = _helper(
            Layout(
                Fieldset(_("Identity"), *identity),
                Fieldset(
                    _("Contact"),
                    Row(Column("mobile"), Column("phone_other")),
                    "email",
                    Row(Column("language"), Column("preferred_channel")),
                ),
                Fieldset(_("Consent"), Row(*(Column(consent_field_name(channel)) for channel in Channel))),
                Fieldset(_("Address"), "address", Row(Column("postcode"), Column("city"), Column("country"))),
            )
        )

    def clean_country(self) -> str:
        return self.cleaned_data["country"].upper()

    def clean(self):
        cleaned = super().clean()
        site = cleaned.get("site") if "site" in self.fields else self.instance.site
        if site is None:
            return cleaned
        for name in PHONE_FIELDS:
            if cleaned.get(name):
                try:
                    cleaned[name] = normalize_phone(cleaned[name], site.country)
                except ValidationError as error:
                    self.add_error(name, error)
        if cleaned.get("kind") in (Customer.Kind.COMPANY, Customer.Kind.FLEET) and not cleaned.get("company_name"):
            self.add_error("company_name", _("A company or fleet customer needs the company name."))
        reachable = {
            Channel.SMS: cleaned.get("mobile"),
            Channel.EMAIL: cleaned.get("email"),
            Channel.PHONE: cleaned.get("mobile") or cleaned.get("phone_other"),
            Channel.APP: True,
        }
        channel = cleaned.get("preferred_channel")
        contact_errors = self.errors.keys() & {"mobile", "phone_other", "email"}
        if channel and not reachable[channel] and not contact_errors:
            self.add_error(
                "preferred_channel",
                _("The customer cannot be reached by %(channel)s: add the contact detail or choose another channel.")
                % {"channel": Channel(channel).label},
            )
        return cleaned

    def customer_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in CUSTOMER_FIELDS}

    def consent_choices(self) -> dict[str, bool]:
        return {channel.value: self.cleaned_data[consent_field_name(channel)] for channel in Channel}


def vin_on_file_message(vehicle: Vehicle, user) -> str:
    """The refusal names the vehicle already on file, with a link when the user may open it."""
    if vehicle.owner_id and user.visible_sites().filter(pk=vehicle.owner.site_id).exists():
        link = format_html('<a href="{}">{}</a>', vehicle.get_absolute_url(), str(vehicle))
        return format_html(conditional_escape(gettext("This VIN is already on file: {vehicle}.")), vehicle=link)
    return gettext("This VIN is already on file for a customer of a site you do not work at.")


class VehicleForm(forms.ModelForm):
    vin = forms.CharField(label=_("VIN"), max_length=30, help_text=_("17 characters, as on the registration papers."))

    class Meta:
        model = Vehicle
        fields = VEHICLE_FIELDS
        formfield_callback = html5_inputs.formfield  # <input type="date"> with 2027-12-04, whatever the language

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = _helper(
            Layout(
                Fieldset(
                    _("Identification"),
                    Row(Column("vin"), Column("plate")),
                    Row(Column("make"), Column("model"), Column("year")),
                    "energy",
                ),
                Fieldset(
                    _("Dates and service"),
                    Row(Column("first_registration"), Column("warranty_end")),
                    Row(Column("next_service_due_date"), Column("next_service_due_km")),
                    "connected_services",
                ),
            )
        )

    def clean_vin(self) -> str:
        vin = validate_vin(self.cleaned_data["vin"])
        existing = Vehicle.objects.select_related("owner").exclude(pk=self.instance.pk).filter(vin=vin).first()
        if existing is not None:
            raise ValidationError(vin_on_file_message(existing, self.user), code="on_file")
        return vin

    def vehicle_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in VEHICLE_FIELDS}

    def add_service_error(self, error: CustomerError) -> None:
        """Show a refusal of the vehicle services on its field; a VIN already on file is named as ``clean_vin`` names it."""
        message = vin_on_file_message(error.vehicle, self.user) if isinstance(error, VinAlreadyOnFile) else None
        add_domain_error(self, error, message=message)


class MileageForm(forms.ModelForm):
    class Meta:
        model = MileageReading
        fields = ["km", "source", "correction_reason"]
        formfield_callback = html5_inputs.formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].initial = MileageReading.Source.RECEPTION
        self.fields["correction_reason"].help_text = _("Only needed when the reading is lower than the last one.")
        self.helper = _helper(Layout(Row(Column("km"), Column("source")), "correction_reason"))


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: the customer's written request of 12 May."),
    )
    confirm = forms.BooleanField(label=_("I understand that the personal data will be erased for good."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the erasure."))
        return reason
