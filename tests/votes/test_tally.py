import math

import pytest

from forum.models import Comment
from tests.factories import CommentFactory, UserFactory
from votes import scoring
from votes.counting import Counters, reconcile_vote_counters, recount_all_votes, tally_comment
from votes.models import ReconciliationWatermark, Vote
from votes.services import cast_vote, retract_vote

pytestmark = pytest.mark.django_db


def voters(country: str, count: int):
    return UserFactory.create_batch(count, country=country)


def test_tally_splits_counts_by_the_voters_region(comment):
    """3 agree from Japan, 2 agree and 1 disagree from elsewhere: totals and breakdown match."""
    for user in voters("JP", 3):
        cast_vote(user=user, comment=comment, choice="agree")
    for user in voters("US", 2):
        cast_vote(user=user, comment=comment, choice="agree")
    cast_vote(user=UserFactory(country="KR"), comment=comment, choice="disagree")
    assert tally_comment(comment_id=comment.pk) is True
    comment.refresh_from_db()
    assert (comment.agree_count, comment.disagree_count) == (5, 1)
    assert (comment.agree_japan_count, comment.agree_world_count) == (3, 2)
    assert (comment.disagree_japan_count, comment.disagree_world_count) == (0, 1)
    assert comment.best_score == pytest.approx(scoring.wilson_lower_bound(5, 6))
    assert comment.tallied_at is not None


def test_tally_twice_changes_nothing(comment):
    """The tally is idempotent: the second run finds the counters right and writes nothing."""
    cast_vote(user=UserFactory(), comment=comment, choice="disagree")
    assert tally_comment(comment_id=comment.pk) is True
    comment.refresh_from_db()
    first = Counters.stored_on(comment), comment.tallied_at
    assert tally_comment(comment_id=comment.pk) is False
    comment.refresh_from_db()
    assert (Counters.stored_on(comment), comment.tallied_at) == first


def test_tally_repairs_counters_set_wrong_by_hand(comment):
    """Counters are rebuilt from the rows, whatever they held before."""
    cast_vote(user=UserFactory(), comment=comment, choice="agree")
    Comment.objects.filter(pk=comment.pk).update(agree_count=999, disagree_count=5)
    tally_comment(comment_id=comment.pk)
    comment.refresh_from_db()
    assert (comment.agree_count, comment.disagree_count) == (1, 0)


def test_retracted_votes_are_not_counted(comment):
    """A vote taken back keeps its row but drops out of the counts."""
    user = UserFactory()
    cast_vote(user=user, comment=comment, choice="agree")
    retract_vote(user=user, comment=comment)
    tally_comment(comment_id=comment.pk)
    comment.refresh_from_db()
    assert comment.agree_count == 0 and Vote.objects.get().choice is None


def test_reconciliation_finds_untallied_votes_from_the_database_alone(comment):
    """Votes whose tally never ran (no Redis mark, no task) are counted by the reconciliation."""
    other = CommentFactory(article=comment.article)
    for user in voters("JP", 2):
        cast_vote(user=user, comment=comment, choice="agree")
    cast_vote(user=UserFactory(), comment=other, choice="disagree")
    assert reconcile_vote_counters() == 2
    comment.refresh_from_db()
    other.refresh_from_db()
    assert comment.agree_japan_count == 2 and other.disagree_world_count == 1
    assert ReconciliationWatermark.objects.get().reconciled_until is not None
    assert reconcile_vote_counters() == 0


def test_recount_reports_how_many_counters_were_wrong(comment):
    """recount_all_votes checks every comment and fixes and reports the wrong ones."""
    CommentFactory(article=comment.article)
    cast_vote(user=UserFactory(), comment=comment, choice="agree")
    summary = recount_all_votes()
    assert (summary.checked, summary.wrong) == (2, 1)
    assert recount_all_votes().wrong == 0


def test_recount_votes_command_prints_a_summary(comment, capsys):
    """The operators' command ends with how many counters it found wrong."""
    from django.core.management import call_command

    cast_vote(user=UserFactory(), comment=comment, choice="agree")
    call_command("recount_votes")
    assert "Checked 1 comments; 1 had wrong counters and were fixed." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("positive", "total", "expected"),
    [(0, 0, 0.0), (1, 1, 0.2065), (10, 10, 0.7225), (50, 100, 0.4038), (600, 1000, 0.5693)],
)
def test_wilson_lower_bound_matches_known_values(positive, total, expected):
    assert scoring.wilson_lower_bound(positive, total) == pytest.approx(expected, abs=1e-4)


def test_controversy_rewards_many_evenly_split_votes():
    """Evenly split beats lopsided; more votes beat fewer at the same balance; one-sided is 0."""
    assert scoring.controversy(50, 50) > scoring.controversy(90, 10)
    assert scoring.controversy(50, 50) > scoring.controversy(5, 5)
    assert scoring.controversy(10, 0) == 0
    assert scoring.controversy(50, 50) == pytest.approx(100.0)
    assert scoring.controversy(90, 10) == pytest.approx(math.pow(100, 1 / 9))


def test_common_ground_needs_both_japan_and_the_world():
    """A comment only one side agrees with has no common ground."""
    both = scoring.common_ground(agree_japan=20, disagree_japan=2, agree_world=20, disagree_world=2)
    japan_only = scoring.common_ground(agree_japan=40, disagree_japan=0, agree_world=0, disagree_world=4)
    assert both > 0.6 and japan_only == 0
