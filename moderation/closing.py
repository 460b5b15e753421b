"""Discussions that close: by section, by a moderator (forum.services.set_section_open, heard
here through forum.signals.sections_changed), and by time (close_old_discussions)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.models import Article, Section
from forum.services import close_discussions_published_before
from forum.signals import sections_changed

from . import audit
from .models import AuditEntry


@receiver(sections_changed, sender=Article, dispatch_uid="moderation.sections_changed")
def record_sections_changed(sender, *, articles: list[Article], section: str, is_open: bool, actor, **kwargs) -> None:
    audit.record(
        actor=actor,
        action=AuditEntry.Action.OPEN if is_open else AuditEntry.Action.CLOSE,
        targets=articles,
        details={"section": section, "section_name": str(Section(section).label)},
    )


@transaction.atomic
def close_old_discussions() -> int:
    """Close the comments of articles published more than FORUM_COMMENTS_CLOSE_AFTER_DAYS days
    ago, once each; audited with no actor (the site acted). Idempotent. Returns how many closed."""
    days = settings.FORUM_COMMENTS_CLOSE_AFTER_DAYS
    if days <= 0:
        return 0
    closed = close_discussions_published_before(cutoff=timezone.now() - timedelta(days=days))
    if closed:
        audit.record(
            actor=None,
            action=AuditEntry.Action.CLOSE,
            targets=closed,
            reason=_("Closed by itself %(days)d days after publication.") % {"days": days},
            details={"timed": True, "days": days},
        )
    return len(closed)
