"""Fixtures of the article page's tests: small pages, and a section whose sorts all differ."""

import pytest

from forum import selectors
from tests.factories import CommentFactory, UserFactory
from votes.counting import recount_all_votes
from votes.models import Vote

PER_PAGE = 3


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(selectors, "COMMENTS_PER_PAGE", PER_PAGE)


@pytest.fixture
def world(article):
    """Ten world comments with varied votes, so every sort has its own order (and ties)."""
    comments = [CommentFactory(article=article, author=UserFactory(country="GB")) for _ in range(10)]
    voters = [UserFactory() for _ in range(4)]
    Vote.objects.bulk_create(
        Vote(
            user=voter,
            comment=comment,
            choice="agree" if (n + k) % 3 else "disagree",
            region="world",
            updated_at=comment.created_at,
        )
        for n, comment in enumerate(comments)
        for k, voter in enumerate(voters[: n % 5])
    )
    recount_all_votes()
    return comments
