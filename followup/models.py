"""Follow-up: customer concerns, maintenance reminders and the CRC's call tasks.

A ``CallTask`` is one line of the call centre's work list, whatever put it
there (an unanswered reminder, a target list, a complaint to call back,
the 7-day callback): the same call screen records its attempts and outcome.
Jobs create their tasks under a unique ``key``, so reruns create nothing new.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site
from aftersales.customers.models import Customer, MileageReading, Vehicle
from aftersales.lib.system_texts import ShownText


class Concern(models.Model):
    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        INFORMATION_REQUEST = "information", _("Information request")
        PRAISE = "praise", _("Praise")
        OTHER = "other", _("Other")

    class Channel(models.TextChoices):
        CALL = "call", _("Phone call")
        DESK = "desk", _("At the desk")
        EMAIL = "email", _("E-mail")
        SURVEY = "survey", _("Survey")
        SMS_REPLY = "sms_reply", _("SMS reply")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WAITING_FOR_CUSTOMER = "waiting", _("Waiting for the customer")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    TRANSITIONS = {
        Status.OPEN: {Status.WAITING_FOR_CUSTOMER, Status.ANSWERED},
        Status.WAITING_FOR_CUSTOMER: {Status.OPEN, Status.ANSWERED},
        Status.ANSWERED: {Status.CLOSED, Status.OPEN},
        Status.CLOSED: set(),
    }
    UNANSWERED = (Status.OPEN, Status.WAITING_FOR_CUSTOMER)

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="concerns", verbose_name=_("site"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="concerns", verbose_name=_("customer"))
    vehicle = models.ForeignKey(
        Vehicle, null=True, blank=True, on_delete=models.PROTECT, related_name="concerns", verbose_name=_("vehicle")
    )
    appointment = models.ForeignKey(
        "appointments.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="concerns", verbose_name=_("appointment")
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    channel = models.CharField(_("received by"), max_length=10, choices=Channel.choices)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    summary_code = models.CharField(_("message code"), max_length=60, blank=True)
    summary_params = models.JSONField(_("message parameters"), default=dict, blank=True)
    description = models.TextField(_("in the customer's words"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_concerns",
        verbose_name=_("person responsible"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    answer_due_at = models.DateTimeField(_("answer due by"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer = models.TextField(_("answer given"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    customer_agreed = models.BooleanField(_("customer agrees with the resolution"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("Empty when the customer's own survey answer opened it."),
    )
    summary_display = ShownText("summary", _("summary"))

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            # a customer's own survey answer is never refused: with nobody at the site to own it, the administrators are told
            models.CheckConstraint(
                condition=~models.Q(kind="complaint") | models.Q(owner__isnull=False) | models.Q(channel="survey"),
                name="complaint_has_owner_unless_survey",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | (~models.Q(resolution="") & models.Q(customer_agreed__isnull=False)),
                name="closed_concern_has_resolution",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "received_at"], name="concern_site_received_idx"),
            models.Index(
                fields=["answer_due_at"],
                condition=models.Q(kind="complaint", status__in=["open", "waiting"]),
                name="concern_complaint_due_idx",
            ),
        ]
        permissions = [("review_complaints", _("Can review the month's complaints"))]
        verbose_name = _("customer concern")
        verbose_name_plural = _("customer concerns")

    def __str__(self) -> str:
        return f"{self.reference} {self.summary_display}"

    def get_absolute_url(self) -> str:
        return reverse("followup:concern_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"C-{self.pk:06d}" if self.pk else ""

    @property
    def answered_in_time(self) -> bool | None:
        if self.answer_due_at is None or self.answered_at is None:
            return None
        return self.answered_at <= self.answer_due_at


class ConcernEvent(models.Model):
    """Every change of a concern: who, when, from which status to which."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="events", verbose_name=_("concern"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_status = models.CharField(_("from"), max_length=10, choices=Concern.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Concern.Status.choices)
    note = models.TextField(_("note"), blank=True)
    note_code = models.CharField(_("message code"), max_length=60, blank=True)
    note_params = models.JSONField(_("message parameters"), default=dict, blank=True)
    note_display = ShownText("note", _("note"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("concern event")
        verbose_name_plural = _("concern events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.from_status or '-'} → {self.to_status}"


class Escalation(models.Model):
    """A complaint left unanswered past its 24 hours, on the site managers' list (one per complaint)."""

    concern = models.OneToOneField(Concern, on_delete=models.CASCADE, related_name="escalation", verbose_name=_("complaint"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="escalations", verbose_name=_("site"))
    created_at = models.DateTimeField(_("escalated at"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("handled by"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return f"{self.concern} ({self.created_at:%Y-%m-%d %H:%M})"


def validate_days_before(value) -> None:
    if not isinstance(value, list) or not all(isinstance(days, int) and 1 <= days <= 365 for days in value):
        raise ValidationError(_("Give a list of whole days between 1 and 365, e.g. [60, 7]."))


class ReminderPolicy(models.Model):
    """A site's touches around a due service; a site without one sends the standard 1-month reminder only."""

    class Recontact(models.TextChoices):
        CALL = "call", _("A call by the CRC")
        SECOND_CHANNEL = "second_channel", _("A message by the other channel")

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="reminder_policy", verbose_name=_("site"))
    extra_days_before = models.JSONField(
        _("extra touches (days before the due date)"),
        default=list,
        blank=True,
        validators=[validate_days_before],
        help_text=_("e.g. [60, 7]; the 30-day reminder is always sent."),
    )
    chaser_days_after = models.PositiveSmallIntegerField(
        _("chaser (days after the due date)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
    )
    recontact_after_days = models.PositiveSmallIntegerField(
        _("re-contact after (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    recontact_by = models.CharField(_("re-contact by"), max_length=15, choices=Recontact.choices, default=Recontact.CALL)

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policies")

    def __str__(self) -> str:
        return str(self.site)


class MaintenanceReminder(models.Model):
    """One touch about one due service of one vehicle; the unique key makes it exist once."""

    class Basis(models.TextChoices):
        DATE = "date", _("Due date")
        MILEAGE = "mileage", _("Projected mileage")

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="maintenance_reminders", verbose_name=_("vehicle"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="maintenance_reminders", verbose_name=_("customer"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="maintenance_reminders", verbose_name=_("site"))
    target = models.CharField(
        _("due service"), max_length=40, help_text=_("The vehicle's due date and mileage when the reminder was sent.")
    )
    touch = models.CharField(_("touch"), max_length=12, help_text=_("d30 = 30 days before; a30 = 30 days after."))
    basis = models.CharField(_("due by"), max_length=8, choices=Basis.choices)
    due_on = models.DateField(_("service due on"))
    due_km = models.PositiveIntegerField(_("service due at (km)"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    message = models.ForeignKey(
        "messaging.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("message")
    )
    recontacted_at = models.DateTimeField(_("re-contacted at"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["vehicle", "target", "touch"], name="one_reminder_per_due_service_touch")]
        indexes = [
            models.Index(fields=["site", "sent_at"], name="reminder_site_sent_idx"),
            models.Index(fields=["sent_at"], condition=models.Q(recontacted_at__isnull=True), name="reminder_recontact_idx"),
        ]
        verbose_name = _("maintenance reminder")
        verbose_name_plural = _("maintenance reminders")

    def __str__(self) -> str:
        return f"{self.vehicle} {self.target} {self.touch}"


class MileageCheck(models.Model):
    """An implausible mileage reading, kept out of projections until someone confirms it."""

    class Reason(models.TextChoices):
        LOWER = "lower", _("Lower than the previous reading")
        TOO_FAR = "too_far", _("More than 3 times the usual monthly distance")

    class Status(models.TextChoices):
        FLAGGED = "flagged", _("To check")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    reading = models.OneToOneField(MileageReading, on_delete=models.CASCADE, related_name="plausibility_check", verbose_name=_("reading"))
    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="mileage_checks", verbose_name=_("vehicle"))
    reason = models.CharField(_("reason"), max_length=8, choices=Reason.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.FLAGGED)
    flagged_at = models.DateTimeField(_("flagged at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("decided by"))

    class Meta:
        ordering = ["-flagged_at", "-pk"]
        verbose_name = _("mileage check")
        verbose_name_plural = _("mileage checks")

    def __str__(self) -> str:
        return f"{self.reading} ({self.get_status_display()})"


class OutreachCampaign(models.Model):
    """A message sent from a target list to its selection; one message per customer per campaign."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="outreach_campaigns", verbose_name=_("site"))
    target_list = models.CharField(_("target list"), max_length=20)
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("message"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outreach campaign")
        verbose_name_plural = _("outreach campaigns")

    def __str__(self) -> str:
        return self.title


class CallOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Voicemail left")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    BOOKED = "booked", _("Appointment booked")
    CALL_LATER = "call_later", _("Wants a call later")
    NOT_INTERESTED = "not_interested", _("Not interested")
    DONE_ELSEWHERE = "done_elsewhere", _("Service done elsewhere or car sold")
    INFORMED = "informed", _("Informed, nothing more")


NOT_REACHED = (CallOutcome.NO_ANSWER, CallOutcome.VOICEMAIL, CallOutcome.WRONG_NUMBER)


class CallTask(models.Model):
    class Kind(models.TextChoices):
        REMINDER_CALL = "reminder_call", _("Maintenance reminder by phone")
        REMINDER_RECONTACT = "reminder_recontact", _("Maintenance reminder not answered")
        TARGET_LIST = "target_list", _("Target list")
        CALLBACK = "callback", _("7-day callback")
        COMPLAINT_CALLBACK = "complaint_callback", _("Complaint call-back")

    class Status(models.TextChoices):
        OPEN = "open", _("To call")
        DONE = "done", _("Done")
        UNREACHED = "unreached", _("Not reached, message sent")
        CANCELLED = "cancelled", _("Cancelled")

    MAX_ATTEMPTS = 3

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="call_tasks", verbose_name=_("site"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="call_tasks", verbose_name=_("customer"))
    vehicle = models.ForeignKey(
        Vehicle, null=True, blank=True, on_delete=models.PROTECT, related_name="call_tasks", verbose_name=_("vehicle")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reason_code = models.CharField(_("message code"), max_length=60, blank=True)
    reason_params = models.JSONField(_("message parameters"), default=dict, blank=True)
    key = models.CharField(_("key"), max_length=120, unique=True, help_text=_("Whatever created the task, once."))
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("source type"))
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    due_at = models.DateTimeField(_("due"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="call_tasks", verbose_name=_("agent")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices, blank=True)
    fallback_message = models.ForeignKey(
        "messaging.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("fallback message")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reason_display = ShownText("reason", _("reason"))

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source_type__isnull=True, source_id__isnull=True)
                | models.Q(source_type__isnull=False, source_id__isnull=False),
                name="call_task_source_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "due_at"], condition=models.Q(status="open"), name="call_task_open_idx"),
            models.Index(fields=["site", "created_at"], name="call_task_site_created_idx"),  # KPI figures' rebuild (kpis.rollup)
        ]
        permissions = [("work_target_lists", _("Can work the target lists"))]
        verbose_name = _("call task")
        verbose_name_plural = _("call tasks")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer}"

    def get_absolute_url(self) -> str:
        return reverse("followup:call", args=[self.pk])


class CallAttempt(models.Model):
    task = models.ForeignKey(CallTask, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("call task"))
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("agent"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices)
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"

    @property
    def reached(self) -> bool:
        return self.outcome not in NOT_REACHED


class FollowupPolicy(models.Model):
    """A site's choices for the satisfaction follow-up of each visit: the quick touch, then the 7-day call or the
    survey link; a site without one sends the quick touch and calls every customer."""

    class Callback(models.TextChoices):
        CALL = "call", _("A call to every customer (the survey link after three unanswered calls)")
        SURVEY_WRITTEN = "survey_written", _("The survey link to customers who prefer SMS or e-mail, a call to the others")
        SURVEY = "survey", _("The survey link to every customer")

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="followup_policy", verbose_name=_("site"))
    quick_touch = models.BooleanField(_("quick touch (a one-tap rating 24 to 72 hours after the handover)"), default=True)
    callback = models.CharField(_("on day 7"), max_length=20, choices=Callback.choices, default=Callback.CALL)

    class Meta:
        verbose_name = _("follow-up policy")
        verbose_name_plural = _("follow-up policies")

    def __str__(self) -> str:
        return str(self.site)


class VisitFollowup(models.Model):
    """The satisfaction follow-up of one handover (one row per handover, whatever the job's reruns):
    the quick touch 24 to 72 hours after, then the 7-day callback (a call task) or the survey link."""

    handover = models.OneToOneField(
        "invoicing.Handover",
        on_delete=models.PROTECT,
        related_name="visit_followup",
        verbose_name=_("handover"),
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="visit_followups", verbose_name=_("site"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="visit_followups", verbose_name=_("customer"))
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="visit_followups", verbose_name=_("vehicle"))
    handed_over_at = models.DateTimeField(_("handed over at"))
    callback_due_at = models.DateTimeField(_("callback due"))
    quick_touch_sent_at = models.DateTimeField(_("quick touch sent at"), null=True, blank=True)
    quick_touch_message = models.ForeignKey(
        "messaging.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("quick touch message"),
    )
    survey_message = models.ForeignKey(
        "messaging.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("survey message instead of the call"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-handed_over_at", "-pk"]
        indexes = [
            models.Index(fields=["handed_over_at"], condition=models.Q(quick_touch_sent_at__isnull=True), name="visit_quick_touch_idx"),
        ]
        verbose_name = _("visit follow-up")
        verbose_name_plural = _("visit follow-ups")

    def __str__(self) -> str:
        return f"{self.customer} · {self.handed_over_at:%Y-%m-%d}"


class SatisfactionAnswer(models.Model):
    """What a customer said about a visit, once per source: the KPIs (7-day callback rate, CSAT, NPS) read these rows.

    Dissatisfied: a score of 1 to 3 of 5, a would-recommend score of 0 to 6
    (an NPS detractor), or remarks that read as negative; such an answer
    opens a complaint (``concern``).
    """

    class Source(models.TextChoices):
        QUICK_TOUCH = "quick_touch", _("Quick touch")
        CALLBACK = "callback", _("7-day callback")
        SURVEY = "survey", _("Survey link")

    DISSATISFIED_UP_TO = 3
    DETRACTOR_UP_TO = 6

    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    handover = models.ForeignKey(
        "invoicing.Handover",
        on_delete=models.PROTECT,
        related_name="satisfaction_answers",
        verbose_name=_("handover"),
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="satisfaction_answers", verbose_name=_("customer"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="satisfaction_answers", verbose_name=_("site"))
    score = models.PositiveSmallIntegerField(_("satisfaction (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    nps = models.PositiveSmallIntegerField(
        _("would recommend (0-10)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    text = models.TextField(_("remarks"), blank=True)
    other_needs = models.TextField(_("other needs"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("Empty when the customer answered through the link."),
    )
    concern = models.ForeignKey(
        Concern,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="satisfaction_answers",
        verbose_name=_("complaint opened"),
    )

    class Meta:
        ordering = ["-answered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "source"], name="one_satisfaction_answer_per_source"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="satisfaction_score_1_to_5"),
            models.CheckConstraint(condition=models.Q(nps__isnull=True) | models.Q(nps__lte=10), name="satisfaction_nps_0_to_10"),
        ]
        indexes = [models.Index(fields=["site", "answered_at"], name="satisfaction_site_answered_idx")]
        verbose_name = _("satisfaction answer")
        verbose_name_plural = _("satisfaction answers")

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.score}/5"

    @property
    def dissatisfied_by_score(self) -> bool:
        return self.score <= self.DISSATISFIED_UP_TO or (self.nps is not None and self.nps <= self.DETRACTOR_UP_TO)
