"""Reads for votes."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from django.db import connection
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import User
from forum.models import COUNTER_FIELDS, Article, Comment

from .counting import Counters, counters_counted_now, counters_from_votes
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


# What a vote reads, in one statement: the comment's author, status and last tally, and its
# article's state and address; nothing else. Plain SQL, because compiling the ORM's query cost a
# vote more CPU than running it (measured in process: ~1.8 ms of CPU through the ORM against ~0.4 ms
# here, and a vote is the most frequent request the forum answers). The WHERE clause must stay
# Comment.objects.readable(): tests/votes/test_counting_rule.py runs both on the same comments
# (hidden, held, under a draft, under an article published in the future) and compares.
_COMMENT_TO_VOTE_ON = """
SELECT c.id, c.article_id, c.author_id, c.section, c.status, c.tallied_at, c.deleted_at,
       a.slug AS article_slug, a.status AS article_status, a.comments_open AS article_comments_open,
       a.japan_open AS article_japan_open, a.world_open AS article_world_open
FROM {comment} c JOIN {article} a ON a.id = c.article_id
WHERE c.id = %s AND c.status = %s AND a.status = %s AND a.published_at <= %s
  AND (c.parent_id IS NULL OR (SELECT p.status FROM {comment} p WHERE p.id = c.parent_id) = %s)
"""
COMMENT_TO_VOTE_ON_SQL = _COMMENT_TO_VOTE_ON.format(comment=Comment._meta.db_table, article=Article._meta.db_table)


_COMMENT_FIELDS = ("id", "article_id", "author_id", "section", "status", "tallied_at", "deleted_at")


def _aware(value: datetime | str | None) -> datetime | None:
    """A datetime as the ORM gives it: SQLite hands back a naive one (or text), in UTC as Django
    stores it; PostgreSQL an aware one."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def comment_to_vote_on(comment_id: int) -> Comment:
    """The comment a vote is for, with its article's state (one query), or Http404 if it is not
    readable. Only the fields a vote needs are loaded; the others are deferred. The instances are
    built from the row directly: ``Manager.raw()`` spent more CPU mapping its columns than the
    statement took (bench/vote_cost.py --profile)."""
    params = [
        comment_id,
        Comment.Status.VISIBLE,
        Article.Status.PUBLISHED,
        connection.ops.adapt_datetimefield_value(timezone.now()),
        Comment.Status.VISIBLE,  # a reply's thread: its parent is visible
    ]
    with connection.cursor() as cursor:
        cursor.execute(COMMENT_TO_VOTE_ON_SQL, params)
        row = cursor.fetchone()
    if row is None:
        raise Http404("No comment matches the given query.")
    pk, article_id, author_id, section, status, tallied_at, deleted_at, slug, article_status, comments_open, *opens = (
        row
    )
    comment = Comment.from_db(
        connection.alias,
        _COMMENT_FIELDS,
        (pk, article_id, author_id, section, status, _aware(tallied_at), _aware(deleted_at)),
    )
    japan, world = opens
    article = Article.from_db(
        connection.alias,
        ("id", "slug", "status", "comments_open", "japan_open", "world_open"),
        (article_id, slug, article_status, bool(comments_open), bool(japan), bool(world)),
    )
    comment.article = article
    return comment


def _set_counters(comment: Comment, counters: Counters) -> None:
    # Field by field: dataclasses.asdict deep-copies, a vote's answer paid for it.
    for name in COUNTER_FIELDS:
        setattr(comment, name, getattr(counters, name))


def counted_now(*, comment: Comment) -> Comment:
    """The comment with its counters counted from its vote rows now, rather than as the last tally
    stored them: a vote's answer shows the counts with that vote in them. The tally's own
    breakdown (votes.counting.counters_counted_now); the stored counters are not written."""
    _set_counters(comment, counters_counted_now(comment.pk))
    return comment


def overlay_own_votes(*, user: User, comments: Sequence[Comment]) -> dict[int, str]:
    """The reader's choice on each of these comments (one query), and counts that never contradict
    it: on a comment whose last tally is older than the reader's vote, the counters are set on the
    instance from its vote rows (the tally's breakdown, one more query, only then), so a poll right
    after a vote, before the tally has run, shows that vote in the counts. A vote exactly as old as
    the tally counts as newer: recounting costs little and is always right.

    Returns {comment id: choice} for the comments the reader agrees or disagrees with.
    """
    if not user.is_authenticated or not comments:
        return {}
    by_id = {comment.pk: comment for comment in comments}
    choices: dict[int, str] = {}
    behind: list[int] = []
    for comment_id, choice, voted_at in Vote.objects.filter(user=user, comment_id__in=list(by_id)).values_list(
        "comment_id", "choice", "updated_at"
    ):
        if choice:
            choices[comment_id] = choice
        tallied_at = by_id[comment_id].tallied_at
        if tallied_at is None or voted_at >= tallied_at:
            behind.append(comment_id)
    if behind:
        for comment_id, counters in counters_from_votes(behind).items():
            _set_counters(by_id[comment_id], counters)
    return choices


def votes_of(*, user: User):
    """The reader's standing votes, newest first, with each comment's article (one query a page):
    what "My votes" lists. Votes taken back keep their row without a choice and are left out, as
    are votes on comments no longer readable."""
    readable = Comment.objects.readable()
    return (
        Vote.objects.filter(user=user, choice__isnull=False, comment__in=readable)
        .select_related("comment__article")
        .only(
            "choice",
            "updated_at",
            "comment__body",
            "comment__language",
            "comment__section",
            "comment__article__title",
            "comment__article__slug",
        )
        .order_by("-updated_at", "-pk")
    )
