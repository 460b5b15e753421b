"""Celery tasks of the notifications app: reply e-mail, at once and as a daily digest.

Each is idempotent: a notification is claimed before its message is queued (notifications.mail),
so running a task again mails nothing twice. The sending task gets the rendered message only, and
retries SMTP trouble with a back-off, as accounts.tasks.send_account_mail does. Every task here is
named send_*mail*: settings.CELERY_TASK_ROUTES puts them on the mail queue.
"""

import logging
import smtplib

from celery import Task, shared_task
from django.core.mail import EmailMessage
from django.db import OperationalError

from . import mail

logger = logging.getLogger(__name__)


class NotificationMailTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        message = args[0] if args else kwargs.get("message", {})
        logger.error(
            "Reply mail %r not sent after %d tries: %s", message.get("subject", ""), self.request.retries + 1, exc
        )


@shared_task(
    base=NotificationMailTask,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=6,
)
def send_notification_mail(message: dict) -> None:
    """Send one rendered message: {"subject", "body", "from_email", "to", "headers"}."""
    EmailMessage(
        message["subject"], message["body"], message["from_email"], message["to"], headers=message.get("headers")
    ).send()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_reply_mail(notification_id: int) -> bool:
    """Mail one reply to a reader who wants replies at once (claimed: never twice)."""
    message = mail.claim_reply_mail(notification_id=notification_id)
    if message is not None:
        send_notification_mail.delay(message)
    return message is not None


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_reply_digest_mails() -> int:
    """Beat, once a day: each reader on the daily digest gets one e-mail of the replies not
    mailed yet. Returns how many digests were queued."""
    sent = 0
    for user_id in mail.digest_recipients():
        message = mail.claim_digest(user_id=user_id)
        if message is not None:
            send_notification_mail.delay(message)
            sent += 1
    return sent
