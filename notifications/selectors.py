"""Reads of the notifications app: a reader's notifications and unread count, their e-mail
preference, who a reply is from as a notification may say it, and the unsubscribe token."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.cache import caches
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from forum.models import Article, Comment
from forum.selectors import shown_author

from .models import MailPreference, Notification, ReplyMail

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def _shown() -> Q:
    """Notifications of replies anyone may read now: a reply held, hidden or pending after it
    notified (or an article taken down) drops out of the list and the count until it is back."""
    return Q(
        reply__status=Comment.Status.VISIBLE,
        reply__article__status=Article.Status.PUBLISHED,
        reply__article__published_at__lte=timezone.now(),
    )


def notifications_of(*, user: User) -> QuerySet[Notification]:
    """The reader's notifications, newest first, with what a list shows of each (one query)."""
    return (
        Notification.objects.filter(_shown(), recipient=user)
        .select_related("reply", "reply__author__badge", "reply__article")
        .order_by("-created_at", "-id")
    )


def count_unread(*, user_id: int) -> int:
    """The reader's unread notifications, from the database: one query on the partial index of
    unread rows (``notification_unread_idx``), joined to the replies by their keys."""
    return Notification.objects.filter(_shown(), recipient_id=user_id, read_at__isnull=True).count()


def bell_cache():
    return caches["notifications"]


def bell_key(user_id: int) -> str:
    return f"unread:{user_id}"


def unread_count(*, user: User) -> int:
    """The header's bell: one cache read (every change rewrites the entry, see
    services.count_bell, also run when the reader signs in); on a miss, one query, kept for the
    next page."""
    count = bell_cache().get(bell_key(user.pk))
    if count is None:
        count = count_unread(user_id=user.pk)
        bell_cache().set(bell_key(user.pk), count, timeout=settings.NOTIFICATIONS_BELL_CACHE_SECONDS)
    return count


@dataclass(frozen=True)
class Preference:
    reply_mail: str
    language: str  # "" when not known
    changed_at: object  # datetime or None: mail covers replies from then


def mail_preference(*, user_id: int) -> Preference:
    """The reader's e-mail preference, or the site's default when they never chose one."""
    row = MailPreference.objects.filter(user_id=user_id).first()
    if row is None:
        return Preference(settings.NOTIFICATIONS_DEFAULT_REPLY_MAIL, "", None)
    return Preference(row.reply_mail or settings.NOTIFICATIONS_DEFAULT_REPLY_MAIL, row.language, row.changed_at)


def may_mail(user: User) -> bool:
    """Only a verified address of an active reader gets mail (accounts keeps
    ``email_verified`` in step with the verified address)."""
    return bool(user.is_active and user.email and user.email_verified)


def replier_name(reply: Comment) -> str:
    """Who a notification says the reply is from, in the active language. It asks
    forum.selectors.shown_author as a stranger would: a signed reply is named with its author's
    public name; an unsigned one (a reader in Japan) never, to anyone, in any notice or e-mail."""
    author = shown_author(comment=reply, viewer=AnonymousUser())
    if author is None:
        return _("A reader in Japan")
    if author.country:
        return _("%(name)s (%(country)s)") % {"name": author.public_name, "country": author.country.name}
    return author.public_name


def unsubscribe_token(*, user_id: int) -> str:
    """The signed token of the reader's one-click unsubscribe link. It does not expire: an
    unsubscribe link must work for as long as the mail is kept."""
    return signing.dumps(user_id, salt=UNSUBSCRIBE_SALT, compress=True)


def reader_for_token(token: str) -> User | None:
    """The active reader a token names; None for a token we did not sign, or a reader gone."""
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if type(user_id) is not int:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def effective_mail(preference: Preference) -> str:
    return preference.reply_mail if preference.reply_mail in ReplyMail.values else ReplyMail.OFF
