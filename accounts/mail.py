"""django-allauth's account adapter, the forum's way: mail through Celery, passwords through the
accounts service, and no session messages on API requests.

allauth renders each message (verification link, password reset link, "no account for this
address") from the templates under templates/account/email/, in the language active for the
request, which is the reader's. The rendered message is queued for accounts.tasks.send_account_mail;
a queue that cannot be reached is logged and the page or API answer goes on as usual.
"""

import logging

import redis
from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.http import HttpRequest
from kombu.exceptions import KombuError

from .services import change_password
from .tasks import send_account_mail

logger = logging.getLogger(__name__)


def queue_mail(message: dict) -> None:
    """Hand a rendered message to the mail task once the request's transaction commits (a sign-up
    rolled back sends nothing). A broker that cannot be reached is logged, never raised."""

    def send() -> None:
        try:
            send_account_mail.delay(message)
        except (KombuError, redis.RedisError, OSError) as error:
            logger.error("Account mail %r not queued, the broker failed: %s", message["subject"], error)

    transaction.on_commit(send)


class ForumAccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = self.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        rendered = self.render_mail(template_prefix, email, ctx)
        html = next(
            (content for content, mimetype in getattr(rendered, "alternatives", []) if mimetype == "text/html"), None
        )
        queue_mail(
            {
                "subject": rendered.subject,
                "body": rendered.body,
                "html": html,
                "from_email": rendered.from_email,
                "to": list(rendered.to),
            }
        )

    def set_password(self, user, password: str) -> None:
        """A password reset goes through the service: it revokes the reader's API tokens, and the
        new password ends their sessions everywhere."""
        change_password(user=user, password=password)

    def add_message(self, request: HttpRequest, *args, **kwargs) -> None:
        if request.path.startswith("/api/"):
            return  # an app has no page to show it on, and the messages would pile up
        super().add_message(request, *args, **kwargs)
