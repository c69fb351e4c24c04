"""Staff e-mails: the one path for every e-mail to staff (an advisor told of a customer's change, a site's managers
of a request or a complaint left unanswered...).

``notify_staff`` is called inside the caller's transaction. Once it commits, a Celery task writes the e-mail in each
recipient's language (theirs, else the site's), dates and times in the site's local time, and sends one e-mail per
recipient. A mail-server failure is logged and never reaches the caller: what the e-mail was about stays on the
screen that lists it. Nothing is sent when the transaction rolls back.
"""

import logging
import smtplib
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from aftersales.lib.mail import AUTOMATED_HEADERS
from aftersales.lib.system_texts import SystemText

from .models import Site, User
from .roles import Role

logger = logging.getLogger(__name__)


def site_managers(site: Site) -> QuerySet:
    """Active after-sales managers working at the site (or group-wide in its group): whom a site's alerts go to."""
    return User.objects.filter(
        Q(sites=site) | Q(group_wide=True, sites__group_id=site.group_id),
        groups__name=Role.MANAGER,
        is_active=True,
    ).distinct()


def notify_staff(*, recipients: Iterable[User], subject: SystemText, lines: Iterable[SystemText] = (), link: str = "", site: Site) -> None:
    """E-mail each recipient with an address, once the transaction commits: ``subject``, and a body of ``lines``
    (empty ones left out) then ``link`` (a path on this site, ``reverse(...)``, written out as a full address)."""
    from .tasks import send_staff_email

    recipient_ids = [user.pk for user in recipients if user.email]
    if not recipient_ids:
        return
    mail = {
        "site_id": site.pk,
        "recipient_ids": recipient_ids,
        "subject": _kept(subject),
        "lines": [_kept(line) for line in lines],
        "link": link,
    }
    # robust: with the broker down the e-mail is lost (logged), the caller's commit stands.
    transaction.on_commit(lambda: send_staff_email.delay(**mail), robust=True)


def _kept(text: SystemText) -> list[Any]:
    """A text as the task's JSON arguments carry it."""
    return [text.code, dict(text.params), text.free]


def deliver_staff_email(*, site_id: int, recipient_ids: Sequence[int], subject: list[Any], lines: Sequence[list[Any]], link: str) -> None:
    """The e-mails of ``notify_staff``, each written in its recipient's language and sent on its own."""
    site = Site.objects.get(pk=site_id)
    subject_text, line_texts = SystemText(*subject), [SystemText(*line) for line in lines]
    address = settings.SITE_URL + link if link else ""
    for user in User.objects.filter(pk__in=recipient_ids).exclude(email="").order_by("pk"):
        with translation.override(user.language or site.language), timezone.override(site.tz):
            title = " ".join(str(subject_text).split())
            body = "\n".join(filter(None, [*(str(line) for line in line_texts), address]))
        try:
            EmailMessage(title, body, None, [user.email], headers=AUTOMATED_HEADERS).send()
        except (smtplib.SMTPException, OSError):
            logger.warning("Staff e-mail %r to user %s could not be sent", title, user.pk, exc_info=True)
