"""Coalescing: a vote marks its comment dirty, and one tally round counts many votes.

Two backends speak one protocol, chosen by settings.VOTES_DIRTY_MARKS: ``RedisMarks`` where the
forum has Redis, ``DatabaseMarks`` on the embedded default (a table, written in the vote's own
transaction). votes.tasks runs the rounds through ``dirty_marks()`` and never asks which it is.

The Redis protocol (keys under settings.TALLY_KEY_PREFIX):
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

The database protocol is the same with a table for the set (DirtyComment: INSERT ... ON CONFLICT
DO NOTHING in the vote's transaction) and a row for the flag (TallyRound). A vote whose mark is
new takes the flag after its commit if no round holds it, and schedules the round; the round pops
the rows in batches (DELETE ... RETURNING). So however many votes arrive, at most one round's
message is on its way: the queue never piles up, and the reconciliation never waits behind it.

This module speaks the protocol and nothing else; votes.tasks runs the rounds.
"""

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Protocol

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from infra.redis_clients import forum_redis

from .models import DirtyComment, TallyRound

# Long enough to cover the countdown, a slow queue and a long round; short enough that a lost
# message only delays the tally a few seconds, until beat's sweep finds the flag expired.
SCHEDULED_TTL_MS = 5000

# Delete the flag only if it still holds this round's token (it may have expired and been taken).
RELEASE_FLAG = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


# A vote's mark in one command: add the id to the set, take the flag if no round holds it, and
# when it was taken, return when the last round started. One EVALSHA costs the vote's process
# less than a pipeline of three commands to pack and parse (bench/vote_cost.py --profile).
MARK_DIRTY = """
redis.call('sadd', KEYS[1], ARGV[1])
if redis.call('set', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then
    return {1, redis.call('get', KEYS[3]) or ''}
end
return {0, ''}
"""


def key(name: str) -> str:
    return f"{settings.TALLY_KEY_PREFIX}:{name}"


@cache
def _mark_dirty_script(client: redis.Redis):
    return client.register_script(MARK_DIRTY)


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
    client = _client()
    first_mark, last_round_started = _mark_dirty_script(client)(
        keys=[key("dirty"), key("scheduled"), key("round_started")], args=[comment_id, token, SCHEDULED_TTL_MS]
    )
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


class DirtyMarks(Protocol):
    """What votes.tasks needs of a backend. ``mark_in_transaction`` runs inside the vote's
    transaction (whether the mark is new), ``mark`` after it committed (the round to schedule,
    if this caller must send it)."""

    # Whether mark_in_transaction writes (then the vote's write and its mark share a transaction).
    in_transaction: bool

    def mark_in_transaction(self, comment_id: int) -> bool: ...
    def mark(self, comment_id: int, *, new: bool) -> RoundToSchedule | None: ...
    def claim_sweep(self) -> str | None: ...
    def start_round(self) -> float: ...
    def pop_dirty(self) -> Iterator[list[int]]: ...
    def end_round(self, token: str, *, started: float) -> RoundToSchedule | None: ...


class RedisMarks:
    """The Redis protocol above. Nothing is written inside the vote's transaction: a mark made
    before the commit could be popped and tallied before the vote is visible."""

    in_transaction = False

    def mark_in_transaction(self, comment_id: int) -> bool:
        return True

    def mark(self, comment_id: int, *, new: bool) -> RoundToSchedule | None:
        return mark_dirty(comment_id)

    claim_sweep = staticmethod(claim_sweep)
    start_round = staticmethod(start_round)
    pop_dirty = staticmethod(pop_dirty)
    end_round = staticmethod(end_round)


MARK_SQL = (
    f"INSERT INTO {DirtyComment._meta.db_table} (comment_id, marked_at) VALUES (%s, %s)"  # noqa: S608 - names from the model
    " ON CONFLICT (comment_id) DO NOTHING RETURNING comment_id"
)
# Takes the flag if no round holds it (or its hold ran out), creating the row the first time.
# RETURNING gives a row only if this statement took it. PostgreSQL and SQLite (3.35+) alike.
CLAIM_SQL = f"""
INSERT INTO {TallyRound._meta.db_table} (id, token, held_until, round_started) VALUES (1, %s, %s, 0)
ON CONFLICT (id) DO UPDATE SET token = excluded.token, held_until = excluded.held_until
WHERE {TallyRound._meta.db_table}.token = '' OR {TallyRound._meta.db_table}.held_until IS NULL
   OR {TallyRound._meta.db_table}.held_until < %s
RETURNING round_started
"""  # noqa: S608 - names from the model
# A batch of marks, removed and returned in one statement. SKIP LOCKED on PostgreSQL: a second
# round (a hold that ran out) takes other rows instead of waiting; SQLite has one writer anyway.
POP_SQL = {
    "postgresql": "DELETE FROM {table} WHERE comment_id IN (SELECT comment_id FROM {table} ORDER BY comment_id LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING comment_id",  # noqa: E501
    "sqlite": "DELETE FROM {table} WHERE comment_id IN (SELECT comment_id FROM {table} ORDER BY comment_id LIMIT %s) RETURNING comment_id",  # noqa: E501
}


class DatabaseMarks:
    """The same protocol in two tables, for deployments without Redis (see the module's text)."""

    in_transaction = True

    def mark_in_transaction(self, comment_id: int) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(MARK_SQL, [comment_id, connection.ops.adapt_datetimefield_value(timezone.now())])
            return cursor.fetchone() is not None

    def mark(self, comment_id: int, *, new: bool) -> RoundToSchedule | None:
        """A mark that was there already has its round on the way (or beat's sweep finds it)."""
        if not new or TallyRound.objects.filter(pk=1, token__gt="", held_until__gte=timezone.now()).exists():
            return None  # a read first: most of the time a round holds the flag, and a claim is a write
        token = uuid.uuid4().hex
        started = self._claim(token)
        return RoundToSchedule(token, after=started) if started is not None else None

    def _claim(self, token: str) -> float | None:
        now = timezone.now()
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.execute(CLAIM_SQL, [token, adapt(now + timedelta(milliseconds=SCHEDULED_TTL_MS)), adapt(now)])
            row = cursor.fetchone()
        return None if row is None else float(row[0])

    def claim_sweep(self) -> str | None:
        if not DirtyComment.objects.exists():
            return None  # nothing to do: an idle sweep writes nothing
        token = uuid.uuid4().hex
        return token if self._claim(token) is not None else None

    def start_round(self) -> float:
        started = time.time()
        TallyRound.objects.filter(pk=1).update(round_started=started)
        return started

    def pop_dirty(self) -> Iterator[list[int]]:
        sql = POP_SQL[connection.vendor].format(table=DirtyComment._meta.db_table)
        while True:
            with connection.cursor() as cursor:
                cursor.execute(sql, [settings.TALLY_BATCH_SIZE])
                batch = sorted(row[0] for row in cursor.fetchall())
            if not batch:
                return
            yield batch
            if len(batch) < settings.TALLY_BATCH_SIZE:
                return

    def end_round(self, token: str, *, started: float) -> RoundToSchedule | None:
        TallyRound.objects.filter(pk=1, token=token).update(token="", held_until=None)
        if DirtyComment.objects.exists():
            next_token = uuid.uuid4().hex
            if self._claim(next_token) is not None:
                return RoundToSchedule(next_token, after=started)
        return None


@cache
def _backend(path: str) -> DirtyMarks:
    return import_string(path)()


def dirty_marks() -> DirtyMarks:
    """The backend settings.VOTES_DIRTY_MARKS names (one instance per process)."""
    return _backend(settings.VOTES_DIRTY_MARKS)
