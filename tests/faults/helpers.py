"""Shared by the fault tests: what the counters must be, computed from the vote rows by hand."""

import contextlib

from django.db import close_old_connections, connections

from forum.models import COUNT_FIELDS, COUNTER_FIELDS, Comment
from votes import scoring
from votes.models import Vote


def counters_from_rows(comment_id: int) -> dict[str, float]:
    """The counters a comment must show, from its vote rows counted one by one in Python (not the
    tally's GROUP BY, so a wrong query in the tally cannot agree with itself)."""
    counts = dict.fromkeys(COUNT_FIELDS, 0)
    for choice, region in Vote.objects.filter(comment_id=comment_id).values_list("choice", "region"):
        if choice:
            counts[f"{choice}_count"] += 1
            counts[f"{choice}_{region}_count"] += 1
    agree, disagree = counts["agree_count"], counts["disagree_count"]
    return {
        **counts,
        "best_score": scoring.wilson_lower_bound(agree, agree + disagree),
        "controversy_score": scoring.controversy(agree, disagree),
        "common_ground_score": scoring.common_ground(
            agree_japan=counts["agree_japan_count"],
            disagree_japan=counts["disagree_japan_count"],
            agree_world=counts["agree_world_count"],
            disagree_world=counts["disagree_world_count"],
        ),
    }


def stored_counters(comment_id: int) -> dict[str, float]:
    return Comment.objects.filter(pk=comment_id).values(*COUNTER_FIELDS).get()


def wrong_counters(comment_ids) -> dict[int, tuple[dict, dict]]:
    """Comments whose stored counters differ from their rows: {id: (stored, expected)}."""
    wrong = {}
    for comment_id in comment_ids:
        stored, expected = stored_counters(comment_id), counters_from_rows(comment_id)
        if stored != expected:
            wrong[comment_id] = (stored, expected)
    return wrong


def close_thread_connections() -> None:
    """A thread's own database connections must be closed by that thread, or the test database
    cannot be flushed (PostgreSQL) or stays locked (SQLite)."""
    close_old_connections()
    connections.close_all()


@contextlib.contextmanager
def logs_on_failure(processes: list):
    """On a failed assertion, show what the real processes logged: that is where the cause is."""
    try:
        yield
    except Exception as failure:
        logs = "\n".join(f"----- {process.name} log -----\n{process.log()[-6000:]}" for process in processes)
        raise AssertionError(f"{failure}\n{logs}") from failure
    finally:
        for process in reversed(processes):
            process.stop()
