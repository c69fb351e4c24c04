"""Forms of the workshop screens: the check-in steps, jobs, photos, signature, walk-in; dispatch, the technician's
screen, the inspection, extra work decisions, the promised time and the quality check."""

import json
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.contact_points import brand_of
from aftersales.accounts.models import User
from aftersales.customers.models import Customer, LabourOperation, MobilityService, Part, Vehicle
from aftersales.lib import html5_inputs
from aftersales.lib.formatting import format_number
from aftersales.lib.phones import normalize_phone
from appointments.models import Loaner

from .models import (
    FUEL_EIGHTHS,
    Approval,
    ApprovalDecision,
    Bay,
    JobStatus,
    Payer,
    QualityCheck,
    Rating,
    WorkOrder,
    WorkOrderJob,
    job_text_sources,
)
from .services import MAX_PHOTO_BYTES


class StepForm(forms.ModelForm):
    """A check-in step: the work order's own fields; ``step_data()`` gives the keyword arguments of the step's service."""

    def step_data(self) -> dict:
        return dict(self.cleaned_data)


class PrepareForm(StepForm):
    class Meta:
        model = WorkOrder
        fields = ["cover_seat", "cover_steering_wheel", "cover_floor_mat", "covers_not_fitted_reason"]
        formfield_callback = html5_inputs.formfield


class GreetForm(StepForm):
    class Meta:
        model = WorkOrder
        fields = ["customer_words", "requested_work_confirmed"]
        widgets = {"customer_words": forms.Textarea(attrs={"rows": 3})}
        formfield_callback = html5_inputs.formfield


class WalkAroundForm(StepForm):
    correction_reason = forms.CharField(
        label=_("Correction reason"),
        required=False,
        max_length=200,
        help_text=_("Only when the mileage is lower than the last reading (e.g. dashboard replaced)."),
    )
    marks = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = WorkOrder
        fields = ["mileage_in", "fuel_level", "valuables"]
        widgets = {"fuel_level": forms.RadioSelect}
        formfield_callback = html5_inputs.formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mileage_in"].required = True
        self.fields["fuel_level"].required = True
        self.fields["fuel_level"].choices = FUEL_EIGHTHS
        if not self.is_bound:
            self.initial["marks"] = json.dumps(
                [
                    {"view": mark.view, "x": float(mark.x), "y": float(mark.y), "kind": mark.kind, "note": mark.note}
                    for mark in self.instance.damage_marks.all()
                ]
            )

    def clean_marks(self) -> list:
        raw = self.cleaned_data["marks"] or "[]"
        try:
            marks = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("The damage marks could not be read; place them again.")) from None
        if not isinstance(marks, list) or not all(isinstance(mark, dict) for mark in marks) or len(marks) > 100:
            raise forms.ValidationError(_("The damage marks could not be read; place them again."))
        return marks


class FindingsForm(StepForm):
    class Meta:
        model = WorkOrder
        fields = ["findings"]
        widgets = {"findings": forms.Textarea(attrs={"rows": 3})}
        formfield_callback = html5_inputs.formfield


class EstimateForm(StepForm):
    class Meta:
        model = WorkOrder
        fields = ["promised_at"]
        formfield_callback = html5_inputs.formfield  # <input type="datetime-local"> with 2027-12-04T17:30

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["promised_at"].required = True


class DocumentsForm(StepForm):
    class Meta:
        model = WorkOrder
        fields = ["doc_radio_code", "doc_wheel_lock_key", "doc_service_book", "doc_driving_licence", "doc_registration_papers"]
        formfield_callback = html5_inputs.formfield


class AgreementForm(StepForm):
    class Meta:
        model = WorkOrder
        fields = ["spending_limit", "payment_method", "contact_phone"]
        formfield_callback = html5_inputs.formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            self.fields[name].required = True
        self.fields["spending_limit"].help_text = _("In %(currency)s, before VAT; 0 means ask for any extra work.") % {
            "currency": self.instance.currency
        }


class MobilityForm(StepForm):
    loaner = forms.ModelChoiceField(label=_("Loaner"), queryset=Loaner.objects.none(), required=False)
    loaner_fuel_out = forms.TypedChoiceField(
        label=_("Loaner fuel out (eighths)"), choices=[("", "---"), *FUEL_EIGHTHS], coerce=int, empty_value=None, required=False
    )
    loaner_mileage_out = forms.IntegerField(
        label=_("Loaner mileage out (km)"), min_value=0, required=False, widget=html5_inputs.NumberInput
    )

    class Meta:
        model = WorkOrder
        fields = ["departure", "mobility"]
        widgets = {"departure": forms.RadioSelect}
        formfield_callback = html5_inputs.formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        site = self.instance.site
        self.fields["departure"].required = True
        self.fields["departure"].choices = WorkOrder.Departure.choices
        self.fields["mobility"].queryset = MobilityService.objects.offered(site=site, brand=brand_of(site, self.instance.vehicle))
        self.fields["loaner"].queryset = Loaner.objects.filter(site=site, active=True)
        handover = getattr(self.instance, "loaner_handover", None)
        if self.is_bound:
            return
        if handover is not None:
            self.initial.update(loaner=handover.loaner_id, loaner_fuel_out=handover.fuel_out, loaner_mileage_out=handover.mileage_out)
        elif self.instance.appointment_id:
            booked = self.instance.appointment.loaner_reservations.first()
            if booked is not None:
                self.initial.update(loaner=booked.loaner_id, departure=self.initial.get("departure") or WorkOrder.Departure.LOANER)


STEP_FORMS = {
    "prepare": PrepareForm,
    "greet": GreetForm,
    "walk_around": WalkAroundForm,
    "findings": FindingsForm,
    "estimate": EstimateForm,
    "documents": DocumentsForm,
    "agreement": AgreementForm,
    "mobility": MobilityForm,
}


class JobForm(forms.Form):
    operation = forms.ModelChoiceField(label=_("Labour operation"), queryset=LabourOperation.objects.filter(active=True), required=False)
    concern = forms.CharField(label=_("Concern"), max_length=300, required=False)
    flat_rate_hours = forms.DecimalField(
        label=_("Flat-rate hours"),
        min_value=Decimal("0.1"),
        max_digits=6,
        decimal_places=2,
        required=False,
        widget=html5_inputs.NumberInput,
    )
    skill = forms.ChoiceField(label=_("Skill"), choices=LabourOperation.Skill.choices, initial=LabourOperation.Skill.DIAGNOSIS)
    payer = forms.ChoiceField(label=_("Payer"), choices=Payer.choices, initial=Payer.CUSTOMER)


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    max_bytes = MAX_PHOTO_BYTES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # static/js/app.js refuses a larger photo in the browser, before the upload, with this message.
        self.fields["photo"].widget.attrs.update({"data-max-bytes": self.max_bytes, "data-too-large": self.too_large_message})

    @property
    def too_large_message(self) -> str:
        return _("This photo is too big: at most %(limit)s MB. Choose a smaller photo.") % {
            "limit": format_number(self.max_bytes // 1024 // 1024)
        }


class WalkAroundPhotoForm(PhotoForm):
    """A walk-around photo, tied to one of the order's saved damage marks (numbered as on the diagram) if it shows one."""

    damage_mark = forms.TypedChoiceField(label=_("Damage shown"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args, marks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.marks = {mark.pk: mark for mark in marks}
        self.fields["damage_mark"].choices = [
            ("", _("No damage mark")),
            *(
                (mark.pk, f"{number}. {mark.get_kind_display()} ({mark.get_view_display()}){f': {mark.note}' if mark.note else ''}")
                for number, mark in enumerate(marks, start=1)
            ),
        ]
        self.fields["damage_mark"].help_text = _("The marks placed on the diagram are listed once the step is saved.")

    def clean_damage_mark(self):
        pk = self.cleaned_data["damage_mark"]
        return None if pk is None else self.marks[pk]


class SignatureForm(forms.Form):
    signature = forms.CharField(
        widget=forms.HiddenInput, max_length=2_000_000, error_messages={"required": _("Ask the customer to sign in the box first.")}
    )
    shown_hash = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code received by SMS"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Type the 6 digits of the code.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "form-control-lg w-auto"}),
    )
    shown_hash = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)


class WalkInForm(forms.Form):
    """A customer without appointment: the vehicle by VIN, or by plate when on file at the site (found or filed), its
    owner found or created."""

    vin = forms.CharField(label=_("VIN"), max_length=17, required=False)
    plate = forms.CharField(label=_("Registration plate"), max_length=16, required=False)
    make = forms.CharField(label=_("Make"), max_length=40, required=False)
    model = forms.CharField(label=_("Model"), max_length=60, required=False)
    energy = forms.ChoiceField(label=_("Energy"), choices=[("", "---"), *Vehicle.Energy.choices], required=False)
    first_name = forms.CharField(label=_("First name"), max_length=80, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=80, required=False)
    mobile = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, required=False)
    customer_words = forms.CharField(label=_("Requested work, in the customer's words"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["language"].initial = site.language

    def clean_mobile(self) -> str:
        raw = self.cleaned_data["mobile"].strip()
        return normalize_phone(raw, self.site.country) if raw else ""

    def clean(self):
        data = super().clean()
        if not data.get("vin", "").strip() and not data.get("plate", "").strip():
            self.add_error("vin", _("Type the VIN, or the plate of a vehicle on file."))
        return data

    def customer_data(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": Customer.Kind.PRIVATE,
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "mobile": data["mobile"],
            "language": data["language"] or self.site.language,
        }

    def vehicle_data(self) -> dict:
        data = self.cleaned_data
        return {"vin": data["vin"], "plate": data["plate"], "make": data["make"], "model": data["model"], "energy": data["energy"]}

    def require_new_customer_fields(self) -> bool:
        """A VIN not on file needs the vehicle and the customer described; False (with errors) when something is missing."""
        missing = [name for name in ("make", "model", "energy", "last_name", "mobile") if not self.cleaned_data.get(name)]
        for name in missing:
            self.add_error(name, _("This VIN is not on file: fill this in to create the customer and the vehicle."))
        return not missing


# --- the workshop floor ---------------------------------------------------------------


class AssignForm(forms.Form):
    technician = forms.ModelChoiceField(label=_("Technician"), queryset=User.objects.none())
    bay = forms.ModelChoiceField(label=_("Bay"), queryset=Bay.objects.none(), required=False)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = User.objects.filter(technician_profile__site=site, technician_profile__active=True)
        self.fields["bay"].queryset = Bay.objects.filter(site=site, active=True)


class FindingForm(JobForm):
    """A finding reported by a technician; the advisor settles who pays.

    ``operation_choices``: the labour catalogue read once for a page that shows one form per job.
    """

    payer = None

    def __init__(self, *args, operation_choices: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if operation_choices is not None:
            self.fields["operation"].choices = operation_choices


class AttendanceForm(forms.Form):
    action = forms.ChoiceField(choices=[("in", "in"), ("break", "break"), ("resume", "resume"), ("out", "out")])


class SignOffForm(forms.Form):
    cause = forms.CharField(label=_("Cause"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    correction = forms.CharField(label=_("Correction"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ClockingCorrectionForm(forms.Form):
    """The foreman corrects an implausible clocked time: the real time spent on the job, and why."""

    clocked_hours = forms.DecimalField(
        label=_("Real time spent (hours)"),
        min_value=Decimal("0.01"),
        max_value=Decimal("99.99"),
        max_digits=4,
        decimal_places=2,
        widget=html5_inputs.NumberInput(attrs={"step": "0.01"}),
    )
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300)


class InspectionForm(forms.Form):
    """One rating, measurement and note per point of the inspection."""

    def __init__(self, *args, results, **kwargs):
        super().__init__(*args, **kwargs)
        self.results = list(results)
        for row in self.results:
            self.fields[f"rating_{row.pk}"] = forms.ChoiceField(
                label=row.item.localized("label"), choices=Rating.choices, required=False, widget=forms.RadioSelect, initial=row.rating
            )
            self.fields[f"measurement_{row.pk}"] = forms.DecimalField(
                label=row.item.localized("measurement_label") or _("Measurement"),
                required=False,
                min_value=Decimal("0"),
                max_digits=7,
                decimal_places=2,
                initial=row.measurement,
                widget=html5_inputs.NumberInput,  # the template writes it by hand, with the widget's value (input_value)
            )
            self.fields[f"notes_{row.pk}"] = forms.CharField(label=_("Notes"), max_length=300, required=False, initial=row.notes)

    def rows(self):
        """(result, rating field, measurement field, notes field) for the template, by section."""
        return [(row, self[f"rating_{row.pk}"], self[f"measurement_{row.pk}"], self[f"notes_{row.pk}"]) for row in self.results]

    def results_data(self) -> dict:
        data = self.cleaned_data
        return {
            row.pk: {"rating": data[f"rating_{row.pk}"], "measurement": data[f"measurement_{row.pk}"], "notes": data[f"notes_{row.pk}"]}
            for row in self.results
        }


class RepriceForm(forms.Form):
    labour_price = forms.DecimalField(
        label=_("Labour, before VAT"), min_value=Decimal("0"), max_digits=10, decimal_places=2, widget=html5_inputs.NumberInput
    )

    def __init__(self, *args, job, **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job
        self.fields["labour_price"].initial = job.labour_price
        for part in job.parts.all():
            self.fields[f"part_{part.pk}"] = forms.DecimalField(
                label=part.localized_name(),
                min_value=Decimal("0"),
                max_digits=10,
                decimal_places=2,
                initial=part.unit_price,
                widget=html5_inputs.NumberInput,
            )

    def part_prices(self) -> dict:
        return {part.pk: self.cleaned_data[f"part_{part.pk}"] for part in self.job.parts.all()}


class ProposalPartForm(forms.Form):
    """A part on extra work: a catalogue part, or one described in free text with its price."""

    part = forms.ModelChoiceField(label=_("Part from the catalogue"), queryset=Part.objects.all(), required=False)
    description = forms.CharField(label=_("Or a part not in the catalogue"), max_length=120, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.01"), max_digits=8, decimal_places=2, initial=1, widget=html5_inputs.NumberInput
    )
    unit_price = forms.DecimalField(
        label=_("Unit price, before VAT"),
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the catalogue price."),
        widget=html5_inputs.NumberInput,
    )


STAFF_METHODS = [(value, label) for value, label in ApprovalDecision.Method.choices if value != ApprovalDecision.Method.SIGNED_LINK]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approved")), ("decline", _("Declined"))])
    method = forms.ChoiceField(label=_("How"), choices=STAFF_METHODS)
    decided_by = forms.CharField(label=_("Who decided"), max_length=120, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class CustomerDecisionForm(forms.Form):
    job = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])
    shown_gross = forms.DecimalField(max_digits=10, decimal_places=2, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)


class PromisedTimeForm(forms.Form):
    promised_at = forms.DateTimeField(label=_("New promised return"), widget=html5_inputs.DateTimeInput)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class QualityCheckForm(forms.ModelForm):
    outcome = forms.ChoiceField(
        label=_("Result"),
        choices=[("pass", _("Pass: ready for invoicing")), ("fail", _("Fail: back to the workshop"))],
        widget=forms.RadioSelect,
    )
    redo_jobs = forms.ModelMultipleChoiceField(
        label=_("Jobs to redo"), queryset=WorkOrderJob.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = QualityCheck
        fields = [
            "order_complete",
            "road_test_done",
            "road_test_notes",
            "all_jobs_done",
            "cleaned",
            "parking_place",
            "unfixed_findings",
            "fail_reason",
        ]
        widgets = {"unfixed_findings": forms.Textarea(attrs={"rows": 2})}
        formfield_callback = html5_inputs.formfield

    def __init__(self, *args, work_order, **kwargs):
        super().__init__(*args, **kwargs)
        jobs = work_order.jobs.select_related(*job_text_sources())
        self.fields["redo_jobs"].queryset = jobs.filter(status=JobStatus.DONE)
        self.fields["redo_jobs"].label_from_instance = lambda job: job.localized_concern()
        if not self.is_bound:
            self.initial["unfixed_findings"] = "\n".join(job.localized_concern() for job in jobs.filter(approval=Approval.DECLINED))

    def check_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
