"""Coalescing: a vote marks its comment dirty in Redis; one task tallies many votes at once.

Protocol (keys under settings.TALLY_KEY_PREFIX):
- ``dirty``: the set of comment ids voted on since their last tally (SADD on each vote).
- ``scheduled``: present while a tally round is on its way or running. Its value is the round's
  token, so only that round clears it; a TTL frees it if the round's message is lost.
- ``round_started``: when the last round started (a Unix time).

A vote that finds no round scheduled schedules one, to start ``TALLY_COALESCE_SECONDS`` after the
last round started (at once if that is past), so rounds start at most that often and the votes
in between share one. The round pops the dirty ids in batches and tallies each once, then
clears its flag and, if marks arrived meanwhile, schedules the next round. So at most
one round is normally under way, and a comment voted on continuously gets one counter write per
round. Beat's sweep is the safety net for a lost message: it runs a round only when none is
scheduled. Redis is only a hint: the reconciliation (votes.services.reconcile_vote_counters)
repairs anything lost from it.
"""

import logging
import time
import uuid
from functools import cache

import redis
from django.conf import settings
from kombu.exceptions import OperationalError as BrokerError

from forum.outages import BROKER, REDIS, dependency_of, tracker

logger = logging.getLogger(__name__)

# Long enough to cover the countdown, a slow queue and a long round; short enough that a lost
# message only delays the tally a few seconds, until beat's sweep finds the flag expired.
SCHEDULED_TTL_MS = 5000

# Delete the flag only if it still holds this round's token (it may have expired and been taken).
RELEASE_FLAG = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


@cache
def tally_redis() -> redis.Redis | None:
    if not settings.TALLY_REDIS_URL:
        return None
    # Short timeouts: this runs while a reader waits for their vote to be answered.
    return redis.Redis.from_url(
        settings.TALLY_REDIS_URL, socket_connect_timeout=0.25, socket_timeout=0.5, decode_responses=True
    )


def _key(name: str) -> str:
    return f"{settings.TALLY_KEY_PREFIX}:{name}"


def mark_dirty(comment_id: int) -> None:
    """Called after the vote's transaction commits. Never raises: the vote row is already stored,
    and if Redis or the broker is down the reconciliation will tally it."""
    client = tally_redis()
    try:
        if client is None:
            from . import tasks

            # The embedded default has no Redis: one task per vote is plenty on one machine.
            tasks.tally_comment.delay(comment_id)
            return
        token = uuid.uuid4().hex
        with client.pipeline(transaction=False) as pipe:
            pipe.sadd(_key("dirty"), comment_id)
            pipe.set(_key("scheduled"), token, nx=True, px=SCHEDULED_TTL_MS)
            pipe.get(_key("round_started"))
            _, first_mark, last_round_started = pipe.execute()
        tracker.ok(REDIS)
        if first_mark:
            _schedule_round(token, after=float(last_round_started or 0))
            tracker.ok(BROKER)
    except (redis.RedisError, BrokerError, OSError) as error:
        dependency = dependency_of(error)
        if dependency is None:
            logger.warning("Vote on comment %s stored; tally deferred to reconciliation: %s", comment_id, error)
            return
        # An outage is logged once as it begins (and once as it ends), not once per vote.
        tracker.failed(dependency, error)
        logger.debug("Vote on comment %s stored; tally deferred to reconciliation: %s", comment_id, error)


def _schedule_round(token: str, *, after: float) -> None:
    """Send the round, due ``TALLY_COALESCE_SECONDS`` after the round that started at ``after``.
    (Clocks that differ between machines only move it within that window.)"""
    from . import tasks

    window = settings.TALLY_COALESCE_SECONDS
    countdown = min(window, max(0.0, after + window - time.time()))
    tasks.tally_dirty_comments.apply_async(kwargs={"round_token": token}, countdown=countdown)


def tally_dirty_comments(round_token: str | None = None) -> int:
    """Run one tally round: tally every comment marked dirty, in batches. ``round_token`` is the
    flag's value set by whoever scheduled this round; beat's sweep passes none and runs only if
    no round is scheduled. Returns how many comments were tallied."""
    from .services import tally_comments

    client = tally_redis()
    if client is None:
        return 0
    if round_token is None:
        round_token = uuid.uuid4().hex
        if not client.set(_key("scheduled"), round_token, nx=True, px=SCHEDULED_TTL_MS):
            return 0  # a round is on its way; it will find the marks
    started = time.time()
    client.set(_key("round_started"), started)
    tallied = 0
    while True:
        batch = client.spop(_key("dirty"), settings.TALLY_BATCH_SIZE)
        if not batch:
            break
        # Popped ids are gone from Redis; if this process dies now, reconciliation has them.
        tally_comments(comment_ids=[int(comment_id) for comment_id in batch])
        tallied += len(batch)
        if len(batch) < settings.TALLY_BATCH_SIZE:
            break
    # Clear our flag, then look again: a mark that arrived after the last pop either sees the
    # flag gone and schedules its own round, or is found here.
    client.eval(RELEASE_FLAG, 1, _key("scheduled"), round_token)
    if client.scard(_key("dirty")):
        token = uuid.uuid4().hex
        if client.set(_key("scheduled"), token, nx=True, px=SCHEDULED_TTL_MS):
            _schedule_round(token, after=started)
    return tallied
