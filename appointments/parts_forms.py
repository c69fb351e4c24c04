"""Forms of the parts desk: an order placed with its supplier, a warning sent again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.lib import html5_inputs


class PartOrderedForm(forms.Form):
    supplier = forms.CharField(label=_("Supplier"), max_length=120)
    expected_on = forms.DateField(label=_("Expected arrival"), widget=html5_inputs.DateInput)


class PartsWarningForm(forms.Form):
    resend_of = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
