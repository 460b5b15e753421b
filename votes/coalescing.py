"""Coalescing: a vote marks its comment dirty in Redis, and one tally round counts many votes.

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
scheduled. Redis is only a hint: the reconciliation (votes.counting.reconcile_vote_counters)
repairs anything lost from it.

This module speaks the protocol and nothing else; votes.tasks runs the rounds.
"""

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import redis
from django.conf import settings

from api.redis_clients import forum_redis

# Long enough to cover the countdown, a slow queue and a long round; short enough that a lost
# message only delays the tally a few seconds, until beat's sweep finds the flag expired.
SCHEDULED_TTL_MS = 5000

# Delete the flag only if it still holds this round's token (it may have expired and been taken).
RELEASE_FLAG = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def key(name: str) -> str:
    return f"{settings.TALLY_KEY_PREFIX}:{name}"


def is_enabled() -> bool:
    """Coalescing needs Redis; the embedded default tallies each vote with its own task."""
    return forum_redis() is not None


def _client() -> redis.Redis:
    client = forum_redis()
    if client is None:
        raise RuntimeError("coalescing needs the forum's Redis (FORUM_REDIS_URL)")
    return client


@dataclass(frozen=True)
class RoundToSchedule:
    """A round this caller must send: its token, due TALLY_COALESCE_SECONDS after ``after``."""

    token: str
    after: float

    @property
    def countdown(self) -> float:
        """Seconds until the round is due. (Clocks that differ between machines only move it within the window.)"""
        window = settings.TALLY_COALESCE_SECONDS
        return min(window, max(0.0, self.after + window - time.time()))


def mark_dirty(comment_id: int) -> RoundToSchedule | None:
    """Mark the comment voted on, in one round trip. Returns the round to schedule if no round
    was scheduled (this mark took the flag), else None: the scheduled round will find the mark."""
    token = uuid.uuid4().hex
    with _client().pipeline(transaction=False) as pipe:
        pipe.sadd(key("dirty"), comment_id)
        pipe.set(key("scheduled"), token, nx=True, px=SCHEDULED_TTL_MS)
        pipe.get(key("round_started"))
        _, first_mark, last_round_started = pipe.execute()
    return RoundToSchedule(token, after=float(last_round_started or 0)) if first_mark else None


def claim_sweep() -> str | None:
    """Beat's sweep takes the flag for a round of its own, or None if a round is on its way."""
    token = uuid.uuid4().hex
    return token if _client().set(key("scheduled"), token, nx=True, px=SCHEDULED_TTL_MS) else None


def start_round() -> float:
    """Record that a round starts now; the next round is due a window after this."""
    started = time.time()
    _client().set(key("round_started"), started)
    return started


def pop_dirty() -> Iterator[list[int]]:
    """The dirty ids, popped a batch at a time. Popped ids are gone from Redis: if the process
    dies before tallying them, the reconciliation has them."""
    while True:
        batch = _client().spop(key("dirty"), settings.TALLY_BATCH_SIZE)
        if not batch:
            return
        yield [int(comment_id) for comment_id in batch]
        if len(batch) < settings.TALLY_BATCH_SIZE:
            return


def end_round(token: str, *, started: float) -> RoundToSchedule | None:
    """Clear this round's flag, then look again: a mark that arrived after the last pop either saw
    the flag and is found here (the next round is returned, to be scheduled), or saw it gone and
    scheduled its own round."""
    client = _client()
    client.eval(RELEASE_FLAG, 1, key("scheduled"), token)
    if client.scard(key("dirty")):
        next_token = uuid.uuid4().hex
        if client.set(key("scheduled"), next_token, nx=True, px=SCHEDULED_TTL_MS):
            return RoundToSchedule(next_token, after=started)
    return None
