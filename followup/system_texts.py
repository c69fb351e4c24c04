"""What the follow-up stage writes by itself (call reasons, the survey complaint's summary, concern history notes),
kept as codes and shown in the reader's language (aftersales.lib.system_texts)."""

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.customers.models import Customer
from aftersales.lib.system_texts import Choice, Day, Message, Moment, Number, Record, Text

from .models import Concern, SatisfactionAnswer


def _user_named(text: str) -> User | None:
    """The person an old note named (users are shown by their full name, else their username)."""
    return next((user for user in User.objects.all() if str(user) == text), None)


def _target_list_labels() -> dict:
    from .selectors import TARGET_LISTS  # the selectors import the services, which write these texts

    return {key: target.label for key, target in TARGET_LISTS.items()}


SERVICE_DUE = Message("followup.service_due", _("Service due on %(day)s."), day=Day())
SERVICE_OVERDUE = Message("followup.service_overdue", _("Service overdue: it was due on %(day)s."), day=Day())
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
COMPLAINT_OVERDUE = Message("followup.complaint_overdue", _("Complaint %(reference)s not answered within 24 hours"), reference=Text())
COMPLAINT_OVERDUE_DETAILS = Message(
    "followup.complaint_overdue_details",
    _("Customer: %(customer)s\nSite: %(site)s\nPerson responsible: %(owner)s\nReceived: %(received)s"),
    customer=Record(Customer),
    site=Record(Site),
    owner=Record(User),
    received=Moment(),
)
HOT_ALERT = Message(
    "followup.hot_alert",
    _("Dissatisfied customer: %(customer)s (%(reference)s)"),
    customer=Record(Customer),
    reference=Text(),
)
HOT_ALERT_SCORES = Message(
    "followup.hot_alert_scores",
    _("%(source)s: %(score)s/5, would recommend: %(nps)s/10"),
    source=Choice(SatisfactionAnswer.Source),
    score=Number(),
    nps=Text(),
)
HOT_ALERT_CALL_BACK = Message(
    "followup.hot_alert_call_back",
    _("Call the customer back within 24 hours. Person responsible: %(owner)s"),
    owner=Record(User),
)
COMPLAINT_UNOWNED = Message("followup.complaint_unowned", _("Complaint %(reference)s has nobody responsible"), reference=Text())
COMPLAINT_UNOWNED_DETAILS = Message(
    "followup.complaint_unowned_details",
    _(
        "A customer's answer opened this complaint at %(site)s, which has no after-sales manager or service advisor "
        "to own it. Assign it and call the customer back within 24 hours."
    ),
    site=Record(Site),
)
