from django import forms
from django.template import Template, TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site
from aftersales.lib import html5_inputs

from .catalogue import message_type_choices
from .models import MessageChannel, MessageTemplate, OutboxMessage


class MessageFilterForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False, label=_("Site"), empty_label=_("All my sites"))
    status = forms.ChoiceField(required=False, label=_("Status"))
    channel = forms.ChoiceField(required=False, label=_("Channel"))
    template = forms.ChoiceField(required=False, label=_("Message type"))

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["status"].choices = everything + OutboxMessage.Status.choices
        self.fields["channel"].choices = everything + MessageChannel.choices
        self.fields["template"].choices = everything + message_type_choices()
        if sites is None:
            del self.fields["site"]
        else:
            self.fields["site"].queryset = sites


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["subject", "body_text", "body_html", "sms_body"]
        formfield_callback = html5_inputs.formfield
        widgets = {
            "body_text": forms.Textarea(attrs={"rows": 10}),
            "body_html": forms.Textarea(attrs={"rows": 6}),
            "sms_body": forms.Textarea(attrs={"rows": 3}),
        }

    def _clean_template_syntax(self, name: str) -> str:
        value = self.cleaned_data.get(name, "")
        try:
            Template(value)
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(_("This text has a template error: %(error)s"), params={"error": exc}) from None
        return value

    def clean_subject(self):
        return self._clean_template_syntax("subject")

    def clean_body_text(self):
        return self._clean_template_syntax("body_text")

    def clean_body_html(self):
        return self._clean_template_syntax("body_html")

    def clean_sms_body(self):
        return self._clean_template_syntax("sms_body")
