"""The form of the breakdown or accident call; the service's refusals land on the field they name."""

import re
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import AssistanceContact
from aftersales.lib.domain import add_domain_error

from .breakdown import COORDINATES_RANGE, LATITUDE_LIMIT, LONGITUDE_LIMIT
from .exceptions import BookingError
from .forms import SlotField
from .models import BreakdownCall, Loaner
from .selectors import list_advisors

BREAKDOWN_DOCUMENTS = _("Registration papers, insurance certificate, the accident report if there is one")
COORDINATES_HELP = _("From the customer's phone, in degrees: latitude, longitude (e.g. 43.2965, 5.3698).")
SIX_PLACES = Decimal("0.000001")


COORDINATE = r"[-+]?\d{1,3}(?:[.,]\d+)?"
COORDINATES = re.compile(rf"\s*({COORDINATE})\s*[,;\s]\s*({COORDINATE})\s*")


def parse_coordinates(text: str) -> tuple[Decimal, Decimal]:
    """``43.2965, 5.3698``, ``43.2965 5.3698`` or ``43,2965; 5,3698`` → (latitude, longitude) to six places."""
    match = COORDINATES.fullmatch(text)
    if match is None:
        raise ValidationError(_("Coordinates: write the latitude, then the longitude, e.g. 43.2965, 5.3698."), code="invalid")
    latitude, longitude = (Decimal(part.replace(",", ".")).quantize(SIX_PLACES) for part in match.groups())
    if abs(latitude) > LATITUDE_LIMIT or abs(longitude) > LONGITUDE_LIMIT:
        raise ValidationError(COORDINATES_RANGE, code="range")
    return latitude, longitude


class CoordinatesField(forms.CharField):
    """GPS coordinates typed as text (as a phone shows them): (latitude, longitude) or None."""

    def to_python(self, value):
        value = super().to_python(value)
        return parse_coordinates(value) if value else None


class BreakdownCallForm(forms.Form):
    """What the agent establishes on the call, in the order the script asks it."""

    vehicle = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Breakdown or accident"), choices=BreakdownCall.Kind.choices, widget=forms.RadioSelect)
    anyone_injured = forms.BooleanField(label=_("Someone is injured"), required=False)
    emergency_services_alerted = forms.BooleanField(label=_("The emergency services are alerted"), required=False)
    location = forms.CharField(
        label=_("Where the vehicle is"),
        max_length=300,
        required=False,
        help_text=_("Address, or road, direction and the nearest exit or landmark."),
    )
    coordinates = CoordinatesField(label=_("GPS coordinates"), max_length=60, required=False, help_text=COORDINATES_HELP)
    towing_needed = forms.BooleanField(label=_("Towing needed: the vehicle cannot be driven safely"), required=False)
    assistance_partner = forms.ModelChoiceField(
        label=_("Assistance partner called"), queryset=AssistanceContact.objects.none(), required=False
    )
    insurer = forms.CharField(
        label=_("Insurer"), max_length=120, required=False, widget=forms.TextInput(attrs={"list": "insurer-options", "autocomplete": "off"})
    )
    policy_number = forms.CharField(label=_("Policy number"), max_length=60, required=False)
    assistance_file_number = forms.CharField(label=_("Assistance file number"), max_length=60, required=False)
    courtesy_car_needed = forms.BooleanField(label=_("Courtesy car needed"), required=False)
    what_happened = forms.CharField(
        label=_("What happened, in the customer's words"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    documents_to_bring = forms.CharField(label=_("Documents to bring"), max_length=300, initial=BREAKDOWN_DOCUMENTS)
    slot = SlotField(label=_("Diagnosis appointment"), required=False)
    loaner = forms.ModelChoiceField(label=_("Loaner free for the whole visit"), queryset=Loaner.objects.none(), required=False)

    def __init__(self, *args, site, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["assistance_partner"].queryset = AssistanceContact.objects.filter(pk__in=[partner.pk for partner in partners])
        self.fields["assistance_partner"].label_from_instance = lambda partner: f"{partner.name} · {partner.phone_display}"
        self.fields["loaner"].queryset = Loaner.objects.filter(site=site, active=True)
        self.helper = FormHelper()  # an only refreshed form turns its form_show_errors off

    def clean_slot(self):
        """The time chosen, with the advisor who receives then: (advisor, start), or None."""
        slot = self.cleaned_data["slot"]
        if slot is None:
            return None
        advisor_id, starts_at = slot
        advisor = list_advisors(site=self.site).filter(pk=advisor_id).first()
        if advisor is None:
            raise ValidationError(_("This advisor does not work at this site."))
        return advisor, starts_at

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("slot") is None and "slot" not in self.errors:
            self.add_error("slot", _("Diagnosis appointment: offer the proposed time, and choose it once the customer agrees."))
        if not cleaned.get("courtesy_car_needed"):
            cleaned["loaner"] = None
        return cleaned

    def latitude_longitude(self) -> tuple[Decimal | None, Decimal | None]:
        return self.cleaned_data.get("coordinates") or (None, None)

    def add_service_error(self, error: BookingError) -> None:
        """A refusal of the call or booking services on this form's field (the time, what happened...) or above the form."""
        fields = {
            "starts_at": "slot",
            "advisor": "slot",
            "override_reason": "slot",
            "jobs": "what_happened",
            "mobility": "courtesy_car_needed",
            "customer": None,
            "checklist": None,
        }
        add_domain_error(self, error, fields=fields)
