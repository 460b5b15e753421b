import pytest
from django.urls import reverse

from forum.models import Section
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from votes.counting import tally_comment
from votes.services import cast_vote

pytestmark = pytest.mark.django_db


def test_home_lists_published_articles_newest_first(client):
    """Drafts are left out; the newest publication comes first."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    ArticleFactory(title="Older", published_at=now - timedelta(days=2))
    ArticleFactory(title="Newer", published_at=now - timedelta(days=1))
    ArticleFactory(title="Secret draft", status="draft")
    page = client.get(reverse("home")).content.decode()
    assert page.index("Newer") < page.index("Older")
    assert "Secret draft" not in page


def test_article_page_shows_body_prompt_and_both_sections(client, article):
    """Title, rendered body, discussion prompt and the two headed sections with their counts."""
    CommentFactory(article=article, author=UserFactory(country="JP"), body="From Osaka")
    CommentFactory(article=article, author=UserFactory(display_name="Ana", country="BR"), body="From Brazil")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<h1>Rare earths</h1>" in page
    assert "<h2>A subheading</h2>" in page and "<li>one point</li>" in page
    assert "What do you think?" in page
    assert "Reactions in Japan" in page and "Voices from Around the World" in page
    assert page.count("(1 comment)") == 2
    assert "Ana" in page and "Brazil" in page
    assert page.index("From Osaka") < page.index('id="heading-world"') < page.index("From Brazil")


def test_japan_reactions_are_unsigned(client, article):
    """Reactions in Japan are shown without the writer's name; world voices are signed."""
    CommentFactory(article=article, author=UserFactory(display_name="Hidden Name", country="JP"))
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Hidden Name" not in page.split('id="section-world"')[0].split('id="section-japan"')[1]


def test_each_comment_shows_agree_and_disagree_counts(client, article):
    """The buttons carry "I agree N" and "I disagree N" from the stored counters."""
    comment = CommentFactory(article=article)
    comment.agree_count, comment.disagree_count = 7, 3
    comment.save()
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'I agree <span class="count" data-count="agree">7</span>' in page
    assert 'I disagree <span class="count" data-count="disagree">3</span>' in page


def _article_with_comments(count: int):
    article = ArticleFactory()
    authors = [UserFactory(country="JP"), UserFactory(country="FR")]
    CommentFactory.create_batch(count, article=article, author=factory_cycle(authors))
    return article


def factory_cycle(items):
    import factory

    return factory.Iterator(items)


@pytest.mark.parametrize("comments", [10, 200])
def test_article_page_query_count_does_not_grow_with_comments(client, comments, django_assert_max_num_queries):
    """A signed-in reader's article page runs the same handful of queries at 10 and 200 comments."""
    article = _article_with_comments(comments)
    viewer = UserFactory(country="JP")
    client.force_login(viewer)
    # 7 for the page and its comments, 1 for the threads' first replies and their counts
    # (forum.selectors.attach_replies), 1 for the perception gap (forum.selectors.perception), 1
    # for the editors' picks (forum.selectors.editors_picks).
    with django_assert_max_num_queries(10):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('class="comment"') == min(comments, 200)


def test_article_page_paginates_long_sections(client):
    """A section longer than a page shows the first page and a link to the next."""
    article = ArticleFactory()
    CommentFactory.create_batch(105, article=article, author=UserFactory(country="JP"))
    first = client.get(article.get_absolute_url()).content.decode()
    second = client.get(article.get_absolute_url() + "?japan_page=2").content.decode()
    assert first.count('class="comment"') == 100 and "Page 1 of 2" in first
    assert second.count('class="comment"') == 5 and "Page 2 of 2" in second


def test_sort_choice_orders_each_section(client, article):
    """?sort=agreed puts the most agreed comment first; the choice is in the URL."""
    authors = UserFactory.create_batch(3, country="DE")
    low = CommentFactory(article=article, body="Few agree", author=authors[0])
    high = CommentFactory(article=article, body="Many agree", author=authors[1])
    for voter in authors[1:]:
        if voter != high.author:
            cast_vote(user=voter, comment=high, choice="agree")
    cast_vote(user=authors[0], comment=high, choice="agree")
    for c in (low, high):
        tally_comment(comment_id=c.pk)
    newest = client.get(article.get_absolute_url()).content.decode()
    agreed = client.get(article.get_absolute_url() + "?sort=agreed").content.decode()
    assert newest.index("Many agree") < newest.index("Few agree")  # posted later
    assert agreed.index("Many agree") < agreed.index("Few agree")
    assert 'href="?sort=agreed#comment-nav" aria-current="true"' in agreed


def test_unknown_sort_or_page_falls_back_instead_of_failing(client, article):
    """Junk in the query string never breaks the page."""
    CommentFactory(article=article)
    response = client.get(article.get_absolute_url() + "?sort=<x>&japan_page=-3&world_page=99999999999")
    assert response.status_code == 200


def test_section_values_are_the_two_sections():
    assert Section.values == ["japan", "world"]


@pytest.mark.parametrize("written", ["//evil.example/x", "/\\evil.example/x", " //evil.example/x"])
def test_a_scheme_relative_link_in_an_article_is_an_external_link(client, written):
    """A moderator's Markdown link to //host leaves the site: it is written out as https:// with
    the rel every external link carries, not left looking like a path on the site."""
    article = ArticleFactory(body=f"Read [the source]({written}).")
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<a href="https://evil.example/x" rel="noopener noreferrer nofollow">the source</a>' in page
    assert 'href="//' not in page and 'href="/\\' not in page
