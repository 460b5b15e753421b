"""Content versions (forum/caching.py): stable until a change, restarted above every earlier one
when lost, and bumped by the net under the services (forum.signals) for an article saved outside
them. Each service's own bump: tests/forum/test_every_service_bumps.py."""

import pytest
from django.core.cache import caches

from forum.caching import CACHE_ALIAS, article_version, version_key
from forum.models import Comment
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


def test_saving_the_article_anywhere_bumps_the_version(changes, article):
    """The shell's save too: kept pages are found by slug without a query."""
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
    caches[CACHE_ALIAS].delete(version_key(article.pk))
    assert article_version(article.pk) > before


def test_comments_deleted_outside_the_services_bump_the_version(changes, article):
    """A queryset's delete (the shell) or a cascade: the receiver per sender catches it."""
    comment = CommentFactory(article=article)
    assert changes(article, lambda: Comment.objects.filter(pk=comment.pk).delete())
