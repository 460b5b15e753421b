"""Celery entry points: ids in, a service call, nothing else. Every task is idempotent."""

from celery import shared_task
from django.db import DatabaseError

from . import services, tally

# A database hiccup is retried; anything it misses the reconciliation repeats anyway.
RETRY = {"autoretry_for": (DatabaseError,), "retry_backoff": True, "max_retries": 3}


@shared_task(**RETRY)
def tally_comment(comment_id: int) -> bool:
    return services.tally_comment(comment_id=comment_id)


@shared_task(**RETRY)
def tally_dirty_comments(round_token: str | None = None) -> int:
    return tally.tally_dirty_comments(round_token)


@shared_task(**RETRY)
def reconcile_vote_counters() -> int:
    return services.reconcile_vote_counters()
