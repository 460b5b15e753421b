"""Unusual voting: many votes from young accounts within a short window flag the comment, once,
with one statement per tally batch."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from forum.models import Comment
from tests.factories import CommentFactory, UserFactory
from votes.counting import flag_unusual_voting, tally_comments
from votes.models import Vote
from votes.services import cast_vote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.FORUM_UNUSUAL_VOTES = 3
    settings.FORUM_UNUSUAL_ACCOUNT_AGE_HOURS = 24
    settings.FORUM_UNUSUAL_WINDOW_MINUTES = 10


def young(count: int) -> list[User]:
    return UserFactory.create_batch(count)  # joined just now


def old(count: int) -> list[User]:
    users = UserFactory.create_batch(count)
    User.objects.filter(pk__in=[u.pk for u in users]).update(date_joined=timezone.now() - timedelta(days=30))
    return users


def flagged(comment: Comment):
    comment.refresh_from_db()
    return comment.unusual_voting_at


def test_a_burst_from_young_accounts_is_flagged_after_the_tally(comment):
    for user in young(3):
        cast_vote(user=user, comment=comment, choice="agree")
    tally_comments(comment_ids=[comment.pk])
    assert flagged(comment) is not None


def test_below_the_threshold_or_from_old_accounts_is_not(comment):
    for user in [*young(2), *old(5)]:
        cast_vote(user=user, comment=comment, choice="agree")
    tally_comments(comment_ids=[comment.pk])
    assert flagged(comment) is None


def test_votes_outside_the_window_do_not_count(comment):
    for user in young(3):
        cast_vote(user=user, comment=comment, choice="agree")
    Vote.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    tally_comments(comment_ids=[comment.pk])
    assert flagged(comment) is None


def test_voided_votes_do_not_count(comment):
    voters = young(3)
    for user in voters:
        cast_vote(user=user, comment=comment, choice="agree")
    Vote.objects.filter(user=voters[0]).update(voided_at=timezone.now())
    tally_comments(comment_ids=[comment.pk])
    assert flagged(comment) is None


def test_flagged_once(comment):
    for user in young(3):
        cast_vote(user=user, comment=comment, choice="agree")
    tally_comments(comment_ids=[comment.pk])
    first = flagged(comment)
    cast_vote(user=young(1)[0], comment=comment, choice="disagree")
    tally_comments(comment_ids=[comment.pk])
    assert flagged(comment) == first


def test_one_statement_per_batch_when_nothing_is_flagged(article):
    """The check after every tally batch; flagging itself costs a few more, a fixed number
    whatever the batch (tests/moderation/test_vote_bursts.py)."""
    comments = CommentFactory.create_batch(20, article=article)
    for comment in comments[:10]:
        for user in young(2):
            cast_vote(user=user, comment=comment, choice="agree")
    with CaptureQueriesContext(connection) as queries:
        assert flag_unusual_voting(comment_ids=[c.pk for c in comments]) == 0
    assert len(queries) == 1
    assert not Comment.objects.filter(unusual_voting_at__isnull=False).exists()
