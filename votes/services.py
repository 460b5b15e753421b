"""Writes for votes: cast, switch, take back. Counters catch up asynchronously (votes.tasks).

No counter is incremented here: a vote writes its own row, and the counter backend
(votes.counters, chosen in settings) sees that its comment is tallied from the rows.
"""

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import Refusal
from forum.models import Comment
from forum.services import DISCUSSION_CLOSED, OWN_COMMENT, SECTION_CLOSED, participation_refusal

from . import tasks
from .counters import VoteWrite, counter_backend
from .models import Vote


class VoteNotAllowed(PermissionDenied):
    """The reader may not vote on this comment; the message says why."""


NOT_OPEN_FOR_VOTES = "not_open_for_votes"


def vote_refusal(*, user, comment: Comment) -> str | None:
    """Why this reader may not vote on the comment; None when they may. The one rule: the services
    raise it, and the article page (forum/page_cache.py) disables the buttons by it. No query."""
    if user.is_authenticated and user.pk is not None and comment.author_id == user.pk:
        return Refusal(_("You cannot vote on your own comment."), OWN_COMMENT)
    if refusal := participation_refusal(user=user):
        return refusal
    if comment.status != Comment.Status.VISIBLE or comment.is_placeholder:
        return Refusal(_("This comment is not open for votes."), NOT_OPEN_FOR_VOTES)
    if not comment.article.discussion_open:
        return Refusal(_("The discussion on this article is closed."), DISCUSSION_CLOSED)
    if not comment.article.section_open(comment.section):
        return Refusal(_("This section of the discussion is closed."), SECTION_CLOSED)
    return None


def ensure_can_vote(*, user: User, comment: Comment) -> None:
    if refusal := vote_refusal(user=user, comment=comment):
        raise VoteNotAllowed(refusal)


# One statement writes the vote, whether it is new, switched or taken back: INSERT ... ON CONFLICT
# DO UPDATE, in autocommit (a single statement needs no BEGIN and COMMIT round trips of its own).
# Concurrent identical requests from one reader end in one row without an IntegrityError to retry,
# and no lock is taken on the comment row. ``{choice}`` is what the row's choice becomes when it
# exists already; RETURNING gives the choice stored. SQLite (3.35+) runs the same statement.
UPSERT_SQL = """
INSERT INTO {table} (user_id, comment_id, choice, region, created_at, updated_at)
VALUES (%s, %s, %s, %s, %s, %s)
ON CONFLICT (user_id, comment_id) DO UPDATE
SET choice = {choice}, region = excluded.region, updated_at = excluded.updated_at
RETURNING choice
"""
CAST_SQL = UPSERT_SQL.format(table=Vote._meta.db_table, choice="excluded.choice")
# The page's buttons: the same button again takes the vote back, the other one switches it.
TOGGLE_SQL = UPSERT_SQL.format(
    table=Vote._meta.db_table,
    choice=f"CASE WHEN {Vote._meta.db_table}.choice = excluded.choice THEN NULL ELSE excluded.choice END",
)


def _upsert(sql: str, *, user: User, comment: Comment, choice: str) -> VoteWrite:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, comment.pk, choice, user.region, now, now])
        return VoteWrite(stored=cursor.fetchone()[0])


def cast_vote(*, user: User, comment: Comment, choice: str) -> Vote:
    """Record the reader's vote (new, or switched). Idempotent; counters catch up asynchronously."""
    if choice not in Vote.Choice.values:
        raise ValueError(f"unknown choice {choice!r}")
    ensure_can_vote(user=user, comment=comment)
    written = counter_backend().record(
        user=user, comment=comment, write=lambda: _upsert(CAST_SQL, user=user, comment=comment, choice=choice)
    )
    return Vote(user=user, comment=comment, choice=written.stored, region=user.region)


def retract_vote(*, user: User, comment: Comment) -> None:
    """Take the reader's vote back. Taking back a vote that is not there changes nothing."""
    ensure_can_vote(user=user, comment=comment)

    def write() -> VoteWrite:
        # One UPDATE, like the upsert.
        changed = Vote.objects.filter(user=user, comment=comment, choice__isnull=False).update(
            choice=None, updated_at=timezone.now()
        )
        return VoteWrite(stored=None, changed=bool(changed))

    counter_backend().record(user=user, comment=comment, write=write)


def toggle_vote(*, user: User, comment: Comment, choice: str) -> str | None:
    """The page's buttons: the other button switches the vote, the same one takes it back.
    Returns the reader's choice now (None: taken back)."""
    if choice not in Vote.Choice.values:
        raise ValueError(f"unknown choice {choice!r}")
    ensure_can_vote(user=user, comment=comment)
    written = counter_backend().record(
        user=user, comment=comment, write=lambda: _upsert(TOGGLE_SQL, user=user, comment=comment, choice=choice)
    )
    return written.stored


def void_votes_of(*, user: User, voided_by: User | None) -> list[int]:
    """Void every vote the reader cast that is not void yet (a spammer's, say): the rows stay,
    marked, and the tally leaves them out. Returns the ids of the comments whose votes changed.

    The void also sets updated_at (rather than leaving it for the DeletedVote trigger, which only
    fires on changes to choice or region): the reconciliation then finds these rows by their
    timestamp like any other change, so the counters converge even if the tally task is lost.
    Voiding again changes nothing; voting again later leaves the void in place (cast_vote's
    upsert never writes voided_at), so a voided vote stays void whatever the reader does with it.
    """
    now = timezone.now()
    with transaction.atomic():
        votes = Vote.objects.filter(user=user, voided_at__isnull=True)
        comment_ids = sorted(set(votes.values_list("comment_id", flat=True)))
        votes.filter(comment_id__in=comment_ids).update(voided_at=now, voided_by=voided_by, updated_at=now)
        if comment_ids:
            transaction.on_commit(lambda: tasks.tally_many_soon(comment_ids))
    return comment_ids
