"""Celery tasks of the accounts app: account e-mail (verification links, password resets).

The message is rendered in the request, in the reader's language, and the task only sends it, so
the worker needs neither the request nor the database. SMTP trouble is retried with a back-off;
a message that still cannot be sent is logged, never shown to the reader as an error.
"""

import logging
import smtplib

from celery import Task, shared_task
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)


class AccountMailTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        message = args[0] if args else kwargs.get("message", {})
        logger.error(
            "Account mail %r to %d recipient(s) not sent after %d tries: %s",
            message.get("subject", ""),
            len(message.get("to", [])),
            self.request.retries + 1,
            exc,
        )


@shared_task(
    base=AccountMailTask,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=6,
)
def send_account_mail(message: dict) -> None:
    """Send one rendered message: {"subject", "body", "html" (or None), "from_email", "to"}."""
    mail = EmailMultiAlternatives(message["subject"], message["body"], message["from_email"], message["to"])
    if message.get("html"):
        mail.attach_alternative(message["html"], "text/html")
    mail.send()
