"""Editors' picks (編集部ピックアップ): a moderator picks a comment or reply, with an optional short
note, and it shows at the top of its section. moderation decides and audits; forum.services
set_pick / unset_pick write the pick and mark the pages changed."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from forum import services as forum
from forum.models import Comment, CommentQuerySet

from . import audit
from .models import AuditEntry

Action = AuditEntry.Action

PICK_PERMISSION = "forum.pick_comment"


def ensure_may_pick(*, moderator: User) -> None:
    """Raise PermissionDenied unless the moderator may pick (the Moderators group may)."""
    if not moderator.has_perm(PICK_PERMISSION):
        raise PermissionDenied(_("You may not pick editors' picks."))


def _locked(comments: CommentQuerySet) -> list[Comment]:
    ids = list(comments.values_list("pk", flat=True))
    return list(Comment.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


@transaction.atomic
def pick_comments(*, moderator: User, comments: CommentQuerySet, note: str = "", via: str) -> int:
    """Pick ``comments`` with ``note``. A comment already picked keeps its pick and takes the new
    note. Each change is audited (``via``: an AuditEntry.ReasonCode). Returns how many changed.
    Raises PermissionDenied, or ValidationError for a note too long or a comment readers cannot
    see (hidden, held, pending or deleted: a pick shows to every reader)."""
    ensure_may_pick(moderator=moderator)
    note = forum.clean_pick_note(note)
    rows = _locked(comments)
    if any(comment.status != Comment.Status.VISIBLE or comment.is_placeholder for comment in rows):
        raise ValidationError(_("Only a comment readers can see can be an editors' pick."), code="not_visible")
    new = [comment for comment in rows if comment.picked_at is None]
    renoted = [comment for comment in rows if comment.picked_at is not None and comment.pick_note != note]
    forum.set_pick(comments=new + renoted, picked_by=moderator, note=note)
    if new:
        audit.record(actor=moderator, action=Action.PICK, targets=new, reason_code=via, details={"note": note})
    for comment in renoted:
        audit.record(
            actor=moderator,
            action=Action.PICK_NOTE,
            targets=[comment],
            reason_code=via,
            details={"before": comment.pick_note, "note": note},
        )
    return len(new) + len(renoted)


@transaction.atomic
def unpick_comments(*, moderator: User, comments: CommentQuerySet, via: str) -> int:
    """Remove the comments from the editors' picks (those picked); each is audited with the note
    it had. Returns how many changed. Raises PermissionDenied."""
    ensure_may_pick(moderator=moderator)
    picked = [comment for comment in _locked(comments) if comment.picked_at is not None]
    forum.unset_pick(comments=picked)
    for comment in picked:
        audit.record(
            actor=moderator,
            action=Action.UNPICK,
            targets=[comment],
            reason_code=via,
            details={"note": comment.pick_note},
        )
    return len(picked)
