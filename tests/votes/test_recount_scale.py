"""recount_all_votes at scale: set-based batches that rebuild exactly what a tally would, in a
number of statements that depends on the batches, not on the comments or the votes."""

import pytest
from django.core.management import call_command
from django.db import connection

from forum.caching import article_version
from forum.models import COUNTER_FIELDS, Comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from votes import counting
from votes.counting import Counters, counters_from_votes, recount_all_votes
from votes.models import Vote


def _vote(user, comment, choice, region):
    return Vote(user=user, comment=comment, choice=choice, region=region, updated_at=comment.created_at)


@pytest.fixture
def spread(db):
    """Seven comments over two articles with a mix of votes, one retracted (no choice), and one
    comment with no votes at all but wrong stored counters."""
    articles = [ArticleFactory(), ArticleFactory()]
    comments = [CommentFactory(article=articles[i % 2]) for i in range(7)]
    users = [UserFactory() for _ in range(5)]
    votes = []
    for n, comment in enumerate(comments[:-1]):
        for k, user in enumerate(users[: n + 1]):
            choice = None if (n, k) == (3, 0) else ("agree" if (n + k) % 3 else "disagree")
            votes.append(_vote(user, comment, choice, "japan" if k % 2 else "world"))
    Vote.objects.bulk_create(votes)
    Comment.objects.filter(pk=comments[-1].pk).update(agree_count=4, best_score=0.5)
    return comments


def _stored(comment_id: int) -> Counters:
    return Counters.stored_on(Comment.objects.only(*COUNTER_FIELDS).get(pk=comment_id))


@pytest.mark.parametrize("batch_size", [2, 5000])
def test_recount_rebuilds_exactly_what_a_tally_counts(spread, monkeypatch, batch_size):
    monkeypatch.setattr(counting, "RECOUNT_BATCH_SIZE", batch_size)
    steps = []
    summary = recount_all_votes(progress=steps.append)
    assert summary.checked == len(spread) == sum(steps)
    assert summary.wrong == len(spread)  # six with votes never tallied, one with made-up counts
    for comment in spread:
        assert _stored(comment.pk) == counters_from_votes([comment.pk])[comment.pk]
    assert _stored(spread[-1].pk) == Counters()
    assert recount_all_votes().wrong == 0


def test_a_retracted_vote_is_not_counted(spread):
    recount_all_votes()
    retracted_on = spread[3]
    assert Vote.objects.filter(comment=retracted_on, choice__isnull=True).count() == 1
    stored = _stored(retracted_on.pk)
    assert stored.agree_count + stored.disagree_count == 3


def test_right_counters_are_not_written_again(spread):
    recount_all_votes()
    tallied = dict(Comment.objects.values_list("pk", "tallied_at"))
    assert recount_all_votes().wrong == 0
    assert dict(Comment.objects.values_list("pk", "tallied_at")) == tallied


def test_a_recount_that_fixes_counters_bumps_those_articles_versions(spread, django_capture_on_commit_callbacks):
    """Versions are bumped after commit: each recount's after-commit work runs as a commit would run it."""
    before = {comment.article_id: article_version(comment.article_id) for comment in spread}
    with django_capture_on_commit_callbacks(execute=True):
        recount_all_votes()
    assert all(article_version(pk) != version for pk, version in before.items())
    settled = {pk: article_version(pk) for pk in before}
    with django_capture_on_commit_callbacks(execute=True):
        recount_all_votes()
    assert {pk: article_version(pk) for pk in before} == settled


def test_statements_per_batch_do_not_grow_with_the_votes(spread, monkeypatch, django_assert_max_num_queries):
    """Per batch: the ids, the unlocked comparison (two reads), the lock, the locked count, the
    write; plus the final empty id read and the savepoint statements of atomic()."""
    monkeypatch.setattr(counting, "RECOUNT_BATCH_SIZE", 5000)
    users = [UserFactory() for _ in range(20)]
    Vote.objects.bulk_create([_vote(user, comment, "agree", "world") for comment in spread for user in users])
    with django_assert_max_num_queries(9):
        assert recount_all_votes().checked == len(spread)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the unnest write is PostgreSQL's")
def test_the_scale_loader_and_the_recount_agree(db, capsys):
    call_command("load_scale", slug="recount-check", comments=300, votes=2000, users=50)
    assert Vote.objects.filter(comment__article__slug="recount-check").count() == 2000
    summary = recount_all_votes()
    assert summary.checked == 300
    ids = list(Comment.objects.filter(article__slug="recount-check").values_list("pk", flat=True))
    fresh = counters_from_votes(ids)
    assert all(_stored(pk) == fresh[pk] for pk in ids)
    assert sum(fresh[pk].agree_count + fresh[pk].disagree_count for pk in ids) == 2000
    assert len({fresh[pk].best_score for pk in ids}) > 1  # the sorts have an order to show
    call_command("load_scale", slug="recount-check", comments=300, votes=2000, users=50)
    assert "nothing created" in capsys.readouterr().out
