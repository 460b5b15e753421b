"""Celery entry points of the moderation app. Every task is idempotent."""

from celery import shared_task
from django.db import DatabaseError

from . import closing


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def close_old_discussions() -> int:
    """Beat runs this every few minutes: comments close by themselves N days after publication."""
    return closing.close_old_discussions()
