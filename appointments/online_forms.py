"""Forms of the customer's public pages (online booking, contact form) and of the staff's request desk."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.customers.models import LabourOperation, MobilityService
from aftersales.lib import html5_inputs
from aftersales.lib.formatting import format_money
from aftersales.lib.phones import normalize_phone

from .forms import CustomerVehicleForm, SlotField
from .models import WebRequest
from .online import parse_contact


class IdentifyForm(forms.Form):
    vehicle = forms.CharField(label=_("Registration plate or VIN"), max_length=30)
    contact = forms.CharField(
        label=_("Mobile or e-mail"), max_length=120, help_text=_("We send you a one-time code there to make sure it is you.")
    )

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site

    def clean_contact(self):
        try:
            return parse_contact(self.site, self.cleaned_data["contact"])
        except ValidationError:
            raise ValidationError(_("Type a mobile number or an e-mail address.")) from None


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code received"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class DetailsForm(CustomerVehicleForm):
    """A verified visitor not on file (customer and vehicle), or on file without this vehicle (vehicle only)."""

    def __init__(self, *args, site, verified_field: str, verified_value: str, with_customer: bool, **kwargs):
        super().__init__(*args, site=site, **kwargs)
        if with_customer:
            self.fields[verified_field].initial = verified_value
            self.fields[verified_field].disabled = True
        else:
            for name in ("first_name", "last_name", "mobile", "email", "language", "preferred_channel"):
                del self.fields[name]

    def clean(self):
        if "first_name" in self.fields:
            return super().clean()
        return forms.Form.clean(self)


def online_operations(site, brand=None):
    """The catalogue offered online: general operations and those of the site's brands (or of the one brand chosen)."""
    queryset = LabourOperation.objects.filter(active=True)
    brands = Q(brand=brand) if brand is not None else Q(brand__site_contacts__site=site)
    return queryset.filter(Q(brand__isnull=True) | brands).distinct().order_by("code")


class ChooseForm(forms.Form):
    operations = forms.ModelMultipleChoiceField(
        label=_("Services"), queryset=LabourOperation.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    mobility = forms.ModelChoiceField(
        label=_("While we look after your car"),
        queryset=MobilityService.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    comment = forms.CharField(label=_("Anything to tell us?"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, site, brand=None, loaner_offered: bool, language: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operations"].queryset = online_operations(site, brand)
        mobility = MobilityService.objects.offered(site=site, brand=brand).order_by("kind", "pk")
        if not loaner_offered:
            mobility = mobility.exclude(kind=MobilityService.Kind.LOANER)
        self.fields["mobility"].queryset = mobility
        self.fields["mobility"].label_from_instance = lambda service: " · ".join(
            filter(
                None,
                [
                    service.localized("name", language),
                    format_money(service.price, site.currency, language or site.language) if service.price else "",
                ],
            )
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("operations") and not (cleaned.get("comment") or "").strip():
            self.add_error("operations", _("Choose a service or tell us what the car needs."))
        return cleaned


class SlotForm(forms.Form):
    slot = SlotField(label=_("Time"), error_messages={"required": _("Choose a time.")})


class CustomerCancelForm(forms.Form):
    reason = forms.CharField(label=_("Why do you cancel?"), max_length=500)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=160)
    mobile = forms.CharField(label=_("Phone"), max_length=40, required=False, help_text=_("So we can call you back."))
    email = forms.EmailField(label=_("E-mail"), required=False)
    vehicle_text = forms.CharField(label=_("Your car (model, plate)"), max_length=200, required=False)
    message = forms.CharField(label=_("Your message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site

    def clean_mobile(self) -> str:
        value = self.cleaned_data["mobile"]
        return normalize_phone(value, self.site.country) if value else ""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("mobile") and not cleaned.get("email") and "mobile" not in self.errors and "email" not in self.errors:
            self.add_error("mobile", _("Give a phone number or an e-mail so we can answer."))
        return cleaned


class RecordRequestForm(ContactForm):
    """A request that came by e-mail, typed in by staff (inbound e-mail is not read automatically)."""

    language = forms.ChoiceField(label=_("Language"), choices=WebRequest._meta.get_field("language").choices)
    received_at = forms.DateTimeField(label=_("Received at"), widget=html5_inputs.DateTimeInput)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, site=site, **kwargs)
        self.fields["language"].initial = site.language

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value > timezone.now():
            raise ValidationError(_("The time received cannot be in the future."))
        return value


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    with_booking_link = forms.BooleanField(label=_("Add the online booking link"), required=False, initial=True)
