"""Discussions that close: the whole discussion or one section, by a moderator in the admin, and
by time (close_old_discussions). Each change is audited in its transaction, saying what closed
(the whole discussion, or which section) and why (a moderator by hand, from which admin path, or
the timed closing)."""

from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from forum import services as forum
from forum.models import Article

from . import audit
from .models import AuditEntry


@transaction.atomic
def set_comments_open(*, moderator: User, articles: models.QuerySet[Article], is_open: bool, via: str) -> list[Article]:
    """Open or close the whole discussion of these articles; ``via`` is the admin path, an
    AuditEntry.ReasonCode. Returns the articles that changed; only those are audited."""
    changed = forum.set_comments_open(articles=articles, is_open=is_open)
    audit.record(
        actor=moderator,
        action=AuditEntry.Action.OPEN if is_open else AuditEntry.Action.CLOSE,
        targets=changed,
        reason_code=via,
    )
    return changed


@transaction.atomic
def set_section_open(
    *, moderator: User, articles: models.QuerySet[Article], section: str, is_open: bool, via: str
) -> list[Article]:
    """Open or close one section of these articles' discussions (see set_comments_open)."""
    changed = forum.set_section_open(articles=articles, section=section, is_open=is_open)
    audit.record(
        actor=moderator,
        action=AuditEntry.Action.OPEN_SECTION if is_open else AuditEntry.Action.CLOSE_SECTION,
        targets=changed,
        reason_code=via,
        details={"section": section},
    )
    return changed


@transaction.atomic
def close_old_discussions() -> int:
    """Close the comments of articles published more than FORUM_COMMENTS_CLOSE_AFTER_DAYS days
    ago, once each; audited with no actor (the site acted). Idempotent. Returns how many closed."""
    days = settings.FORUM_COMMENTS_CLOSE_AFTER_DAYS
    if days <= 0:
        return 0
    closed = forum.close_discussions_published_before(cutoff=timezone.now() - timedelta(days=days))
    if closed:
        audit.record(
            actor=None,
            action=AuditEntry.Action.CLOSE,
            targets=closed,
            reason_code=AuditEntry.ReasonCode.TIMED,
            reason_params={"days": days},
            details={"timed": True},
        )
    return len(closed)
