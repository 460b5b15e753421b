"""A comment's permalink (/comments/<id>/) leads to the page of its section that shows it, in the
reader's sort, so links from elsewhere (the perception gap, "My comments", "My votes", back from
editing or reporting) land on the comment even when it is not on the first page."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from forum.models import Article, Comment
from forum.selectors import DEFAULT_SORT, SORTS, section_comments
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.forum.conftest import PER_PAGE
from votes.models import Vote

pytestmark = pytest.mark.django_db


def _followed(client, comment, sort=None):
    """The permalink's redirect (its address and query), then the page it leads to."""
    url = comment.get_absolute_url() + (f"?sort={sort}" if sort else "")
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    page = client.get(f"{location.path}?{location.query}")
    assert page.status_code == 200
    return location, page.content.decode()


@pytest.mark.parametrize("sort", list(SORTS))
def test_every_comment_s_permalink_leads_to_the_page_that_shows_it(client, article, world, small_pages, sort):
    ordered = list(section_comments(article=article, section="world", sort=sort))
    for position, comment in enumerate(ordered):
        location, page = _followed(client, comment, sort)
        expected_page = position // PER_PAGE + 1
        query = parse_qs(location.query)
        assert location.path == article.get_absolute_url()
        assert location.fragment == f"comment-{comment.pk}"
        assert query.get("world_page", ["1"]) == [str(expected_page)]
        assert query.get("sort", [DEFAULT_SORT]) == [sort]
        assert f'id="comment-{comment.pk}"' in page


def test_a_comment_on_the_first_page_needs_no_page_in_its_address(client, article, world, small_pages):
    newest = section_comments(article=article, section="world", sort=DEFAULT_SORT).first()
    response = client.get(newest.get_absolute_url())
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{newest.pk}"


def test_an_unknown_sort_falls_back_to_the_default(client, comment):
    response = client.get(comment.get_absolute_url() + "?sort=<script>")
    assert response["Location"] == f"{comment.article.get_absolute_url()}#comment-{comment.pk}"


def test_a_comment_out_of_view_leads_to_its_article_and_an_unpublished_one_to_nothing(client, article):
    held = CommentFactory(article=article, status=Comment.Status.HELD)
    assert client.get(held.get_absolute_url())["Location"] == article.get_absolute_url()
    draft = CommentFactory(article=ArticleFactory(status=Article.Status.DRAFT))
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("comment", args=[10**9])).status_code == 404


def test_the_redirect_costs_two_queries(client, article, world, small_pages, django_assert_max_num_queries):
    last = list(section_comments(article=article, section="world", sort="best"))[-1]
    with django_assert_max_num_queries(2):
        response = client.get(last.get_absolute_url() + "?sort=best")
    assert parse_qs(urlsplit(response["Location"]).query) == {"sort": ["best"], "world_page": ["4"]}


def test_pages_link_to_comments_by_their_permalink(client, article):
    """The perception gap (in the reader's sort), "My votes" and the edit page's way back."""
    favourite = CommentFactory(article=article, author=UserFactory(country="JP"), agree_japan_count=5, agree_count=5)
    reader = UserFactory(country="JP")
    Vote.objects.create(user=reader, comment=favourite, choice="agree", region="japan", updated_at=favourite.created_at)
    client.force_login(reader)

    article_page = client.get(article.get_absolute_url() + "?sort=best").content.decode()
    assert f'href="{favourite.get_absolute_url()}?sort=best"' in article_page
    assert f'href="{favourite.get_absolute_url()}"' in client.get(reverse("my_votes")).content.decode()
    client.force_login(favourite.author)
    edit_page = client.get(reverse("edit_comment", args=[favourite.pk])).content.decode()
    assert f'href="{favourite.get_absolute_url()}"' in edit_page
