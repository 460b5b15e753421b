"""Voiding a reader's votes, as a moderator does it: the votes app marks the rows and has the
counters re-tallied; this adds the moderator's checks and the audit record."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from forum import caching
from forum.models import Comment
from votes.services import void_votes_of

from . import audit
from .models import AuditEntry


@transaction.atomic
def void_votes(*, moderator: User, reader: User, reason: str) -> int:
    """Void every vote the reader cast; audited as VOID_VOTES. Returns how many comments had
    votes voided. Raises ValidationError without a reason, PermissionDenied for staff."""
    if reader.is_staff or reader.is_superuser:
        raise PermissionDenied(_("Staff accounts cannot be sanctioned."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason."), code="reason_required")
    comment_ids = void_votes_of(user=reader, voided_by=moderator)
    audit.record(
        actor=moderator,
        action=AuditEntry.Action.VOID_VOTES,
        targets=[reader],
        reason=reason,
        details={"comments": len(comment_ids)},
    )
    # The tally bumps the articles whose counters move; this covers a tally that finds nothing
    # to change, so cached pages are re-rendered either way.
    caching.bump_article_versions(
        Comment.objects.filter(pk__in=comment_ids).values_list("article_id", flat=True).distinct().order_by()
    )
    return len(comment_ids)
