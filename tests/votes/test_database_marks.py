"""Coalescing without Redis (the embedded default): votes mark their comments dirty in the
database, in their own transaction, and one round at a time tallies them. Runs on PostgreSQL and
in the SQLite smoke run alike; on PostgreSQL the database backend is chosen in settings."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from infra.redis_clients import forum_redis
from tests.factories import CommentFactory, UserFactory
from tests.faults.helpers import wrong_counters
from votes import tasks
from votes.models import DirtyComment, TallyRound
from votes.services import cast_vote, retract_vote

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


@pytest.fixture(autouse=True)
def _database_marks(settings):
    settings.VOTES_DIRTY_MARKS = "votes.coalescing.DatabaseMarks"


def queued_messages() -> int:
    """Messages waiting in the tallies queue of the broker the tests use (Redis or the folder)."""
    queue = settings.CELERY_QUEUE_NAMES["tallies"]  # where tally rounds are routed
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        return forum_redis().llen(queue)
    folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    return len(list(folder.glob(f"*.{queue}.msg")))


def clear_queue() -> None:
    queue = settings.CELERY_QUEUE_NAMES["tallies"]  # where tally rounds are routed
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        forum_redis().delete(queue)
    else:
        for message in Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).glob(f"*.{queue}.msg"):
            message.unlink()


def run_scheduled_round() -> int:
    token = TallyRound.objects.values_list("token", flat=True).first()
    return tasks.tally_dirty_comments.apply(kwargs={"round_token": token or None}, throw=True).get()


def test_many_votes_leave_one_mark_and_one_queued_round():
    """50 votes on one comment: one dirty row and one message, not fifty tally tasks (the queue
    that held 1,881 of them under `make run` and drained at 1-2 a second)."""
    clear_queue()
    comment = CommentFactory()
    for user in UserFactory.create_batch(50):
        cast_vote(user=user, comment=comment, choice="agree")
    assert list(DirtyComment.objects.values_list("comment_id", flat=True)) == [comment.pk]
    assert queued_messages() == 1
    assert run_scheduled_round() == 1
    comment.refresh_from_db()
    assert comment.agree_count == 50
    assert not DirtyComment.objects.exists()
    assert TallyRound.objects.get().token == "", "the round gave its flag back"


def test_a_round_tallies_every_comment_marked_and_votes_after_it_schedule_the_next():
    comments = CommentFactory.create_batch(3)
    voter = UserFactory(country="JP")
    for comment in comments:
        cast_vote(user=voter, comment=comment, choice="disagree")
    assert run_scheduled_round() == 3
    assert wrong_counters([c.pk for c in comments]) == {}
    clear_queue()
    retract_vote(user=voter, comment=comments[0])
    assert queued_messages() == 1
    assert run_scheduled_round() == 1
    assert wrong_counters([c.pk for c in comments]) == {}


def test_the_mark_is_part_of_the_votes_transaction():
    """A vote rolled back leaves no mark; a mark is never visible before its vote."""
    comment = CommentFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        cast_vote(user=UserFactory(), comment=comment, choice="agree")
        assert DirtyComment.objects.filter(comment_id=comment.pk).exists()
        raise RuntimeError("the request failed after the vote")
    assert not DirtyComment.objects.exists()


def test_beats_sweep_runs_a_round_only_when_marks_wait_and_no_round_holds_the_flag():
    comment = CommentFactory()
    assert tasks.tally_dirty_comments() == 0  # nothing marked: an idle sweep
    assert not TallyRound.objects.exists(), "an idle sweep writes nothing"
    cast_vote(user=UserFactory(), comment=comment, choice="agree")
    assert tasks.tally_dirty_comments() == 0, "the vote's round holds the flag"
    TallyRound.objects.update(held_until=None, token="")  # its message was lost
    assert tasks.tally_dirty_comments() == 1
    assert wrong_counters([comment.pk]) == {}


def test_a_late_round_never_releases_the_flag_of_the_round_after_it():
    comment = CommentFactory()
    cast_vote(user=UserFactory(), comment=comment, choice="agree")
    TallyRound.objects.update(token="next-round")
    tasks.tally_dirty_comments.apply(kwargs={"round_token": "late-round"}, throw=True)
    assert TallyRound.objects.get().token == "next-round"
