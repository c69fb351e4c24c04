"""Staff e-mails (notify_staff): after commit, through a Celery task, in each recipient's language and the site's time."""

import json
import smtplib
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts import notifications
from aftersales.accounts.tasks import send_staff_email
from aftersales.accounts.tests.factories import UserFactory
from aftersales.lib.system_texts import Message, Moment, SystemText

# Words Django's own catalogues translate ("Oui", "Да"), and a moment shown in the site's time.
ANSWER = Message("tests.staff_answer", _("Yes"))
AT = Message("tests.staff_at", "%(at)s", at=Moment())
TUESDAY_8_UTC = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 09:00 in Lyon


@pytest.fixture
def staff(site):
    return [UserFactory(site_list=[site], language="fr"), UserFactory(site_list=[site], language="ru")]


def notify(recipients, site):
    notifications.notify_staff(
        recipients=recipients,
        subject=ANSWER(),
        lines=[ANSWER(), AT(at=TUESDAY_8_UTC), SystemText(free="Typed words"), SystemText()],
        link="/appointments/1/",
        site=site,
    )


def test_each_recipient_reads_it_in_their_own_language_with_the_sites_time_once_committed(
    site, staff, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notify(staff, site)
        assert mail.outbox == []
    by_address = {sent.to[0]: sent for sent in mail.outbox}
    assert len(mail.outbox) == 2 and set(by_address) == {user.email for user in staff}
    french, russian = (by_address[user.email] for user in staff)
    assert french.subject == "Oui" and russian.subject == "Да"
    assert french.body == f"Oui\n24 nov. 2026 09:00\nTyped words\n{settings.SITE_URL}/appointments/1/"
    assert russian.body.splitlines()[:2] == ["Да", "24 ноября 2026, 09:00"]


def test_a_recipient_without_a_language_reads_the_sites(site, eager_tasks, django_capture_on_commit_callbacks):
    user = UserFactory(site_list=[site], language="")
    with django_capture_on_commit_callbacks(execute=True):
        notify([user], site)
    assert mail.outbox[0].subject == "Oui"


def test_nothing_is_sent_when_the_transaction_rolls_back(site, staff, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(staff, site)
            raise RuntimeError("the caller fails")
    assert callbacks == [] and mail.outbox == []


def test_the_email_is_handed_to_a_task_with_plain_arguments(site, staff, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(send_staff_email, "delay", lambda **mail: queued.append(mail))
    without_address = UserFactory(site_list=[site], email="")
    with django_capture_on_commit_callbacks(execute=True):
        notify([*staff, without_address], site)
    assert len(queued) == 1 and mail.outbox == []
    assert json.loads(json.dumps(queued[0]))["recipient_ids"] == [user.pk for user in staff]


def test_no_task_when_no_recipient_has_an_address(site, django_capture_on_commit_callbacks):
    without_address = UserFactory(site_list=[site], email="")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([without_address], site)
    assert callbacks == []


def test_a_mail_server_failure_is_logged_and_the_others_still_get_theirs(
    site, staff, eager_tasks, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    class RefusingTheFirst(notifications.EmailMessage):
        def send(self, fail_silently=False):
            if self.to == [staff[0].email]:
                raise smtplib.SMTPServerDisconnected("gone")
            return super().send(fail_silently)

    monkeypatch.setattr(notifications, "EmailMessage", RefusingTheFirst)
    with django_capture_on_commit_callbacks(execute=True):
        notify(staff, site)
    assert [sent.to for sent in mail.outbox] == [[staff[1].email]]
    assert "could not be sent" in caplog.text


def test_staff_emails_say_they_are_automatic(site, staff, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(staff, site)
    assert {sent.message()["Auto-Submitted"] for sent in mail.outbox} == {"auto-generated"}
    assert all(sent.message()["List-Unsubscribe"] is None for sent in mail.outbox)
