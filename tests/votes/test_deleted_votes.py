"""Deleted vote rows are counted out by the reconciliation, whoever deletes them: the database
records the comments that lost votes (votes_deletedvote, written by triggers), because a deleted
row leaves no ``updated_at`` for the watermark to find."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import CommentFactory, UserFactory
from tests.faults.helpers import wrong_counters
from votes.counting import reconcile_vote_counters, tally_comments
from votes.models import DeletedVote, Vote
from votes.services import cast_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def voted(article):
    """Three comments, each with votes from a leaving voter and a staying one, tallied and
    reconciled long ago: the watermark is past every vote, as in a forum that has been running."""
    comments = CommentFactory.create_batch(3, article=article)
    leaving, staying = UserFactory(country="JP"), UserFactory(country="DE")
    for comment in comments:
        cast_vote(user=leaving, comment=comment, choice="agree")
        cast_vote(user=staying, comment=comment, choice="disagree")
    Vote.objects.update(updated_at=timezone.now() - timedelta(hours=1))
    tally_comments(comment_ids=[c.pk for c in comments])
    reconcile_vote_counters()
    assert not DeletedVote.objects.exists()
    return [c.pk for c in comments], leaving


def raw_sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.parametrize(
    "delete",
    [
        pytest.param(lambda leaving: leaving.delete(), id="account-deleted-cascade"),
        pytest.param(lambda leaving: Vote.objects.filter(user=leaving).delete(), id="queryset-delete"),
        pytest.param(lambda leaving: raw_sql("DELETE FROM votes_vote WHERE user_id = %s", [leaving.pk]), id="raw-sql"),
        pytest.param(
            # A vote voided in place: the row stays with no choice, and its updated_at is untouched.
            lambda leaving: raw_sql("UPDATE votes_vote SET choice = NULL WHERE user_id = %s", [leaving.pk]),
            id="voided-in-place",
        ),
    ],
)
def test_reconciliation_counts_out_votes_removed_by_any_path(voted, delete):
    """After the leaving voter's votes are removed, one reconciliation makes every counter equal its rows."""
    comment_ids, leaving = voted
    delete(leaving)
    assert set(wrong_counters(comment_ids)) == set(comment_ids)  # stale until reconciled
    assert reconcile_vote_counters() == 3
    assert wrong_counters(comment_ids) == {}
    assert not DeletedVote.objects.exists(), "the records are consumed"


def test_one_statement_records_each_comment_once(voted):
    """On PostgreSQL a bulk delete writes one record per comment per statement, not one per row
    (SQLite has only row triggers: one per row there)."""
    comment_ids, _leaving = voted
    Vote.objects.filter(comment_id__in=comment_ids).delete()
    recorded = sorted(DeletedVote.objects.values_list("comment_id", flat=True))
    if connection.vendor == "postgresql":
        assert recorded == sorted(comment_ids)
    else:
        assert recorded == sorted(comment_ids * 2)


def test_votes_cast_and_switched_through_the_app_write_no_records(comment):
    """The application's own writes set a new updated_at, which the watermark finds: no record."""
    # On SQLite, flushing after a transactional test is a DELETE that the trigger records.
    DeletedVote.objects.all().delete()
    voter = UserFactory()
    cast_vote(user=voter, comment=comment, choice="agree")
    cast_vote(user=voter, comment=comment, choice="disagree")
    assert not DeletedVote.objects.exists()


def test_a_vote_moved_to_another_comment_is_counted_out_of_the_old_one(voted, article):
    """An operator moving a vote row: both comments are re-tallied, though updated_at is new."""
    comment_ids, leaving = voted
    target = CommentFactory(article=article)
    raw_sql(
        "UPDATE votes_vote SET comment_id = %s, updated_at = %s WHERE user_id = %s AND comment_id = %s",
        [target.pk, timezone.now(), leaving.pk, comment_ids[0]],
    )
    reconcile_vote_counters()
    assert wrong_counters([*comment_ids, target.pk]) == {}
