"""What the follow-up stage writes by itself (call reasons, the survey complaint's summary, concern history notes),
kept as codes and shown in the reader's language (aftersales.lib.system_texts)."""

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.lib.system_texts import Choice, Day, Message, Number, Record, Text

from .models import Concern


def _user_named(text: str) -> User | None:
    """The person an old note named (users are shown by their full name, else their username)."""
    return next((user for user in User.objects.all() if str(user) == text), None)


def _target_list_labels() -> dict:
    from .selectors import TARGET_LISTS  # the selectors import the services, which write these texts

    return {key: target.label for key, target in TARGET_LISTS.items()}


SERVICE_DUE = Message("followup.service_due", _("Service due on %(day)s."), day=Day())
REMINDER_UNANSWERED = Message(
    "followup.reminder_unanswered", _("Service due on %(day)s: no booking and no answer a week after the reminder."), day=Day()
)
VISIT_CALLBACK = Message(
    "followup.visit_callback", _("Visit of %(day)s, work order %(order)s: is the customer satisfied?"), day=Day(), order=Text()
)
TARGET_LIST = Message("followup.target_list", "%(target_list)s", target_list=Choice(_target_list_labels))
SURVEY_COMPLAINT = Message("followup.survey_complaint", _("Your rating of your visit of %(day)s: %(score)s/5"), day=Day(), score=Number())
CONCERN_RECORDED = Message("followup.concern_recorded", "%(kind)s", kind=Choice(Concern.Kind))
OWNER_CHANGED = Message(
    "followup.owner_changed",
    _("Person responsible: %(before)s → %(after)s"),
    before=Record(User, find=_user_named),
    after=Record(User, find=_user_named),
)
ESCALATED = Message("followup.escalated", _("Not answered within 24 hours: escalated to the after-sales managers."))
