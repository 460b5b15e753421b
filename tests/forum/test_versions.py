"""Every change a reader could see on an article's page bumps its content version (forum/versions.py)."""

import pytest
from django.core.cache import caches

from forum import services
from forum.models import Article, Comment, Section
from forum.versions import CACHE_ALIAS, article_version
from tests.factories import CommentFactory, UserFactory
from votes.counting import tally_comment
from votes.models import Vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes(django_capture_on_commit_callbacks):
    """Whether the action changed the article's version. Versions are bumped after commit: the
    test's transaction never commits, so the after-commit work runs as a commit would run it."""

    def changed(article, action) -> bool:
        before = article_version(article.pk)
        with django_capture_on_commit_callbacks(execute=True):
            action()
        return article_version(article.pk) != before

    return changed


def test_a_version_is_stable_until_something_changes(article):
    assert article_version(article.pk) == article_version(article.pk)


def test_posting_editing_and_deleting_a_comment_bump_the_version(changes, article, reader):
    holder = {}
    assert changes(
        article, lambda: holder.setdefault("c", services.post_comment(author=reader, article=article, body="Hi"))
    )
    comment = holder["c"]
    assert changes(article, lambda: services.edit_comment(user=reader, comment=comment, body="Hello"))
    assert changes(article, lambda: services.delete_comment(user=reader, comment=comment))


def test_moderators_bulk_changes_bump_the_version(changes, article):
    comment = CommentFactory(article=article)
    rows = Comment.objects.filter(pk=comment.pk)
    assert changes(article, lambda: services.set_comment_status(comments=list(rows), status=Comment.Status.HIDDEN))
    assert changes(article, lambda: services.set_comment_status(comments=list(rows), status=Comment.Status.VISIBLE))
    assert changes(article, lambda: services.move_comments(comments=rows, section=Section.JAPAN))
    articles = Article.objects.filter(pk=article.pk)
    assert changes(article, lambda: services.set_comments_open(articles=articles, is_open=False))


def test_saving_the_article_bumps_the_version(changes, article):
    article.title = "New title"
    assert changes(article, article.save)


def test_a_tally_bumps_only_when_counters_change(changes, article):
    comment = CommentFactory(article=article)
    Vote.objects.create(
        user=UserFactory(), comment=comment, choice="agree", region="world", updated_at=comment.created_at
    )
    assert changes(article, lambda: tally_comment(comment_id=comment.pk))
    assert not changes(article, lambda: tally_comment(comment_id=comment.pk))


def test_a_lost_version_restarts_above_every_earlier_one(article):
    before = article_version(article.pk)
    caches[CACHE_ALIAS].delete(f"article:{article.pk}:version")
    assert article_version(article.pk) > before
