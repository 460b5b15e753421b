"""Coalescing: a vote marks its comment dirty in Redis; one task tallies many votes at once.

Protocol (keys under settings.TALLY_KEY_PREFIX):
- ``dirty``: the set of comment ids voted on since their last tally (SADD on each vote).
- ``scheduled``: present while a tally task is on its way (SET NX, with a TTL as a safety net).

A vote that finds no task scheduled sends one with a short countdown, so the votes of the next
few hundred milliseconds share it. The task pops the dirty ids in batches and tallies each once,
then clears ``scheduled`` and, if marks arrived meanwhile, schedules the next round. Beat also
runs the sweep every second in case a scheduling message was lost. Redis is only a hint: the
reconciliation (votes.services.reconcile_vote_counters) repairs anything lost from it.
"""

import logging
from functools import cache

import redis
from django.conf import settings
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# Long enough to cover the countdown and a slow queue; short enough that a lost message only
# delays the next tally until beat's sweep or the key's expiry.
SCHEDULED_TTL_MS = 5000


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
    from . import tasks

    client = tally_redis()
    try:
        if client is None:
            # The embedded default has no Redis: one task per vote is plenty on one machine.
            tasks.tally_comment.delay(comment_id)
            return
        with client.pipeline(transaction=False) as pipe:
            pipe.sadd(_key("dirty"), comment_id)
            pipe.set(_key("scheduled"), 1, nx=True, px=SCHEDULED_TTL_MS)
            _, first_mark = pipe.execute()
        if first_mark:
            tasks.tally_dirty_comments.apply_async(countdown=settings.TALLY_COALESCE_SECONDS)
    except (redis.RedisError, BrokerError, OSError) as error:
        logger.warning("Vote on comment %s stored; tally deferred to reconciliation: %s", comment_id, error)


def tally_dirty_comments() -> int:
    """Tally every comment marked dirty, in batches; returns how many comments were tallied."""
    from .services import tally_comments

    client = tally_redis()
    if client is None:
        return 0
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
    # Clear the flag, then look again: a mark that arrived after the last pop either sees the
    # flag gone and schedules its own task, or is found here.
    client.delete(_key("scheduled"))
    if client.scard(_key("dirty")) and client.set(_key("scheduled"), 1, nx=True, px=SCHEDULED_TTL_MS):
        from . import tasks

        tasks.tally_dirty_comments.apply_async(countdown=settings.TALLY_COALESCE_SECONDS)
    return tallied
