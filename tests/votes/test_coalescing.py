"""Coalescing through the real Redis: many votes on one comment share one scheduled tally."""

import json
import time
from datetime import UTC, datetime

import pytest
from django.conf import settings

from tests.factories import CommentFactory, UserFactory
from tests.tally_rounds import run_scheduled_round
from votes import tasks
from votes.services import cast_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def vote(django_capture_on_commit_callbacks):
    """cast_vote, committed: a vote marks its comment after commit, and the test's transaction
    never commits, so the after-commit work runs as a commit would run it."""

    def committed_vote(**arguments):
        with django_capture_on_commit_callbacks(execute=True):
            return cast_vote(**arguments)

    return committed_vote


def queued_messages(client) -> int:
    return client.llen(settings.CELERY_QUEUE_NAMES["tallies"])


def test_many_votes_mark_the_comment_once_and_schedule_one_task(vote, shared_redis):
    """50 votes on one comment leave one dirty mark and one queued tally task, not fifty."""
    comment = CommentFactory()
    for user in UserFactory.create_batch(50):
        vote(user=user, comment=comment, choice="agree")
    assert shared_redis.smembers(f"{settings.TALLY_KEY_PREFIX}:dirty") == {str(comment.pk)}
    assert queued_messages(shared_redis) == 1


def test_a_round_tallies_every_dirty_comment_and_clears_the_marks(vote, shared_redis):
    """The scheduled round pops the marks, tallies each comment once and leaves nothing behind."""
    comments = CommentFactory.create_batch(3)
    voter = UserFactory(country="JP")
    for comment in comments:
        vote(user=voter, comment=comment, choice="disagree")
    assert run_scheduled_round() == 3
    for comment in comments:
        comment.refresh_from_db()
        assert (comment.disagree_count, comment.disagree_japan_count) == (1, 1)
    assert not shared_redis.exists(f"{settings.TALLY_KEY_PREFIX}:dirty")
    assert not shared_redis.exists(f"{settings.TALLY_KEY_PREFIX}:scheduled")
    assert tasks.tally_dirty_comments() == 0


def test_a_mark_after_the_sweep_schedules_a_new_task(vote, shared_redis):
    """Once a sweep has finished, the next vote schedules the next tally itself."""
    comment = CommentFactory()
    vote(user=UserFactory(), comment=comment, choice="agree")
    run_scheduled_round()
    shared_redis.delete(settings.CELERY_QUEUE_NAMES["tallies"])
    vote(user=UserFactory(), comment=comment, choice="agree")
    assert queued_messages(shared_redis) == 1


def test_beats_sweep_leaves_a_scheduled_round_alone(vote, shared_redis):
    """While a round is on its way, the sweep tallies nothing: one round at a time means one
    counter write per round on a comment voted on continuously."""
    comment = CommentFactory()
    vote(user=UserFactory(), comment=comment, choice="agree")
    round_token = shared_redis.get(f"{settings.TALLY_KEY_PREFIX}:scheduled")

    assert tasks.tally_dirty_comments() == 0
    assert shared_redis.smembers(f"{settings.TALLY_KEY_PREFIX}:dirty") == {str(comment.pk)}
    assert shared_redis.get(f"{settings.TALLY_KEY_PREFIX}:scheduled") == round_token


def test_beats_sweep_tallies_when_the_rounds_message_was_lost(vote, shared_redis):
    """A round whose message never arrives holds its flag only until the flag expires; then the
    sweep tallies the marks itself."""
    comment = CommentFactory()
    vote(user=UserFactory(), comment=comment, choice="agree")
    shared_redis.delete(settings.CELERY_QUEUE_NAMES["tallies"])  # the message is lost ...
    shared_redis.pexpire(f"{settings.TALLY_KEY_PREFIX}:scheduled", 1)  # ... and its flag expires
    time.sleep(0.01)

    assert tasks.tally_dirty_comments() == 1
    comment.refresh_from_db()
    assert comment.agree_count == 1
    assert not shared_redis.exists(f"{settings.TALLY_KEY_PREFIX}:scheduled")


def test_a_late_round_never_clears_the_flag_of_the_round_after_it(vote, shared_redis):
    """A round that outlived its flag leaves the next round's flag in place, so rounds never
    pile up side by side."""
    comment = CommentFactory()
    vote(user=UserFactory(), comment=comment, choice="agree")
    late_token = shared_redis.get(f"{settings.TALLY_KEY_PREFIX}:scheduled")
    shared_redis.set(f"{settings.TALLY_KEY_PREFIX}:scheduled", "the-next-round")

    assert tasks.tally_dirty_comments(late_token) == 1
    assert shared_redis.get(f"{settings.TALLY_KEY_PREFIX}:scheduled") == "the-next-round"


def queued_round_eta(client) -> datetime | None:
    message = json.loads(client.lindex(settings.CELERY_QUEUE_NAMES["tallies"], 0))
    eta = message["headers"].get("eta")
    return datetime.fromisoformat(eta) if eta else None


def test_rounds_start_at_most_once_per_window(vote, shared_redis, settings):
    """A vote just after a round started waits for the window to pass; one after a quiet spell
    is tallied at once."""
    settings.TALLY_COALESCE_SECONDS = 2
    comment = CommentFactory()
    vote(user=UserFactory(), comment=comment, choice="agree")
    run_scheduled_round()
    shared_redis.delete(settings.CELERY_QUEUE_NAMES["tallies"])

    vote(user=UserFactory(), comment=comment, choice="agree")
    eta = queued_round_eta(shared_redis)
    assert eta is not None and 1 < (eta - datetime.now(UTC)).total_seconds() <= 2

    run_scheduled_round()
    shared_redis.delete(settings.CELERY_QUEUE_NAMES["tallies"])
    shared_redis.set(f"{settings.TALLY_KEY_PREFIX}:round_started", time.time() - 60)  # a quiet minute
    vote(user=UserFactory(), comment=comment, choice="agree")
    eta = queued_round_eta(shared_redis)
    assert eta is None or (eta - datetime.now(UTC)).total_seconds() <= 0.1
