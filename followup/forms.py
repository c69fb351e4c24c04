from datetime import date, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.accounts.roles import FOLLOWUP_OWNER_ROLES
from aftersales.customers.models import Vehicle
from aftersales.lib import html5_inputs
from appointments.models import Appointment

from .models import CallOutcome, Concern
from .services import followup_owners


class ConcernForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Concern.Kind.choices)
    channel = forms.ChoiceField(label=_("Received by"), choices=Concern.Channel.choices)
    summary = forms.CharField(label=_("Summary"), max_length=200)
    description = forms.CharField(label=_("In the customer's words"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    vehicle = forms.ModelChoiceField(label=_("Vehicle"), queryset=Vehicle.objects.none(), required=False)
    appointment = forms.ModelChoiceField(label=_("Appointment"), queryset=Appointment.objects.none(), required=False)
    owner = forms.ModelChoiceField(
        label=_("Person responsible"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Required for a complaint."),
    )

    def __init__(self, *args, customer, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].queryset = customer.vehicles.order_by("make", "model", "pk")
        self.fields["appointment"].queryset = (
            customer.appointments.filter(starts_at__gte=timezone.now() - timedelta(days=365)).select_related("site").order_by("-starts_at")
        )
        self.fields["owner"].queryset = followup_owners(customer.site)
        self.fields["owner"].initial = user.pk


class QuestionForm(forms.Form):
    question = forms.CharField(label=_("Question for the customer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer given to the customer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class CloseForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    customer_agreed = forms.TypedChoiceField(
        label=_("Does the customer agree?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Person responsible"), queryset=User.objects.none())

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = followup_owners(site)


class ConcernFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Concern.Status.choices])
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All")), *Concern.Kind.choices])


class CallListFilterForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("All my sites"))
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=User.objects.none(), required=False, empty_label=_("Everyone"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        sites = user.visible_sites()
        self.fields["site"].queryset = sites
        self.fields["agent"].queryset = (
            User.objects.filter(
                Q(sites__in=sites) | Q(group_wide=True, sites__group__in=sites.values("group")),
                groups__name__in=FOLLOWUP_OWNER_ROLES,
            )
            .distinct()
            .order_by("first_name", "last_name", "username")
        )


class SiteFilterForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("All my sites"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = user.visible_sites()


class CallOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CallOutcome.choices, widget=forms.RadioSelect)
    remarks = forms.CharField(label=_("Remarks and other needs"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)


class AssignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(label=_("Agent"), queryset=User.objects.none(), required=False, empty_label=_("Nobody"))

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = followup_owners(site)


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=[html5_inputs.MONTH_FORMAT],
        required=False,
        widget=html5_inputs.MonthInput,
    )

    def month_or_current(self) -> date:
        return self.cleaned_data.get("month") or timezone.localdate().replace(day=1)


class OutreachForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=600)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "outreach_%s")  # its page has the list's own site filter, id_site
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = user.visible_sites()


SATISFACTION_CHOICES = [(str(score), str(score)) for score in range(1, 6)]
NPS_CHOICES = [(str(score), str(score)) for score in range(11)]


class CallbackForm(CallOutcomeForm):
    """The 7-day callback: the call's outcome and, when reached, the customer's answers."""

    satisfaction = forms.TypedChoiceField(
        label=_("Satisfied with the visit? (1 = not at all, 5 = very)"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        help_text=_("Required when the customer was reached; 1 to 3 opens a complaint."),
    )
    nps = forms.TypedChoiceField(
        label=_("Would recommend us (0-10)"),
        choices=[("", "—"), *NPS_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("0 to 6 opens a complaint."),
    )
    other_needs = forms.CharField(label=_("Other needs"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    field_order = ["outcome", "satisfaction", "nps", "remarks", "other_needs"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remarks"].label = _("Remarks")


def customer_remarks(*, required: bool) -> forms.CharField:
    return forms.CharField(
        label=_("Anything you would like to tell us?"),
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RatingForm(forms.Form):
    """The quick touch: one tap on a score (the buttons carry it), remarks optional."""

    score = forms.TypedChoiceField(label=_("Your rating"), choices=SATISFACTION_CHOICES, coerce=int)
    text = customer_remarks(required=False)


class RemarksForm(forms.Form):
    text = customer_remarks(required=True)


class SurveyForm(forms.Form):
    """The short survey; its scores show as rows of buttons on a phone."""

    score = forms.TypedChoiceField(
        label=_("How satisfied are you with your visit? (1 = not at all, 5 = very)"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    nps = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to a friend? (0 = not at all, 10 = certainly)"),
        choices=NPS_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    text = customer_remarks(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page renders the form tag and its token
        buttons = "bootstrap5/layout/radio_buttons.html"
        self.helper.layout = Layout(Field("score", template=buttons), Field("nps", template=buttons), "text")
