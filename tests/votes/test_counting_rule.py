"""One counting rule (votes.models.COUNTED) and one breakdown (votes.counting.breakdown_rows):
every path that counts votes agrees with it on the same data, voided and taken-back votes
included, and the vote's hot-path SQL agrees with the ORM query it stands in for."""

from datetime import timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.utils import timezone

from bench.measure import drifted_comments
from forum.models import Article, Comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from votes.counting import (
    counters_counted_now,
    counters_from_votes,
    recount_all_votes,
    stale_comment_ids,
    tally_comments,
)
from votes.models import Vote
from votes.selectors import comment_to_vote_on, overlay_own_votes
from votes.services import cast_vote, retract_vote, void_votes_of

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def voted(article):
    """Three comments: votes from Japan and elsewhere, one taken back, and a spammer's voided."""
    comments = CommentFactory.create_batch(3, article=article)
    spammer = UserFactory(country="JP")
    for n, user in enumerate([*UserFactory.create_batch(3, country="JP"), *UserFactory.create_batch(2, country="FR")]):
        for comment in comments:
            cast_vote(user=user, comment=comment, choice="agree" if (n + comment.pk) % 3 else "disagree")
    retract_vote(user=Vote.objects.filter(comment=comments[0]).first().user, comment=comments[0])
    for comment in comments:
        cast_vote(user=spammer, comment=comment, choice="agree")
    void_votes_of(user=spammer, voided_by=None)
    return comments


def expected_breakdown(comment: Comment) -> dict[str, int]:
    """Counted by hand in Python from the rows: what the rule says, written out once more."""
    counts = {"agree_japan": 0, "agree_world": 0, "disagree_japan": 0, "disagree_world": 0}
    for choice, region, voided_at in Vote.objects.filter(comment=comment).values_list("choice", "region", "voided_at"):
        if choice and voided_at is None:
            counts[f"{choice}_{region}"] += 1
    return counts


def test_every_count_path_agrees_on_voided_and_taken_back_votes(voted, reader):
    ids = [comment.pk for comment in voted]
    fresh = counters_from_votes(ids)
    for comment in voted:
        counters = fresh[comment.pk]
        by_hand = expected_breakdown(comment)
        assert {key: getattr(counters, f"{key}_count") for key in by_hand} == by_hand
        assert counters_counted_now(comment.pk) == counters, "the vote answer's compiled statement"
    assert counters.agree_count + counters.disagree_count == 5, "the voided vote is left out"

    # The reconciliation's lock-free check and the recount find exactly the comments stored wrong.
    assert sorted(stale_comment_ids(ids)) == ids  # nothing tallied yet
    tally_comments(comment_ids=ids[:2])
    assert stale_comment_ids(ids) == [ids[2]]
    assert recount_all_votes().wrong == 1
    assert stale_comment_ids(ids) == []
    for comment in Comment.objects.filter(pk__in=ids):
        assert counters_from_votes([comment.pk])[comment.pk].agree_count == comment.agree_count

    # The reader's overlay counts the same way.
    Comment.objects.filter(pk__in=ids).update(tallied_at=None)  # as if the reader's votes were newer
    page = list(Comment.objects.filter(pk__in=ids))
    cast_vote(user=reader, comment=page[1], choice="disagree")
    overlay_own_votes(user=reader, comments=page)
    assert page[1].disagree_count == counters_from_votes([page[1].pk])[page[1].pk].disagree_count


def test_the_benchmarks_drift_check_leaves_voided_votes_out(voted):
    if connection.vendor != "postgresql":
        pytest.skip("bench/measure.py's check is PostgreSQL SQL")
    tally_comments(comment_ids=[comment.pk for comment in voted])
    assert drifted_comments([comment.pk for comment in voted]) == []


def test_the_votes_comment_query_is_comment_readable(reader):
    """comment_to_vote_on's plain SQL finds exactly the comments Comment.objects.readable() finds."""
    now = timezone.now()
    published = ArticleFactory()
    draft = ArticleFactory(status=Article.Status.DRAFT)
    future = ArticleFactory()
    Article.objects.filter(pk=future.pk).update(published_at=now + timedelta(hours=1))
    comments = [
        CommentFactory(article=published),
        *(CommentFactory(article=published, status=status) for status in ("hidden", "held", "pending")),
        CommentFactory(article=draft),
        CommentFactory(article=future),
    ]
    cast_vote(user=reader, comment=comments[0], choice="agree")
    tally_comments(comment_ids=[comments[0].pk])  # a tallied_at to compare (text on SQLite)
    readable = set(Comment.objects.readable().filter(pk__in=[c.pk for c in comments]).values_list("pk", flat=True))
    assert readable == {comments[0].pk}, "the data covers every way of not being readable"
    for comment in comments:
        try:
            found = comment_to_vote_on(comment.pk)
        except Http404:
            assert comment.pk not in readable
            continue
        assert comment.pk in readable
        orm = Comment.objects.readable().select_related("article").get(pk=comment.pk)
        assert orm.tallied_at is not None
        for name in ("article_id", "author_id", "section", "status", "tallied_at"):
            assert getattr(found, name) == getattr(orm, name)
        for name in ("slug", "status", "comments_open", "japan_open", "world_open"):
            assert getattr(found.article, name) == getattr(orm.article, name)
