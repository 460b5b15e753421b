"""Writes of the notifications app: who is told of a reply, reading them, and the e-mail
preference. forum calls replies_became_visible through settings.FORUM_REPLY_HOOKS."""

import logging

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import KombuError

from accounts.models import Mute, User
from forum.models import Comment

from . import selectors
from .models import MailPreference, Notification, ReplyMail
from .tasks import send_reply_mail

logger = logging.getLogger(__name__)

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def count_bell(*, user_id: int) -> int:
    """Count the reader's unread notifications into the bell's cache now; the count."""
    count = selectors.count_unread(user_id=user_id)
    selectors.bell_cache().set(selectors.bell_key(user_id), count, timeout=settings.NOTIFICATIONS_BELL_CACHE_SECONDS)
    return count


def refresh_bell(*, user_ids) -> None:
    """Rewrite the readers' unread counts in the bell's cache, once the change commits."""
    user_ids = set(user_ids)

    def refresh() -> None:
        for user_id in user_ids:
            count_bell(user_id=user_id)

    if user_ids:
        transaction.on_commit(refresh)


def _recipients(reply: Comment) -> dict[int, str]:
    """Whom a reply is news for: the author of the thread's comment (a reply to their comment) and
    the author of the reply it answers (an answer to them), never its own author, nor anyone
    whose comment is a placeholder now."""
    found: dict[int, str] = {}
    answered = reply.reply_to
    if answered is not None and answered.pk != reply.parent_id and answered.deleted_at is None:
        found[answered.author_id] = Notification.Kind.ANSWER
    parent = reply.parent
    if parent.deleted_at is None:
        found.setdefault(parent.author_id, Notification.Kind.REPLY)
    found.pop(reply.author_id, None)
    return found


def replies_became_visible(*, reply_ids: list[int]) -> list[Notification]:
    """Tell readers of replies now in view: posted visible, or approved by a moderator
    (settings.FORUM_REPLY_HOOKS, after the commit). Comments that are not replies, or not visible
    (any more), are passed over; a reader who muted the replier, or who is no longer active, is
    not told. Idempotent: one notification per reader and reply (a constraint), so running it
    again, or a reply held and approved twice, tells nobody twice. Returns the new notifications;
    those whose reader wants mail at once are queued for it."""
    replies = list(
        Comment.objects.filter(pk__in=reply_ids, parent__isnull=False, status=Comment.Status.VISIBLE).select_related(
            "parent", "reply_to"
        )
    )
    wanted = {reply.pk: _recipients(reply) for reply in replies}
    recipient_ids = {user_id for found in wanted.values() for user_id in found}
    if not recipient_ids:
        return []
    active = set(User.objects.filter(pk__in=recipient_ids, is_active=True).values_list("pk", flat=True))
    # A mute is of one voice (accounts.Mute.signed): the replier's signed or unsigned words.
    muted = set(
        Mute.objects.filter(reader_id__in=recipient_ids, muted_id__in={r.author_id for r in replies}).values_list(
            "reader_id", "muted_id", "signed"
        )
    )
    created: list[Notification] = []
    with transaction.atomic():
        for reply in replies:
            for user_id, kind in wanted[reply.pk].items():
                if user_id not in active or (user_id, reply.author_id, reply.signed) in muted:
                    continue
                notification, is_new = Notification.objects.get_or_create(
                    recipient_id=user_id, reply=reply, defaults={"kind": kind}
                )
                if is_new:
                    created.append(notification)
        refresh_bell(user_ids={n.recipient_id for n in created})
        at_once = _wanting_mail_at_once({n.recipient_id for n in created})
        for notification in created:
            if notification.recipient_id in at_once:
                transaction.on_commit(lambda pk=notification.pk: _queue_reply_mail(pk))
    return created


def _wanting_mail_at_once(user_ids: set[int]) -> set[int]:
    """Those of the readers who want each reply e-mailed at once and have a verified address (one
    query; the task checks again when it runs)."""
    if not user_ids:
        return set()
    immediate = Q(mail_preference__reply_mail=ReplyMail.IMMEDIATE)
    if settings.NOTIFICATIONS_DEFAULT_REPLY_MAIL == ReplyMail.IMMEDIATE:
        immediate |= Q(mail_preference__isnull=True) | Q(mail_preference__reply_mail="")
    return set(
        User.objects.filter(immediate, pk__in=user_ids, is_active=True, email_verified=True)
        .exclude(email="")
        .values_list("pk", flat=True)
    )


def _queue_reply_mail(notification_id: int) -> None:
    """Queue the reply's e-mail (the task decides whether the reader wants it at once). A
    broker that cannot be reached is logged: the notification stands, and the digest or the
    page still shows the reply."""
    try:
        send_reply_mail.delay(notification_id)
    except (KombuError, redis.RedisError, OSError) as error:
        logger.error("Reply mail for notification %s not queued, the broker failed: %s", notification_id, error)


def mark_read(*, user: User, notification_id: int) -> Notification | None:
    """Mark one of the reader's notifications read (again: no change); None when it is not theirs."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).select_related("reply").first()
    if notification is None:
        return None
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
        refresh_bell(user_ids={user.pk})
    return notification


def mark_all_read(*, user: User) -> int:
    """Mark every notification of the reader read; how many were unread."""
    with transaction.atomic():
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
        refresh_bell(user_ids={user.pk})
    return count


def set_reply_mail(*, user: User, reply_mail: str, language: str | None = None) -> MailPreference:
    """Set how the reader wants replies e-mailed (ReplyMail), and in which language. Mail sent
    from then on covers only replies from then on: turning the digest on mails nothing older."""
    if reply_mail not in ReplyMail.values:
        raise ValueError(f"unknown reply mail setting {reply_mail!r}")
    language = language if language in LANGUAGE_CODES else None
    with transaction.atomic():
        preference = MailPreference.objects.select_for_update().filter(user=user).first()
        if preference is None:
            # The default chosen again changes nothing: what was waiting for the digest still goes.
            since = None if reply_mail == settings.NOTIFICATIONS_DEFAULT_REPLY_MAIL else timezone.now()
            return MailPreference.objects.create(
                user=user, reply_mail=reply_mail, language=language or "", changed_at=since
            )
        fields = []
        if (preference.reply_mail or settings.NOTIFICATIONS_DEFAULT_REPLY_MAIL) != reply_mail:
            preference.reply_mail, preference.changed_at = reply_mail, timezone.now()
            fields += ["reply_mail", "changed_at"]
        elif preference.reply_mail != reply_mail:
            preference.reply_mail = reply_mail  # the default, now chosen: nothing waiting is dropped
            fields.append("reply_mail")
        if language and preference.language != language:
            preference.language = language
            fields.append("language")
        if fields:
            preference.save(update_fields=fields)
    return preference


def remember_language(*, user: User, language: str | None) -> None:
    """Note the language the reader reads the site in, for their e-mail: one statement. A reader
    who never chose keeps the site's default for mail (an empty ``reply_mail``)."""
    if language not in LANGUAGE_CODES:
        return
    MailPreference.objects.bulk_create(  # one INSERT … ON CONFLICT (user) DO UPDATE SET language
        [MailPreference(user=user, reply_mail="", language=language, changed_at=None)],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["language"],
    )


def unsubscribe(*, token: str) -> User | None:
    """The one-click unsubscribe (RFC 8058): turn the token's reader's reply mail off, without a
    sign-in. None for a token we did not sign."""
    user = selectors.reader_for_token(token)
    if user is not None:
        set_reply_mail(user=user, reply_mail=ReplyMail.OFF)
    return user
