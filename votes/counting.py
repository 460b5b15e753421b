"""Counting: each comment's counters are derived from its vote rows, never incremented in place.

Tallying one comment or many, reconciling from the database alone, and recounting everything are
all the same idempotent step: count the rows, compare with what is stored, write what differs.
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, make_dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from forum import caching
from forum.models import COUNTER_FIELDS, SCORE_FIELDS, Comment

from . import scoring
from .models import DeletedVote, ReconciliationWatermark, Region, Vote, VoteQuerySet, counted_through
from .unusual_voting import flag_unusual_voting

logger = logging.getLogger(__name__)


def _from_breakdown(cls, *, agree_japan: int, agree_world: int, disagree_japan: int, disagree_world: int):
    """All the counters and scores from the four counts everything else derives from."""
    agree, disagree = agree_japan + agree_world, disagree_japan + disagree_world
    return cls(
        agree_count=agree,
        disagree_count=disagree,
        agree_japan_count=agree_japan,
        agree_world_count=agree_world,
        disagree_japan_count=disagree_japan,
        disagree_world_count=disagree_world,
        best_score=scoring.wilson_lower_bound(agree, agree + disagree),
        controversy_score=scoring.controversy(agree, disagree),
        common_ground_score=scoring.common_ground(
            agree_japan=agree_japan,
            disagree_japan=disagree_japan,
            agree_world=agree_world,
            disagree_world=disagree_world,
        ),
    )


def _stored_on(cls, comment: Comment):
    return cls(**{name: getattr(comment, name) for name in COUNTER_FIELDS})


# One value per Comment counter field (forum.models.COUNTER_FIELDS owns the list), comparable as a whole.
Counters = make_dataclass(
    "Counters",
    [(name, float if name in SCORE_FIELDS else int, field(default=0)) for name in COUNTER_FIELDS],
    frozen=True,
    namespace={"from_breakdown": classmethod(_from_breakdown), "stored_on": classmethod(_stored_on)},
)

# The four counts everything else is derived from: "agree_japan" -> ("agree", "japan"), ...
BREAKDOWN = {f"{choice}_{region}": (choice, region) for choice in Vote.Choice.values for region in Region.values}
# Comments per statement and per transaction when tallying many: bounds the IN lists, the rows
# aggregated and how long a batch holds its row locks.
BATCH_SIZE = 500


def breakdown_rows(votes: VoteQuerySet) -> QuerySet:
    """(comment id, choice, region, count) of the votes that count among ``votes``: one GROUP BY,
    served by vote_tally_idx. The only query that counts votes; everything below reads it."""
    return votes.counted().values_list("comment_id", "choice", "region").annotate(n=Count("pk")).order_by()


def breakdowns_from_rows(rows: Iterable[tuple[int, str, str, int]]) -> dict[int, dict[str, int]]:
    """{comment id: {"agree_japan": n, ...}} from breakdown_rows' rows (comments without votes are absent)."""
    counts: dict[int, dict[str, int]] = {}
    for comment_id, choice, region, n in rows:
        counts.setdefault(comment_id, dict.fromkeys(BREAKDOWN, 0))[f"{choice}_{region}"] = n
    return counts


def breakdowns(votes: VoteQuerySet) -> dict[int, dict[str, int]]:
    """The breakdown by choice and region of each comment that has counted votes among ``votes``."""
    return breakdowns_from_rows(breakdown_rows(votes))


def counters_from_votes(comment_ids: Iterable[int]) -> dict[int, Counters]:
    """Count each comment's votes by choice and region (breakdown_rows) and derive its counters."""
    comment_ids = list(comment_ids)
    counts = breakdowns(Vote.objects.filter(comment_id__in=comment_ids))
    nothing = dict.fromkeys(BREAKDOWN, 0)
    return {pk: Counters.from_breakdown(**counts.get(pk, nothing)) for pk in comment_ids}


@cache
def _one_comment_sql(vendor: str) -> str:
    """breakdown_rows for one comment, compiled by the ORM once per process: the statement is the
    ORM's own, so it cannot drift from the rule, and a vote's answer does not pay to compile it
    (compiling cost ~4x the CPU of running it, bench figures in the README)."""
    sql, params = breakdown_rows(Vote.objects.filter(comment_id=0)).query.sql_with_params()
    if list(params) != [0]:
        raise RuntimeError(f"breakdown_rows compiled with parameters {params!r}; expected the comment id alone")
    return sql


def counters_counted_now(comment_id: int) -> Counters:
    """One comment's counters counted from its votes now (a vote's answer): counters_from_votes
    through the statement compiled once."""
    with connection.cursor() as cursor:
        cursor.execute(_one_comment_sql(connection.vendor), [comment_id])
        counts = breakdowns_from_rows(cursor.fetchall())
    return Counters.from_breakdown(**counts.get(comment_id, dict.fromkeys(BREAKDOWN, 0)))


def tally_comment(*, comment_id: int) -> bool:
    """Rebuild one comment's counters from its vote rows. Safe to run any number of times.

    Returns whether the stored counters were wrong; right ones are not written again, so
    ``tallied_at`` is when the counters last changed.
    """
    return tally_comments(comment_ids=[comment_id]) == 1


def tally_comments(*, comment_ids: Iterable[int]) -> int:
    """Rebuild many comments' counters, a batch per transaction; returns how many changed.

    Each batch locks its comment rows first and counts the votes after (a fresh snapshot under
    READ COMMITTED), so two tallies of one comment run one after the other and the later one
    always sees at least what the earlier one saw: a slow tally never overwrites a newer count.
    The lock is FOR NO KEY UPDATE, which a vote's foreign-key check (FOR KEY SHARE) does not
    wait for. Rows another tally holds are skipped, not waited on (two batches waiting on each
    other would deadlock), and tallied one at a time after the batch commits.
    """
    changed = 0
    for batch in _batches(comment_ids):
        batch_changed, skipped = _tally_batch(batch, skip_locked=len(batch) > 1)
        changed += batch_changed
        for comment_id in skipped:
            changed += _tally_batch([comment_id], skip_locked=False)[0]
        if batch_changed or skipped:
            flag_unusual_voting(comment_ids=batch)
    return changed


def _tally_batch(comment_ids: list[int], *, skip_locked: bool) -> tuple[int, list[int]]:
    """Returns how many counters changed, and the ids skipped because another tally held them."""
    with transaction.atomic():
        locked = (
            Comment.objects.select_for_update(no_key=True, skip_locked=skip_locked)
            .filter(pk__in=comment_ids)
            .order_by("pk")
            .only("article_id", *COUNTER_FIELDS)
        )
        stored, article_of = {}, {}
        for comment in locked:
            stored[comment.pk] = Counters.stored_on(comment)
            article_of[comment.pk] = comment.article_id
        started = timezone.now()
        fresh = counters_from_votes(stored.keys())
        wrong = [
            Comment(pk=pk, **asdict(counters), tallied_at=started)
            for pk, counters in fresh.items()
            if counters != stored[pk]
        ]
        Comment.objects.bulk_update(wrong, [*COUNTER_FIELDS, "tallied_at"])
        caching.bump_article_versions(article_of[comment.pk] for comment in wrong)
    gone_or_held = [pk for pk in comment_ids if pk not in stored]
    skipped = gone_or_held if skip_locked else []  # deleted comments come back too; they tally to nothing
    return len(wrong), skipped


def stale_comment_ids(comment_ids: Iterable[int]) -> list[int]:
    """Of these comments, those whose stored counters differ from their vote rows, found without
    taking a lock.

    One statement reads the counters and counts the votes, so both come from one snapshot:
    a comment found right here was right when that snapshot was taken, and a vote committed
    later marks its comment dirty again (and is newer than the reconciliation's watermark).
    """
    votes_by_key = {
        f"votes_{key}": Count("votes", filter=counted_through("votes") & Q(votes__choice=choice, votes__region=region))
        for key, (choice, region) in BREAKDOWN.items()
    }
    rows = Comment.objects.filter(pk__in=comment_ids).annotate(**votes_by_key)
    return [
        row["pk"]
        for row in rows.values("pk", *COUNTER_FIELDS, *votes_by_key).order_by("pk")
        if Counters.from_breakdown(**{key: row[f"votes_{key}"] for key in BREAKDOWN})
        != Counters(**{name: row[name] for name in COUNTER_FIELDS})
    ]


def repair_counters(*, comment_ids: Iterable[int]) -> int:
    """Like tally_comments, for sweeps over many comments that are mostly right: a batch is
    first checked without locks, and only its wrong comments are re-tallied. Returns how many
    counters changed."""
    return sum(tally_comments(comment_ids=stale_comment_ids(batch)) for batch in _batches(comment_ids))


def _batches(comment_ids: Iterable[int]) -> Iterator[list[int]]:
    """The ids once each, in id order (the order every tally locks rows in), BATCH_SIZE at a time."""
    ordered = sorted(set(comment_ids))
    for start in range(0, len(ordered), BATCH_SIZE):
        yield ordered[start : start + BATCH_SIZE]


EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def reconcile_vote_counters() -> int:
    """Re-tally every comment whose votes changed since the last reconciliation, and every
    comment that lost vote rows, from the database alone: nothing in Redis or the broker is
    needed, so counters converge after a lost task, a killed worker, a Redis that lost its memory
    or a delete nobody told the application about. Returns how many counters changed."""
    started = timezone.now()
    watermark = ReconciliationWatermark.objects.filter(pk=1).values_list("reconciled_until", flat=True).first()
    since = (watermark or EPOCH) - timedelta(seconds=settings.RECONCILE_GRACE_SECONDS)
    comment_ids = Vote.objects.filter(updated_at__gt=since).values_list("comment_id", flat=True).distinct().order_by()
    changed = repair_counters(comment_ids=list(comment_ids))
    changed += count_out_deleted_votes()
    if changed:
        logger.warning("Reconciliation corrected the counters of %d comments.", changed)
    # Advance only after every comment was tallied: a run that dies midway is simply repeated.
    ReconciliationWatermark.objects.update_or_create(pk=1, defaults={"reconciled_until": started})
    return changed


# Deletion records read per statement: a bulk delete of a million votes records one row per
# comment per statement, so this bounds memory, not the work done in one run.
DELETED_VOTES_CHUNK = 10 * BATCH_SIZE


def count_out_deleted_votes() -> int:
    """Re-tally the comments the database recorded as having lost vote rows (see DeletedVote),
    then forget those records. Returns how many counters changed.

    A record is only visible once the delete that wrote it has committed, so the tally that
    follows no longer sees the deleted rows. Only the records read are deleted (by id, not "up
    to the highest id": a delete still open may commit a lower id later), and only after the
    tally, so a run that dies midway leaves them for the next run.
    """
    changed = 0
    while records := list(DeletedVote.objects.order_by("pk").values_list("pk", "comment_id")[:DELETED_VOTES_CHUNK]):
        changed += repair_counters(comment_ids={comment_id for _pk, comment_id in records})
        DeletedVote.objects.filter(pk__in=[pk for pk, _comment_id in records]).delete()
        if len(records) < DELETED_VOTES_CHUNK:
            break
    return changed


@dataclass(frozen=True)
class RecountSummary:
    checked: int
    wrong: int


# Comments per step of a recount: one ranged GROUP BY over their votes (vote_tally_idx), and, for
# the wrong ones, one locked re-count and one UPDATE. A step holds its locks for well under a second.
RECOUNT_BATCH_SIZE = 5000


def recount_all_votes(*, progress: Callable[[int], None] | None = None) -> RecountSummary:
    """Rebuild every comment's counters (for operators); report how many were wrong.

    Set-based, a few statements per RECOUNT_BATCH_SIZE comments whatever their votes: a million
    votes over 100,000 comments take seconds, where tallying them 500 at a time through the ORM
    took minutes. Each step first compares without locks (like repair_counters), then re-counts
    only the wrong comments under their row locks, as a tally does, so a vote or a tally running
    at the same time is never overwritten by an older count.
    """
    wrong = checked = 0
    last_id = 0
    while ids := list(
        Comment.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:RECOUNT_BATCH_SIZE]
    ):
        wrong += _recount_range(ids[0], ids[-1])
        checked += len(ids)
        last_id = ids[-1]
        if progress:
            progress(len(ids))
    return RecountSummary(checked=checked, wrong=wrong)


def _breakdowns(first_id: int, last_id: int, only: list[int] | None = None) -> dict[int, dict[str, int]]:
    """The breakdowns of the comments with an id in [first_id, last_id] (or in ``only``): one
    GROUP BY that reads vote_tally_idx as a range."""
    votes = Vote.objects.filter(comment_id__gte=first_id, comment_id__lte=last_id)
    if only is not None:
        votes = votes.filter(comment_id__in=only)
    return breakdowns(votes)


def _wrong_counters(stored_rows, counts: dict[int, dict[str, int]]) -> dict[int, Counters]:
    """Of (id, *COUNTER_FIELDS) rows, the comments whose stored counters differ, with the right ones."""
    nothing = Counters()
    wrong = {}
    for pk, *stored in stored_rows:
        breakdown = counts.get(pk)
        fresh = Counters.from_breakdown(**breakdown) if breakdown else nothing
        if fresh != Counters(*stored):
            wrong[pk] = fresh
    return wrong


def _recount_range(first_id: int, last_id: int) -> int:
    in_range = Comment.objects.filter(pk__gte=first_id, pk__lte=last_id).order_by("pk")
    suspects = _wrong_counters(in_range.values_list("pk", *COUNTER_FIELDS), _breakdowns(first_id, last_id))
    if not suspects:
        return 0
    with transaction.atomic():
        locked = list(
            in_range.filter(pk__in=list(suspects))
            .select_for_update(no_key=True)
            .values_list("pk", "article_id", *COUNTER_FIELDS)
        )
        counts = _breakdowns(first_id, last_id, only=list(suspects))  # after the locks: a fresh snapshot
        wrong = _wrong_counters([(pk, *stored) for pk, _article, *stored in locked], counts)
        _write_counters(wrong, tallied_at=timezone.now())
        article_of = {pk: article_id for pk, article_id, *_stored in locked}
        caching.bump_article_versions({article_of[pk] for pk in wrong})
    return len(wrong)


def _write_counters(counters: dict[int, Counters], *, tallied_at: datetime) -> None:
    """On PostgreSQL one UPDATE ... FROM unnest(arrays) for all of them: bulk_update's CASE per
    field costs a comparison per row per row, most of a recount's time at 5,000 a statement."""
    if not counters:
        return
    if connection.vendor != "postgresql":
        rows = [Comment(pk=pk, **asdict(c), tallied_at=tallied_at) for pk, c in counters.items()]
        Comment.objects.bulk_update(rows, [*COUNTER_FIELDS, "tallied_at"], batch_size=BATCH_SIZE)
        return
    # Typed arrays: a score is 0 (an int) when nothing was counted, and psycopg refuses mixed lists.
    kinds = [float if name in SCORE_FIELDS else int for name in COUNTER_FIELDS]
    arrays = [
        [kind(getattr(c, name)) for c in counters.values()] for name, kind in zip(COUNTER_FIELDS, kinds, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(_UPDATE_COUNTERS_SQL, [tallied_at, list(counters), *arrays])


_UPDATE_COUNTERS_SQL = "UPDATE {table} SET {columns}, tallied_at = %s FROM unnest(%s::bigint[], {types}) AS new(id, {names}) WHERE {table}.id = new.id".format(  # noqa: E501, S608 - names from the model, values as parameters
    table=Comment._meta.db_table,
    columns=", ".join(f"{name} = new.{name}" for name in COUNTER_FIELDS),
    types=", ".join("%s::float8[]" if name in SCORE_FIELDS else "%s::int[]" for name in COUNTER_FIELDS),
    names=", ".join(COUNTER_FIELDS),
)
