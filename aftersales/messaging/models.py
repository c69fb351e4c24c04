"""The outbox of customer messages, their history, templates, senders and replies."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Brand, Site
from aftersales.customers.models import Customer
from aftersales.lib.system_texts import ShownText


class MessageChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class Purpose(models.TextChoices):
    SERVICE = "service", _("Service")
    MARKETING = "marketing", _("Marketing")


FAILURE_REASONS = {
    "no_contact": _("The customer has no mobile number or e-mail address for this message."),
    "no_consent": _("The customer has not agreed to marketing messages on any channel we can use."),
    "opted_out": _("The customer opted out of this channel."),
    "invalid_number": _("The mobile number is not valid."),
    "not_mobile": _("The number is not a mobile phone and cannot receive SMS."),
    "unsubscribed": _("The recipient replied STOP to our SMS: the operator blocks further messages."),
    "recipient_refused": _("The mail server refused the e-mail address."),
    "rejected": _("The provider rejected the message."),
    "gave_up": _("Sending kept failing; the last attempt was given up."),
    "uncertain": _("The sending worker stopped in the middle of a send; it was not sent again to avoid a duplicate."),
    "provider_failed": _("The provider could not deliver the message."),
}


class OutboxMessage(models.Model):
    """One message to one customer; its idempotency key makes it exist once."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        UNDELIVERABLE = "undeliverable", _("Undeliverable")
        SUPPRESSED = "suppressed", _("Suppressed")

    TRANSITIONS = {
        Status.QUEUED: {Status.SENDING, Status.SUPPRESSED},
        Status.SENDING: {Status.SENT, Status.DELIVERED, Status.QUEUED, Status.FAILED, Status.UNDELIVERABLE},
        Status.SENT: {Status.DELIVERED, Status.FAILED, Status.UNDELIVERABLE},
        Status.DELIVERED: set(),
        Status.FAILED: set(),
        Status.UNDELIVERABLE: set(),
        Status.SUPPRESSED: set(),
    }
    # Provider callbacks may arrive out of order: they only move a message forward.
    PROGRESS = {
        Status.QUEUED: 0,
        Status.SENDING: 1,
        Status.SENT: 2,
        Status.DELIVERED: 3,
        Status.FAILED: 4,
        Status.UNDELIVERABLE: 4,
        Status.SUPPRESSED: 4,
    }

    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="outbox_messages", verbose_name=_("customer"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="outbox_messages", verbose_name=_("site"))
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("brand"))
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    urgent = models.BooleanField(_("urgent"), default=False)
    template_key = models.CharField(_("message type"), max_length=60)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    requested_language = models.CharField(_("customer's language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    body = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    about_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("about (type)"))
    about_id = models.CharField(_("about (id)"), max_length=64, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    about_repr = models.CharField(_("about"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.QUEUED)
    failure_code = models.CharField(_("failure code"), max_length=30, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=250, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    recoveries = models.PositiveSmallIntegerField(_("recoveries after a stopped worker"), default=0)
    due_at = models.DateTimeField(_("due at"))
    enqueued_at = models.DateTimeField(_("handed to a worker at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("send started at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("queued by")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["due_at"], condition=models.Q(status="queued"), name="outbox_due_queued_idx"),
            models.Index(fields=["claimed_at"], condition=models.Q(status="sending"), name="outbox_sending_idx"),
            models.Index(fields=["customer", "-created_at"], name="outbox_customer_idx"),
            models.Index(fields=["site", "-created_at"], name="outbox_site_idx"),
        ]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self) -> str:
        return f"{self.template_key} → {self.recipient or self.customer} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("messaging:message_detail", args=[self.pk])

    @property
    def failure_reason(self) -> str:
        """A readable reason for staff, or the provider's own words."""
        if self.failure_code in FAILURE_REASONS:
            return str(FAILURE_REASONS[self.failure_code])
        return self.last_error

    @property
    def language_fallback(self) -> bool:
        """No text existed in the customer's language: it went out in the site's."""
        return bool(self.requested_language) and self.requested_language != self.language

    @property
    def is_problem(self) -> bool:
        return self.status in {self.Status.FAILED, self.Status.UNDELIVERABLE, self.Status.SUPPRESSED}


class OutboxAttachment(models.Model):
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message"))
    filename = models.CharField(_("file name"), max_length=200)
    mimetype = models.CharField(_("type"), max_length=100)
    content = models.BinaryField(_("content"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class MessageEvent(models.Model):
    """Each status change of a message: who or what moved it, from where to where."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="events", verbose_name=_("message"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_status = models.CharField(_("from"), max_length=15, choices=OutboxMessage.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=15, choices=OutboxMessage.Status.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    note_code = models.CharField(_("message code"), max_length=60, blank=True)
    note_params = models.JSONField(_("message parameters"), default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("by"))
    note_display = ShownText("note", _("note"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("message event")
        verbose_name_plural = _("message events")

    def __str__(self) -> str:
        return f"{self.message_id}: {self.from_status} → {self.to_status}"


class MessageTemplate(models.Model):
    """The text of one message type in one language, editable by managers."""

    key = models.SlugField(_("message type"), max_length=60)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("e-mail subject"), max_length=250)
    body_text = models.TextField(_("e-mail text"))
    body_html = models.TextField(_("e-mail HTML"), blank=True, help_text=_("Empty: the text, with its paragraphs."))
    sms_body = models.TextField(_("SMS text"))
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("updated by"))

    class Meta:
        ordering = ["key", "language"]
        constraints = [models.UniqueConstraint(fields=["key", "language"], name="unique_template_per_language")]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        return f"{self.key} [{self.language}]"

    def get_absolute_url(self) -> str:
        return reverse("messaging:template_edit", args=[self.pk])


class SmsSender(models.Model):
    """Who SMS come from for a site, or for one brand of a site."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="sms_senders", verbose_name=_("site"))
    brand = models.ForeignKey(
        Brand, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("brand"), help_text=_("Empty: every brand of the site.")
    )
    from_number = models.CharField(_("sender number or ID"), max_length=20, blank=True)
    messaging_service_sid = models.CharField(_("Twilio messaging service SID"), max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "brand"], name="unique_sms_sender_per_brand"),
            models.UniqueConstraint(fields=["site"], condition=models.Q(brand__isnull=True), name="unique_sms_sender_per_site"),
            models.CheckConstraint(
                condition=~models.Q(from_number="", messaging_service_sid=""),
                name="sms_sender_has_number_or_service",
            ),
        ]
        verbose_name = _("SMS sender")
        verbose_name_plural = _("SMS senders")

    def __str__(self) -> str:
        return f"{self.site} {self.brand or ''} {self.from_number or self.messaging_service_sid}".strip()


class InboundMessage(models.Model):
    """An SMS a customer sent us."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        OPT_OUT = "opt_out", _("Opt-out (STOP)")
        OPT_IN = "opt_in", _("Opt-in (START)")

    provider_id = models.CharField(_("provider id"), max_length=64, unique=True)
    from_number = models.CharField(_("from"), max_length=20)
    to_number = models.CharField(_("to"), max_length=20, blank=True)
    body = models.TextField(_("text"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="inbound_messages", verbose_name=_("customer")
    )
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("handled by"))

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["site", "received_at"], condition=models.Q(handled_at__isnull=True), name="inbound_open_idx")]
        verbose_name = _("inbound SMS")
        verbose_name_plural = _("inbound SMS")

    def __str__(self) -> str:
        return f"{self.from_number}: {self.body[:40]}"


class OneTimeCode(models.Model):
    """A short code sent to the customer to prove it is them (signing a work order, an online booking...).

    Only a keyed hash of the code is stored. A code is for one purpose and one
    subject (a record, or a free ``key`` when there is no record yet), is used
    once, expires, and is refused after ``max_attempts`` wrong tries.
    """

    purpose = models.CharField(_("purpose"), max_length=40)
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("subject type"))
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    key = models.CharField(_("key"), max_length=200, blank=True, help_text=_("Stands for the subject when there is no record yet."))
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="one_time_codes", verbose_name=_("customer")
    )
    code_hash = models.CharField(_("code hash"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"), default=5)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    message = models.ForeignKey(OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("message"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["purpose", "subject_type", "subject_id", "created_at"], name="otp_subject_idx"),
            models.Index(fields=["purpose", "key", "created_at"], name="otp_key_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject_type__isnull=True, subject_id__isnull=True)
                | models.Q(subject_type__isnull=False, subject_id__isnull=False),
                name="otp_subject_complete",
            ),
        ]
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return f"{self.purpose} {self.key or self.subject_id} {self.created_at:%Y-%m-%d %H:%M}"
