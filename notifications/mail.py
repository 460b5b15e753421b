"""Reply e-mail: which notifications go out, claimed so that none goes out twice, and the
messages, rendered in the reader's language with a one-click unsubscribe (RFC 8058).

A notification is claimed (its ``mailed_at`` set, in one conditional UPDATE) before its message is
queued: a reply reaches a reader by e-mail at most once, whether by itself or in a digest, however
often a task runs. The message is rendered here and handed to tasks.send_notification_mail, which
only sends it (retrying SMTP trouble), so a retry sends the same message and claims nothing.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Mute, User

from . import selectors
from .models import Notification, ReplyMail

DIGEST_MAX_ITEMS = 30
EXCERPT_CHARACTERS = 300


# What a reply mail or digest reads of each notification: its reader, the reply with its article,
# author (and badge: forum.selectors.shown_author), thread and whom it answers.
_MAIL_RELATED = ("recipient", "reply__article", "reply__author__badge", "reply__parent", "reply__reply_to")


def site_url(path: str) -> str:
    return f"{settings.FORUM_SITE_URL}{path}"


def mail_language(preference: selectors.Preference, answered_language: str | None) -> str:
    """The reader's language: the one they read the site in when they last set their preference
    or opened their notifications; before that, the language of their comment that was answered
    (detected from their words, or the language they read the site in when it has no letters)."""
    codes = {code for code, _name in settings.LANGUAGES}
    for language in (preference.language, answered_language):
        if language in codes:
            return language
    return settings.LANGUAGE_CODE


def _answered(notification: Notification):
    reply = notification.reply
    return reply.reply_to if notification.kind == Notification.Kind.ANSWER and reply.reply_to else reply.parent


def _item(notification: Notification) -> dict:
    reply = notification.reply
    excerpt = reply.body if len(reply.body) <= EXCERPT_CHARACTERS else reply.body[:EXCERPT_CHARACTERS] + "…"
    return {
        "who": selectors.replier_name(reply),
        "kind": notification.kind,
        "article": reply.article.public_title,
        "excerpt": excerpt,
        "url": site_url(reverse("notification_open", args=[notification.pk])),
    }


def _message(user: User, subject: str, template: str, context: dict) -> dict:
    unsubscribe = site_url(reverse("notifications_unsubscribe", args=[selectors.unsubscribe_token(user_id=user.pk)]))
    body = render_to_string(
        template,
        {
            **context,
            "unsubscribe_url": unsubscribe,
            "settings_url": site_url(reverse("notification_settings")),
            "site_name": _("News Forum"),
        },
    )
    return {
        "subject": subject,
        "body": body,
        "from_email": settings.DEFAULT_FROM_EMAIL,
        "to": [user.email],
        "headers": {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    }


def _mailable() -> Q:
    return (
        Q(read_at__isnull=True, mailed_at__isnull=True)
        & Q(recipient__is_active=True, recipient__email_verified=True)
        & ~Q(recipient__email="")
    )


def _not_muted(notification: Notification) -> bool:
    reply = notification.reply
    return not Mute.objects.filter(
        reader_id=notification.recipient_id, muted_id=reply.author_id, signed=reply.signed
    ).exists()


@transaction.atomic
def claim_reply_mail(*, notification_id: int) -> dict | None:
    """The e-mail of one reply for a reader who wants replies at once, claimed; None when it is
    not to be mailed (already mailed or read, reply out of view, mail off or daily, no verified
    address, the replier muted since)."""
    now = timezone.now()
    notification = (
        Notification.objects.filter(selectors._shown(), _mailable(), pk=notification_id)
        .select_related(*_MAIL_RELATED)
        .select_for_update(of=("self",), skip_locked=True)
        .first()
    )
    if notification is None or not _not_muted(notification):
        return None
    preference = selectors.mail_preference(user_id=notification.recipient_id)
    if selectors.effective_mail(preference) != ReplyMail.IMMEDIATE:
        return None
    if preference.changed_at is not None and notification.created_at < preference.changed_at:
        return None
    Notification.objects.filter(pk=notification.pk).update(mailed_at=now)
    answered = _answered(notification)
    with translation.override(mail_language(preference, answered.language if answered else None)):
        item = _item(notification)
        if notification.kind == Notification.Kind.ANSWER:
            subject = _("%(who)s answered you") % {"who": item["who"]}
        else:
            subject = _("%(who)s replied to your comment") % {"who": item["who"]}
        return _message(notification.recipient, subject, "notifications/email/reply.txt", {"item": item})


def digest_recipients() -> list[int]:
    """Readers with replies waiting to be mailed (one query)."""
    return list(
        Notification.objects.filter(selectors._shown(), _mailable())
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )


@transaction.atomic
def claim_digest(*, user_id: int) -> dict | None:
    """The reader's daily digest of the replies not mailed yet, claimed; None when there is
    nothing to send (mail off or at once, nothing new, no verified address)."""
    preference = selectors.mail_preference(user_id=user_id)
    if selectors.effective_mail(preference) != ReplyMail.DAILY:
        return None
    muted_voice = Mute.objects.filter(
        reader_id=user_id, muted_id=OuterRef("reply__author_id"), signed=OuterRef("reply__signed")
    )
    waiting = Notification.objects.filter(selectors._shown(), _mailable(), recipient_id=user_id).exclude(
        Exists(muted_voice)
    )
    if preference.changed_at is not None:
        waiting = waiting.filter(created_at__gte=preference.changed_at)
    notifications = list(
        waiting.select_related(*_MAIL_RELATED)
        .select_for_update(of=("self",), skip_locked=True)
        .order_by("created_at", "id")
    )
    if not notifications:
        return None
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(mailed_at=timezone.now())
    user = notifications[0].recipient
    answered = _answered(notifications[-1])
    with translation.override(mail_language(preference, answered.language if answered else None)):
        items = [_item(notification) for notification in notifications[:DIGEST_MAX_ITEMS]]
        count = len(notifications)
        subject = ngettext("%(count)d new reply to you", "%(count)d new replies to you", count) % {"count": count}
        return _message(
            user,
            subject,
            "notifications/email/digest.txt",
            {"items": items, "more": count - len(items), "notifications_url": site_url(reverse("notifications"))},
        )
