"""Coalescing through the real Redis: many votes on one comment share one scheduled tally."""

import pytest
from django.conf import settings

from tests.factories import CommentFactory, UserFactory
from votes import tally
from votes.services import cast_vote

pytestmark = pytest.mark.django_db(transaction=True)


def queued_messages(client) -> int:
    return client.llen(settings.CELERY_TASK_DEFAULT_QUEUE)


def test_many_votes_mark_the_comment_once_and_schedule_one_task(shared_redis):
    """50 votes on one comment leave one dirty mark and one queued tally task, not fifty."""
    comment = CommentFactory()
    for user in UserFactory.create_batch(50):
        cast_vote(user=user, comment=comment, choice="agree")
    assert shared_redis.smembers(f"{settings.TALLY_KEY_PREFIX}:dirty") == {str(comment.pk)}
    assert queued_messages(shared_redis) == 1


def test_sweep_tallies_every_dirty_comment_and_clears_the_marks(shared_redis):
    """tally_dirty_comments pops the marks, tallies each comment once and leaves nothing behind."""
    comments = CommentFactory.create_batch(3)
    voter = UserFactory(country="JP")
    for comment in comments:
        cast_vote(user=voter, comment=comment, choice="disagree")
    assert tally.tally_dirty_comments() == 3
    for comment in comments:
        comment.refresh_from_db()
        assert (comment.disagree_count, comment.disagree_japan_count) == (1, 1)
    assert not shared_redis.exists(f"{settings.TALLY_KEY_PREFIX}:dirty")
    assert not shared_redis.exists(f"{settings.TALLY_KEY_PREFIX}:scheduled")
    assert tally.tally_dirty_comments() == 0


def test_a_mark_after_the_sweep_schedules_a_new_task(shared_redis):
    """Once a sweep has finished, the next vote schedules the next tally itself."""
    comment = CommentFactory()
    cast_vote(user=UserFactory(), comment=comment, choice="agree")
    tally.tally_dirty_comments()
    shared_redis.delete(settings.CELERY_TASK_DEFAULT_QUEUE)
    cast_vote(user=UserFactory(), comment=comment, choice="agree")
    assert queued_messages(shared_redis) == 1
