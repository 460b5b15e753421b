"""Who is told of which reply, and how each reader wants replies e-mailed."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.models import Comment


class Notification(models.Model):
    """A reply a reader is told of: one row per reader and reply, whatever made it theirs."""

    class Kind(models.TextChoices):
        # A reply in the thread of the reader's comment.
        REPLY = "reply", _("A reply to your comment")
        # A reply that answers the reader's own reply inside a thread.
        ANSWER = "answer", _("An answer to you in a thread")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    reply = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+", verbose_name=_("reply"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # When the reply went out by e-mail (on its own or in a digest): claimed before it is sent, so
    # no reply is ever mailed to a reader twice.
    mailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "reply"], name="notification_once_per_reply")]
        indexes = [
            # The bell: a reader's unread ones (a handful at most), counted from this alone.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
            # The list, newest first, paged by (created_at, id).
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list_idx"),
            # The digest: what is still to be mailed.
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(mailed_at__isnull=True),
                name="notification_unmailed_idx",
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient_id} ← {self.reply_id}"


class ReplyMail(models.TextChoices):
    OFF = "off", _("Off")
    IMMEDIATE = "immediate", _("At once, one e-mail per reply")
    DAILY = "daily", _("A daily digest")


class MailPreference(models.Model):
    """How a reader wants replies e-mailed. A reader without a row has the site's default
    (settings.NOTIFICATIONS_DEFAULT_REPLY_MAIL)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mail_preference",
        verbose_name=_("reader"),
    )
    # Empty: the reader never chose (the site's default applies, whatever it is then).
    reply_mail = models.CharField(_("e-mail for replies"), max_length=10, choices=ReplyMail.choices, blank=True)
    # The language the reader's e-mail is written in: the language they read the site in when they
    # last set their preference or opened their notifications. Empty: not known yet (the mail
    # follows the language of the comment they were answered on).
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True, default="")
    # Mail covers replies from this moment: turning mail on does not send what came before.
    # Empty: the reader never changed the default, and mail covers every reply.
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.reply_mail}"
