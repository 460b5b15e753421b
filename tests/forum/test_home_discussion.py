"""The home page shows that articles have discussions: comments per section and latest activity,
for the whole list in one aggregate query."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from forum import selectors
from forum.models import Comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_counts_per_section_and_latest_activity(client):
    busy = ArticleFactory(title="Busy")
    quiet = ArticleFactory(title="Quiet")
    CommentFactory(article=busy, author=UserFactory(country="JP"))
    CommentFactory(article=busy, author=UserFactory(country="JP"))
    latest = CommentFactory(article=busy, author=UserFactory(country="BR"))
    CommentFactory(article=busy, author=UserFactory(country="FR"), status=Comment.Status.HIDDEN)
    articles = {a.title: a for a in selectors.home_articles()}
    assert [(key, total) for key, _, total in articles["Busy"].section_counts] == [("japan", 2), ("world", 1)]
    assert articles["Busy"].latest_activity == latest.created_at
    assert [total for _, _, total in articles["Quiet"].section_counts] == [0, 0]
    assert articles["Quiet"].latest_activity is None

    page = client.get(reverse("home")).content.decode()
    assert "Reactions in Japan: 2 comments" in page
    assert "Voices from Around the World: 1 comment<" in page
    assert f'href="{busy.get_absolute_url()}#section-world"' in page
    assert "Latest activity:" in page
    assert "No comments yet: be the first." in page
    assert f'<time datetime="{latest.created_at.astimezone(timezone.get_current_timezone()).isoformat()}' in page
    assert quiet.title in page


def test_the_counts_are_the_sections_and_a_reply_is_activity(article):
    """The home page counts what the article page's sections count, top-level comments; a reply
    (in its thread, whoever writes it) is activity all the same."""
    reaction = CommentFactory(article=article, author=UserFactory(country="JP"))
    reply = CommentFactory(
        article=article, author=UserFactory(country="DE"), parent=reaction, reply_to=reaction, section="japan"
    )
    listed = selectors.home_articles()[0]
    assert [(key, total) for key, _, total in listed.section_counts] == [("japan", 1), ("world", 0)]
    assert listed.latest_activity == reply.created_at


def test_a_counted_vote_is_activity(article):
    comment = CommentFactory(article=article, created_at=timezone.now() - timedelta(days=3))
    tallied = timezone.now() - timedelta(hours=1)
    Comment.objects.filter(pk=comment.pk).update(tallied_at=tallied)
    assert selectors.home_articles()[0].latest_activity == tallied


@pytest.mark.embedded
def test_one_query_for_the_whole_list(client, django_assert_max_num_queries):
    for n in range(12):
        article = ArticleFactory()
        for country in ("JP", "US", "KR")[: n % 3 + 1]:
            CommentFactory(article=article, author=UserFactory(country=country))
    with django_assert_max_num_queries(1):
        articles = selectors.home_articles()
        assert len(articles) == 12
    # The page adds only the session and user lookups of a signed-out visit (none) to it.
    with django_assert_max_num_queries(1):
        assert client.get(reverse("home")).status_code == 200


def test_drafts_and_future_articles_stay_off(client):
    ArticleFactory(title="Draft piece", status="draft")
    ArticleFactory(title="Tomorrow's piece", published_at=timezone.now() + timedelta(days=1))
    page = client.get(reverse("home")).content.decode()
    assert "Draft piece" not in page and "Tomorrow&#x27;s piece" not in page
