"""Forms of the booking screens; refusals from services land on the field they name."""

from datetime import UTC, date, datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from aftersales.customers.exceptions import MileageNeedsCorrectionReason
from aftersales.customers.models import Campaign, Channel, Customer, LabourOperation, MobilityService, Vehicle
from aftersales.customers.services import check_mileage
from aftersales.lib import html5_inputs
from aftersales.lib.domain import add_domain_error
from aftersales.lib.formatting import format_money
from aftersales.lib.phones import normalize_phone

from .exceptions import BookingError
from .models import DEFAULT_DOCUMENTS, Appointment, Loaner
from .services import CHECKLIST_FLAGS
from .slots import JobRequest

CHECKLIST_LABELS = {
    "services_explained": _("Services and the work explained"),
    "prices_given": _("Prices given (estimate, VAT included)"),
    "walk_around_offered": _("10-minute walk-around with the advisor offered"),
}


def encode_slot(advisor_id: int, starts_at: datetime) -> str:
    return f"{advisor_id}@{starts_at.astimezone(UTC).strftime('%Y%m%dT%H%M')}"


def decode_slot(value: str) -> tuple[int, datetime]:
    """``advisor@YYYYmmddTHHMM`` (UTC) → (advisor id, aware start); ValidationError otherwise."""
    try:
        advisor, moment = value.split("@")
        return int(advisor), datetime.strptime(moment, "%Y%m%dT%H%M").replace(tzinfo=UTC)
    except (ValueError, AttributeError):
        raise ValidationError(_("Choose a time from the proposals or the week view."), code="invalid") from None


class SlotField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        return decode_slot(value) if value else None


class CustomerVehicleForm(forms.Form):
    """A new customer and their vehicle, created on the fly during a call (VIN required)."""

    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    mobile = forms.CharField(label=_("Mobile"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Customer._meta.get_field("language").choices)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"), choices=[(Channel.SMS, Channel.SMS.label), (Channel.EMAIL, Channel.EMAIL.label)]
    )
    vin = forms.CharField(label=_("VIN"), max_length=30)
    plate = forms.CharField(label=_("Registration plate"), max_length=16, required=False)
    make = forms.CharField(label=_("Make"), max_length=40)
    model = forms.CharField(label=_("Model"), max_length=60)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["language"].initial = site.language

    def clean_mobile(self) -> str:
        value = self.cleaned_data["mobile"]
        return normalize_phone(value, self.site.country) if value else ""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("mobile") and not cleaned.get("email") and "mobile" not in self.errors and "email" not in self.errors:
            self.add_error("mobile", _("Give a mobile or an e-mail so the confirmation can reach the customer."))
        return cleaned

    def customer_data(self) -> dict:
        keys = ("first_name", "last_name", "mobile", "email", "language", "preferred_channel")
        return {key: self.cleaned_data[key] for key in keys}

    def vehicle_data(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("vin", "plate", "make", "model")}


MAX_KM = 2_000_000


class VehicleQuestionsForm(forms.Form):
    """The desk's questions about the vehicle, beside the booking (``desk_knowledge``): its current mileage (checked as
    on the vehicle page), a second booking of a vehicle already booked, and the proposal picked in the live panel.

    The proposals are radios of their own group (``proposal``), so that Tab reaches them apart from the week's slots;
    a slot of the week, when one is picked too, wins (the page keeps both on the same time)."""

    mileage_km = forms.IntegerField(
        label=_("Current mileage (km)"),
        required=False,
        min_value=0,
        max_value=MAX_KM,
        widget=html5_inputs.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Ask the customer; leave it empty if they do not know."),
    )
    mileage_correction_reason = forms.CharField(
        label=_("Correction reason"),
        required=False,
        max_length=200,
        help_text=_("Only needed when the reading is lower than the last one."),
    )
    second_booking = forms.BooleanField(label=_("The customer wants another appointment besides the one booked"), required=False)
    proposal = SlotField(required=False)

    def __init__(self, *args, existing_bookings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_bookings = list(existing_bookings)
        if not self.existing_bookings:
            del self.fields["second_booking"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("slot") is None and cleaned.get("proposal") is not None and "slot" not in self.errors:
            cleaned["slot"] = cleaned["proposal"]
        vehicle, km = cleaned.get("vehicle"), cleaned.get("mileage_km")
        if vehicle is not None and km is not None:
            try:
                check_mileage(vehicle=vehicle, km=km, correction_reason=cleaned.get("mileage_correction_reason") or "")
            except MileageNeedsCorrectionReason as error:
                add_domain_error(self, error, fields={"correction_reason": "mileage_correction_reason"})
        if self.existing_bookings and not cleaned.get("second_booking") and "second_booking" not in self.errors:
            booked = self.existing_bookings[0]
            when = formats.date_format(timezone.localtime(booked.starts_at, booked.site.tz), "SHORT_DATETIME_FORMAT")
            self.add_error(
                "second_booking",
                _("This vehicle is already booked on %(when)s: move that booking, or tick this box to book another one.") % {"when": when},
            )
        return cleaned


class BookingForm(VehicleQuestionsForm):
    """Everything a booking call decides; ``step`` is review (restate) or confirm (book)."""

    vehicle = forms.ModelChoiceField(queryset=Vehicle.objects.none(), widget=forms.HiddenInput)
    operations = forms.ModelMultipleChoiceField(
        label=_("Jobs from the catalogue"),
        queryset=LabourOperation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    customer_words = forms.CharField(
        label=_("In the customer's words"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    urgent = forms.BooleanField(label=_("Urgent or breakdown (earliest slot within 24 h)"), required=False)
    channel = forms.ChoiceField(
        label=_("Booked through"), choices=Appointment.BookingChannel.choices, initial=Appointment.BookingChannel.PHONE_IN
    )
    origin = forms.ChoiceField(label=_("Origin"), choices=Appointment.Origin.choices, initial=Appointment.Origin.INBOUND_CALL)
    campaign = forms.ModelChoiceField(label=_("Campaign that led to the booking"), queryset=Campaign.objects.none(), required=False)
    mobility_offered = forms.ModelMultipleChoiceField(
        label=_("Mobility options offered"),
        queryset=MobilityService.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mobility = forms.ModelMultipleChoiceField(
        label=_("Mobility chosen"),
        queryset=MobilityService.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    loaner = forms.ModelChoiceField(label=_("Loaner"), queryset=Loaner.objects.none(), required=False)
    slot = SlotField(label=_("Appointment time"), required=False)
    services_explained = forms.BooleanField(label=CHECKLIST_LABELS["services_explained"], required=False)
    prices_given = forms.BooleanField(label=CHECKLIST_LABELS["prices_given"], required=False)
    walk_around_offered = forms.BooleanField(label=CHECKLIST_LABELS["walk_around_offered"], required=False)
    documents_to_bring = forms.CharField(label=_("Documents to bring"), max_length=300, initial=DEFAULT_DOCUMENTS)
    arrival_area = forms.ChoiceField(label=_("Arrival area"), choices=Appointment.ArrivalArea.choices)
    override_reason = forms.CharField(label=_("Reason to book past a capacity limit"), required=False, max_length=300)

    def __init__(self, *args, user, site, vehicles, brand=None, **kwargs):
        """``brand``: the vehicle's brand at the site (``contact_points.brand_of``), whose mobility services are offered."""
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["vehicle"].queryset = vehicles
        self.fields["operations"].queryset = (
            LabourOperation.objects.filter(active=True)
            .filter(Q(brand__isnull=True) | Q(brand__site_contacts__site=site))
            .distinct()
            .order_by("code")
        )
        services = MobilityService.objects.offered(site=site, brand=brand).order_by("kind")
        for name in ("mobility_offered", "mobility"):
            self.fields[name].queryset = services
            self.fields[name].label_from_instance = self._mobility_label
        self.fields["loaner"].queryset = Loaner.objects.filter(site=site, active=True)
        today = timezone.localdate(timezone.now(), site.tz)
        self.fields["campaign"].queryset = Campaign.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today), active=True, starts_on__lte=today
        ).order_by("code")
        if not user.has_perm("appointments.override_capacity"):
            del self.fields["override_reason"]
        self.helper = FormHelper()  # the desk turns its form_show_errors off for a form only refreshed

    def _mobility_label(self, service: MobilityService) -> str:
        name = service.localized("name")
        return f"{name} ({format_money(service.price, self.site.currency)})" if service.price else name

    def job_requests(self) -> list[JobRequest]:
        """Catalogue jobs; the customer's words alone become a diagnosis job."""
        data = getattr(self, "cleaned_data", {})  # an unbound form (first display) asks for nothing yet
        jobs = [JobRequest.of(operation) for operation in data.get("operations") or ()]
        words = (data.get("customer_words") or "").strip()
        if not jobs and words:
            jobs.append(JobRequest(description=words[:200]))
        return jobs

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("operations") and not (cleaned.get("customer_words") or "").strip() and "operations" not in self.errors:
            self.add_error("operations", _("Choose at least one job or write the customer's words."))
        if "mobility_offered" not in self.errors and len(cleaned.get("mobility_offered") or ()) < 2:
            self.add_error("mobility_offered", _("Offer at least two mobility options."))
        offered = set(cleaned.get("mobility_offered") or ())
        if any(service not in offered for service in cleaned.get("mobility") or ()):
            self.add_error("mobility", _("The mobility chosen must be one of the options offered."))
        for flag in CHECKLIST_FLAGS:
            if flag in self.fields and not cleaned.get(flag):
                self.add_error(flag, _("Part of the call standard: do it, then tick it."))
        campaign, vehicle = cleaned.get("campaign"), cleaned.get("vehicle")
        if campaign is not None and cleaned.get("origin") != Appointment.Origin.CAMPAIGN:
            self.add_error("campaign", _("A campaign is recorded only when the origin is “Campaign”."))
        elif campaign is not None and vehicle is not None and not campaign.matches(vehicle.vin):
            self.add_error("campaign", _("This campaign does not concern this vehicle."))
        if cleaned.get("slot") is None and "slot" not in self.errors:
            self.add_error("slot", _("Choose a time from the proposals or the week view."))
        return cleaned

    def checklist(self) -> dict:
        data = self.cleaned_data
        return {
            "services_explained": data["services_explained"],
            "mobility_offered": len(data["mobility_offered"]) >= 2,
            "prices_given": data["prices_given"],
            "walk_around_offered": data["walk_around_offered"],
            "documents_to_bring": data["documents_to_bring"],
            "arrival_area": data["arrival_area"],
        }

    def add_service_error(self, error: BookingError) -> None:
        """Show a refusal of the booking services on this form's field for it (the slot, the jobs) or above the form."""
        fields = {"starts_at": "slot", "advisor": "slot", "jobs": "operations", "customer": None, "checklist": None}
        add_domain_error(self, error, fields=fields)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=500)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "cancel_%s")  # beside the reschedule form, which has a reason too
        super().__init__(*args, **kwargs)


class RescheduleForm(forms.Form):
    slot = SlotField(label=_("New time"))
    reason = forms.CharField(label=_("Why is it moved?"), max_length=500, required=False)
    override_reason = forms.CharField(label=_("Reason to book past a capacity limit"), required=False, max_length=300)


MAX_DAYS_AWAY = 800


def parse_day(value: str | None, default: date) -> date:
    """A ``YYYY-MM-DD`` day from a query string; anything else (missing, malformed, out of range) gives the default."""
    try:
        day = date.fromisoformat(value) if value else default
    except (TypeError, ValueError):
        return default
    return day if abs((day - default).days) <= MAX_DAYS_AWAY else default
