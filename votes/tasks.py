"""Celery entry points: ids in, counting out. Every task is idempotent.

A tally round (``tally_dirty_comments``) pops the comments marked dirty (votes.coalescing, in
Redis or in the database) and tallies them (votes.counting); the reconciliation re-tallies from
the database alone.
"""

import logging

import redis
from celery import shared_task
from django.db import DatabaseError
from kombu.exceptions import OperationalError as BrokerError

from infra.outages import BROKER, REDIS, dependency_of, tracker

from . import coalescing, counting

logger = logging.getLogger(__name__)

# A database hiccup is retried; anything it misses the reconciliation repeats anyway.
RETRY = {"autoretry_for": (DatabaseError,), "retry_backoff": True, "max_retries": 3}


@shared_task(**RETRY)
def tally_comment(comment_id: int) -> bool:
    return counting.tally_comment(comment_id=comment_id)


@shared_task(**RETRY)
def tally_dirty_comments(round_token: str | None = None) -> int:
    """One tally round over every comment marked dirty. ``round_token`` is the flag's value set by
    whoever scheduled this round; beat's sweep passes none and runs only if no round is scheduled.
    Returns how many comments were tallied."""
    marks = coalescing.dirty_marks()
    if round_token is None:
        round_token = marks.claim_sweep()
        if round_token is None:
            return 0  # a round is on its way (it will find the marks), or nothing is marked
    started = marks.start_round()
    tallied = 0
    for batch in marks.pop_dirty():
        counting.tally_comments(comment_ids=batch)
        tallied += len(batch)
    schedule_round(marks.end_round(round_token, started=started))
    return tallied


@shared_task(**RETRY)
def tally_comments(comment_ids: list[int]) -> int:
    """Re-tally many comments at once (after a moderator voided a reader's votes)."""
    return counting.tally_comments(comment_ids=comment_ids)


@shared_task(**RETRY)
def reconcile_vote_counters() -> int:
    return counting.reconcile_vote_counters()


def schedule_round(round_: coalescing.RoundToSchedule | None) -> None:
    if round_ is not None:
        tally_dirty_comments.apply_async(kwargs={"round_token": round_.token}, countdown=round_.countdown)


def mark_in_transaction(comment_id: int) -> bool:
    """Inside the vote's transaction: mark its comment dirty where the backend keeps its marks
    in the database (elsewhere nothing is written). Returns whether the mark is new."""
    return coalescing.dirty_marks().mark_in_transaction(comment_id)


def tally_soon(comment_id: int, *, new_mark: bool = True) -> None:
    """After a vote commits: have the comment tallied in the next round, coalesced with the other
    votes. Never raises: the vote row is already stored, and if Redis or the broker is down the
    reconciliation will tally it."""
    marks = coalescing.dirty_marks()
    try:
        round_ = marks.mark(comment_id, new=new_mark)
        if not marks.in_transaction:
            tracker.ok(REDIS)
        if round_ is not None:
            schedule_round(round_)
            tracker.ok(BROKER)
    except DatabaseError as error:
        # Only the database backend takes its flag here, after the vote and its mark committed:
        # the mark stays, and beat's sweep runs the round within TALLY_SWEEP_SECONDS.
        logger.warning("Vote on comment %s stored and marked; its round is left to beat's sweep: %s", comment_id, error)
    except (redis.RedisError, BrokerError, OSError) as error:
        dependency = dependency_of(error)
        if dependency is None:
            logger.warning("Vote on comment %s stored; tally deferred to reconciliation: %s", comment_id, error)
            return
        # An outage is logged once as it begins (and once as it ends), not once per vote.
        tracker.failed(dependency, error)
        logger.debug("Vote on comment %s stored; tally deferred to reconciliation: %s", comment_id, error)


def tally_many_soon(comment_ids: list[int]) -> None:
    """After a change to many comments' votes commits: one task tallies them all, in batches.
    Never raises: the rows carry a new updated_at, so the reconciliation tallies them anyway."""
    try:
        tally_comments.delay(list(comment_ids))
        tracker.ok(BROKER)
    except (BrokerError, OSError) as error:
        logger.warning("Votes changed on %d comments; tally deferred to reconciliation: %s", len(comment_ids), error)
