"""Every tally and reconciliation task, delivered twice (as acks_late redelivery does), ends in the
same stored counters and a watermark that never moves back."""

import pytest

from forum.models import Comment
from tests.factories import CommentFactory, UserFactory
from tests.faults.helpers import stored_counters, wrong_counters
from votes import tasks
from votes.coalescing import key
from votes.models import ReconciliationWatermark, Vote
from votes.services import cast_vote, retract_vote

pytestmark = pytest.mark.django_db


def run(task, *args):
    """Run a task through Celery's tracer in this process, as a worker would, and return its result."""
    return task.apply(args=args, throw=True).get()


@pytest.fixture
def voted_comments(article, django_capture_on_commit_callbacks):
    """Three comments with votes from Japan and the world (one retracted); counters not yet tallied."""
    comments = CommentFactory.create_batch(3, article=article)
    voters = [UserFactory(country="JP", password=None) for _ in range(3)] + [
        UserFactory(country="FR", password=None) for _ in range(4)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for index, voter in enumerate(voters):
            for comment in comments:
                cast_vote(user=voter, comment=comment, choice="agree" if index % 3 else "disagree")
        retract_vote(user=voters[1], comment=comments[0])
    return comments


def test_tally_comment_twice_gives_the_same_counters(voted_comments):
    """A second tally_comment finds the counters right, writes nothing and keeps tallied_at."""
    comment_ids = [comment.pk for comment in voted_comments]
    assert wrong_counters(comment_ids), "the votes must not be tallied yet"

    first = [run(tasks.tally_comment, comment_id) for comment_id in comment_ids]
    after_first = {pk: (stored_counters(pk), Comment.objects.get(pk=pk).tallied_at) for pk in comment_ids}
    second = [run(tasks.tally_comment, comment_id) for comment_id in comment_ids]
    after_second = {pk: (stored_counters(pk), Comment.objects.get(pk=pk).tallied_at) for pk in comment_ids}

    assert first == [True, True, True] and second == [False, False, False]
    assert wrong_counters(comment_ids) == {}
    assert after_second == after_first
    assert (stored_counters(comment_ids[0])["agree_count"], stored_counters(comment_ids[0])["disagree_count"]) == (3, 3)


def test_tally_dirty_comments_twice_gives_the_same_counters(voted_comments, shared_redis):
    """The coalesced tally drains the dirty set once; delivered again it tallies nothing and changes nothing."""
    comment_ids = [comment.pk for comment in voted_comments]
    assert shared_redis.smembers(key("dirty")) == {str(pk) for pk in comment_ids}

    round_token = shared_redis.get(key("scheduled"))
    assert round_token, "the first vote schedules a round"
    first = run(tasks.tally_dirty_comments, round_token)
    after_first = {pk: (stored_counters(pk), Comment.objects.get(pk=pk).tallied_at) for pk in comment_ids}
    second = run(tasks.tally_dirty_comments, round_token)
    after_second = {pk: (stored_counters(pk), Comment.objects.get(pk=pk).tallied_at) for pk in comment_ids}

    assert (first, second) == (3, 0)
    assert wrong_counters(comment_ids) == {}
    assert after_second == after_first
    assert shared_redis.scard(key("dirty")) == 0 and not shared_redis.exists(key("scheduled"))


def test_reconciliation_twice_gives_the_same_counters_and_a_watermark_that_only_advances(voted_comments):
    """Reconciliation repairs counters from the rows alone; run again it changes none and moves the watermark on."""
    comment_ids = [comment.pk for comment in voted_comments]
    # A tally that ran and then a later one that was lost: one comment right, two wrong.
    run(tasks.tally_comment, comment_ids[0])
    Comment.objects.filter(pk=comment_ids[1]).update(agree_count=99, disagree_japan_count=7)
    assert set(wrong_counters(comment_ids)) == {comment_ids[1], comment_ids[2]}
    assert not ReconciliationWatermark.objects.exists()

    first = run(tasks.reconcile_vote_counters)
    first_watermark = ReconciliationWatermark.objects.get().reconciled_until
    after_first = {pk: (stored_counters(pk), Comment.objects.get(pk=pk).tallied_at) for pk in comment_ids}
    second = run(tasks.reconcile_vote_counters)
    second_watermark = ReconciliationWatermark.objects.get().reconciled_until
    after_second = {pk: (stored_counters(pk), Comment.objects.get(pk=pk).tallied_at) for pk in comment_ids}

    assert (first, second) == (2, 0)
    assert wrong_counters(comment_ids) == {}
    assert after_second == after_first
    assert ReconciliationWatermark.objects.count() == 1
    assert second_watermark >= first_watermark > max(Vote.objects.values_list("updated_at", flat=True))


def test_reconciliation_run_again_still_sees_votes_just_before_its_watermark(voted_comments):
    """A vote stamped before the last watermark is within the grace period, so the next run still repairs it."""
    comment_ids = [comment.pk for comment in voted_comments]
    run(tasks.reconcile_vote_counters)
    run(tasks.reconcile_vote_counters)
    # A tally lost after both runs, for votes all stamped before the watermark.
    Comment.objects.filter(pk=comment_ids[2]).update(agree_count=0, agree_world_count=0)

    assert run(tasks.reconcile_vote_counters) == 1
    assert run(tasks.reconcile_vote_counters) == 0
    assert wrong_counters(comment_ids) == {}
