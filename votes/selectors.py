"""Reads for votes."""

from collections.abc import Iterable, Sequence
from dataclasses import asdict

from django.db import connection

from accounts.models import User
from forum.models import Comment, CommentQuerySet

from .counting import BREAKDOWN, Counters, counters_from_votes
from .models import Vote


def choices_of(*, user: User, comment_ids: Iterable[int]) -> dict[int, str]:
    """The reader's current choice per comment, for the comments on one page (one query)."""
    if not user.is_authenticated:
        return {}
    return dict(
        Vote.objects.filter(user=user, comment_id__in=list(comment_ids), choice__isnull=False).values_list(
            "comment_id", "choice"
        )
    )


def current_choice(*, user: User, comment: Comment) -> str | None:
    return Vote.objects.filter(user=user, comment=comment).values_list("choice", flat=True).first()


def comments_to_vote_on() -> CommentQuerySet:
    """What a vote reads, in one query: the comment's author, status and last tally, and its
    article's state and address; nothing else (a vote is the most frequent request the forum
    answers, and its answer's counts come from the vote rows: see counted_now)."""
    return (
        Comment.objects.readable()
        .select_related("article")
        .only(
            "author_id",
            "status",
            "tallied_at",
            "article",
            "article__slug",
            "article__status",
            "article__published_at",
            "article__comments_open",
        )
    )


def _set_counters(comment: Comment, counters: Counters) -> None:
    for name, value in asdict(counters).items():
        setattr(comment, name, value)


def counted_now(*, comment: Comment) -> Comment:
    """The comment with its counters counted from its vote rows now, rather than as the last tally
    stored them: a vote's answer shows the counts with that vote in them. One GROUP BY on
    vote_tally_idx; the stored counters are not written (the tally does that)."""
    _set_counters(comment, counters_from_votes([comment.pk])[comment.pk])
    return comment


# The reader's votes on some comments; for each vote newer than its comment's last tally (the
# stored counters may not include it yet), every vote on that comment counted by choice and
# region. Rows: comment id, the reader's choice, whether the counts are fresh, choice, region, n.
# A vote exactly as old as the tally counts as newer: recounting costs little and is always right.
OWN_VOTES_SQL = """
SELECT mine.comment_id, mine.choice,
       CASE WHEN c.tallied_at IS NULL OR mine.updated_at >= c.tallied_at THEN 1 ELSE 0 END AS fresh,
       other.choice, other.region, COUNT(other.id)
FROM {vote} mine
JOIN {comment} c ON c.id = mine.comment_id
LEFT JOIN {vote} other ON other.comment_id = mine.comment_id AND other.choice IS NOT NULL
     AND (c.tallied_at IS NULL OR mine.updated_at >= c.tallied_at)
WHERE mine.user_id = %s AND mine.comment_id IN ({ids})
GROUP BY mine.comment_id, mine.choice, fresh, other.choice, other.region
"""


def overlay_own_votes(*, user: User, comments: Sequence[Comment]) -> dict[int, str]:
    """The reader's choice on each of these comments (one query for the whole page), and counts
    that never contradict it: on a comment whose last tally is older than the reader's vote, the
    counters are set on the instance from its vote rows (same query), so a page loaded right
    after a vote, before the tally has run, shows that vote in the counts.

    Returns {comment id: choice} for the comments the reader agrees or disagrees with.
    """
    if not user.is_authenticated or not comments:
        return {}
    by_id = {comment.pk: comment for comment in comments}
    sql = OWN_VOTES_SQL.format(
        vote=Vote._meta.db_table, comment=Comment._meta.db_table, ids=", ".join(["%s"] * len(by_id))
    )
    choices: dict[int, str] = {}
    breakdowns: dict[int, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, *by_id])
        for comment_id, mine, fresh, choice, region, n in cursor.fetchall():
            if mine:
                choices[comment_id] = mine
            if fresh:
                counts = breakdowns.setdefault(comment_id, dict.fromkeys(BREAKDOWN, 0))
                if choice:
                    counts[f"{choice}_{region}"] = n
    for comment_id, counts in breakdowns.items():
        _set_counters(by_id[comment_id], Counters.from_breakdown(**counts))
    return choices
