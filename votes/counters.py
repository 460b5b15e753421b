"""How a vote reaches the counters: a backend chosen in settings (VOTES_COUNTER_BACKEND), in the
manner of Sentry's buffer backends, so the vote services have one path and no mode switches.

The product's backend is ``TallyFromRows``: the vote writes its own row and marks its comment
dirty, and a tally round counts the rows (votes.counting). The benchmark's baseline, which
increments the counters in the request, is a backend of the benchmark's own
(bench/baseline_counters.py), named in the environment of the server it starts.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from accounts.models import User
from forum.models import Comment

from . import coalescing, tasks


@dataclass(frozen=True)
class VoteWrite:
    """What writing a vote row did: the reader's choice stored now (None: no vote), and whether
    the row changed at all (taking back a vote that is not there changes nothing)."""

    stored: str | None
    changed: bool = True


class CounterBackend(Protocol):
    def record(self, *, user: User, comment: Comment, write: Callable[[], VoteWrite]) -> VoteWrite:
        """Run ``write`` (one statement that writes the reader's vote row) and see that the
        comment's counters follow."""


class TallyFromRows:
    """Counters are derived from the rows by the tally, never incremented in place. Where the
    dirty marks are in Redis the write runs alone in autocommit and the mark follows its commit;
    where they are in the database, the mark shares the write's transaction."""

    def record(self, *, user: User, comment: Comment, write: Callable[[], VoteWrite]) -> VoteWrite:
        if not coalescing.dirty_marks().in_transaction:
            result = write()
            if result.changed:
                transaction.on_commit(lambda: tasks.tally_soon(comment.pk))
            return result
        with transaction.atomic():
            result = write()
            if not result.changed:
                return result
            new_mark = tasks.mark_in_transaction(comment.pk)
            transaction.on_commit(lambda: tasks.tally_soon(comment.pk, new_mark=new_mark))
        return result


@cache
def _backend(path: str) -> CounterBackend:
    return import_string(path)()


def counter_backend() -> CounterBackend:
    """The backend settings.VOTES_COUNTER_BACKEND names (one instance per process)."""
    return _backend(settings.VOTES_COUNTER_BACKEND)
