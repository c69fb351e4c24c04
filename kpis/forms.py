from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.lib import html5_inputs

from .periods import PeriodKind, Window, period_window
from .queries import Scope

MAX_CUSTOM_DAYS = 366


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class DashboardFilters(forms.Form):
    """The dashboard's filters, read from the query string; anything invalid answers 400 naming the field."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=None, required=False, empty_label=_("All my sites"))
    advisor = PersonChoiceField(label=_("Advisor"), queryset=None, required=False, empty_label=_("Every advisor"))
    technician = PersonChoiceField(label=_("Technician"), queryset=None, required=False, empty_label=_("Every technician"))
    period = forms.ChoiceField(label=_("Period"), choices=PeriodKind.CHOICES, required=False)
    day = forms.DateField(label=_("Day in the period"), required=False, widget=html5_inputs.DateInput)
    end = forms.DateField(label=_("Until (custom period)"), required=False, widget=html5_inputs.DateInput)

    def __init__(self, data, *, user: User):
        data = data.copy()
        for name, default in (("period", PeriodKind.MONTH), ("day", timezone.localdate().isoformat())):
            if not data.get(name):
                data[name] = default  # shown in the form as chosen
        super().__init__(data)
        sites = user.visible_sites().order_by("name")
        self.fields["site"].queryset = sites
        staff = User.objects.filter(sites__in=sites).distinct().order_by("last_name", "first_name", "username")
        self.fields["advisor"].queryset = staff.filter(groups__name="service_advisor")
        self.fields["technician"].queryset = staff.filter(groups__name="technician")
        self._sites = sites

    def clean(self):
        data = super().clean()
        if data.get("period") == PeriodKind.CUSTOM and data.get("day"):
            end = data.get("end")
            if end is None or end < data["day"]:
                self.add_error("end", _("Give an end date on or after the first day."))
            elif (end - data["day"]).days >= MAX_CUSTOM_DAYS:
                self.add_error("end", _("A custom period is at most %(days)s days long.") % {"days": MAX_CUSTOM_DAYS})
        return data

    def scope(self) -> Scope:
        site = self.cleaned_data["site"]
        site_ids = (site.pk,) if site else tuple(self._sites.values_list("pk", flat=True))
        advisor, technician = self.cleaned_data["advisor"], self.cleaned_data["technician"]
        return Scope(site_ids, advisor.pk if advisor else None, technician.pk if technician else None)

    def window(self) -> Window:
        data = self.cleaned_data
        return period_window(data["period"], data["day"], data.get("end") or data["day"])
