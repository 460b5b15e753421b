"""Who a comment names, and which comments exist at all, for every kind of viewer and path.

- Reactions in Japan are unsigned: their author is null (API) and no byline shows (page) except
  for the author and moderators (staff). World voices are signed for everyone.
- A comment under an article sent back to draft (or scheduled for later) is unknown on every
  path: API detail, edit, delete and vote, and the page's vote and counts endpoints.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forum.models import Article
from tests.api.conftest import client_for, comment_url, comments_url, vote_url
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

JAPAN_NAME = "Secret Osakan"
JAPAN_USERNAME = "demo-japan-18"


@pytest.fixture
def japan_author(db):
    return UserFactory(username=JAPAN_USERNAME, display_name=JAPAN_NAME, country="JP")


@pytest.fixture
def japan_comment(open_article, japan_author):
    return CommentFactory(article=open_article, author=japan_author, body="An unsigned reaction.")


@pytest.fixture
def world_comment(open_article):
    return CommentFactory(article=open_article, author=UserFactory(display_name="Berliner", country="DE"))


def _viewer(kind: str, japan_author, moderator):
    return {
        "anonymous": None,
        "reader": UserFactory(display_name="Someone Else", country="JP"),
        "author": japan_author,
        "moderator": moderator,
    }[kind]


# Who sees the author of a reaction in Japan, and whether the API calls it theirs.
VIEWERS = [("anonymous", False, False), ("reader", False, False), ("author", True, True), ("moderator", True, False)]


@pytest.mark.parametrize("kind, sees_author, mine", VIEWERS)
def test_api_names_a_japan_reaction_only_to_its_author_and_moderators(
    kind, sees_author, mine, japan_comment, world_comment, japan_author, moderator
):
    viewer = _viewer(kind, japan_author, moderator)
    client = client_for(viewer)

    listed = client.get(comments_url(japan_comment.article, section="japan")).json()["results"]
    single = client.get(comment_url(japan_comment)).json()
    world = client.get(comment_url(world_comment)).json()

    for answer in (listed[0], single):
        assert answer["id"] == japan_comment.pk
        assert answer["is_mine"] is mine
        if sees_author:
            assert answer["author"] == {"display_name": JAPAN_NAME, "country": None, "badge": None}
        else:
            assert answer["author"] is None
    # World voices are signed for everyone, and never anyone's but their author's.
    assert world["author"] == {"display_name": "Berliner", "country": "DE", "badge": None} and world["is_mine"] is False


def test_api_never_falls_back_to_the_username_of_a_japan_reaction(open_article, reader):
    """The leak as reported: no display name, so public_name was the login username."""
    CommentFactory(article=open_article, author=UserFactory(username=JAPAN_USERNAME, display_name="", country="JP"))

    for client in (client_for(None), client_for(reader)):
        body = client.get(comments_url(open_article, section="japan")).content.decode()
        assert JAPAN_USERNAME not in body


def test_a_reaction_posted_through_the_api_is_named_only_to_its_author(open_article, japan_author, reader):
    posted = client_for(japan_author).post(comments_url(open_article), {"body": "Mine."}, format="json").json()

    assert (
        posted["author"] == {"display_name": JAPAN_NAME, "country": None, "badge": None} and posted["is_mine"] is True
    )
    assert client_for(reader).get(comment_url(posted["id"])).json()["author"] is None


@pytest.mark.parametrize("kind, sees_author, mine", VIEWERS)
def test_page_shows_a_japan_byline_only_to_its_author_and_moderators(
    kind, sees_author, mine, client, japan_comment, world_comment, japan_author, moderator
):
    viewer = _viewer(kind, japan_author, moderator)
    if viewer is not None:
        client.force_login(viewer)

    page = client.get(japan_comment.article.get_absolute_url()).content.decode()
    japan_section = page.split('id="section-japan"')[1].split('id="section-world"')[0]

    assert "An unsigned reaction." in japan_section
    assert (JAPAN_NAME in japan_section) is sees_author
    assert JAPAN_USERNAME not in page
    assert "Berliner" in page.split('id="section-world"')[1]


# --- Comments of unpublished articles ------------------------------------------------------------


def _unpublish(article: Article, how: str) -> None:
    if how == "draft":
        Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    else:  # scheduled: published, but not yet
        Article.objects.filter(pk=article.pk).update(published_at=timezone.now() + timedelta(days=1))


@pytest.mark.parametrize("how", ["draft", "scheduled"])
def test_comments_of_an_unpublished_article_are_unknown_on_every_api_path(how, authored_comment, author, reader):
    assert client_for(reader).get(comment_url(authored_comment)).status_code == 200
    _unpublish(authored_comment.article, how)

    assert client_for(None).get(comment_url(authored_comment)).status_code == 404
    assert client_for(reader).get(comment_url(authored_comment)).status_code == 404
    assert client_for(author).get(comment_url(authored_comment)).status_code == 404
    patched = client_for(author).patch(comment_url(authored_comment), {"body": "Changed."}, format="json")
    assert patched.status_code == 404 and patched.json() == {"detail": "Not found."}
    assert client_for(reader).put(vote_url(authored_comment), {"choice": "agree"}, format="json").status_code == 404
    assert client_for(reader).delete(vote_url(authored_comment)).status_code == 404
    assert client_for(author).delete(comment_url(authored_comment)).status_code == 404
    authored_comment.refresh_from_db()  # still there, unchanged, for when the article returns
    assert authored_comment.body == "The author's own words."


@pytest.mark.parametrize("how", ["draft", "scheduled"])
def test_comments_of_an_unpublished_article_are_unknown_to_the_web_counts_and_vote(how, comment, reader):
    client = Client()
    client.force_login(reader)
    counts = reverse("vote_counts", args=[comment.pk])
    assert client.get(counts).status_code == 200
    _unpublish(comment.article, how)

    assert client.get(counts).status_code == 404
    voted = client.post(reverse("vote", args=[comment.pk]), {"choice": "agree"})
    assert voted.status_code == 404
    assert not comment.votes.exists()


def test_republishing_brings_the_comments_back(comment, reader):
    article = comment.article
    article.status = Article.Status.DRAFT
    article.save()
    assert client_for(reader).get(comment_url(comment)).status_code == 404
    article.status = Article.Status.PUBLISHED
    article.save()
    assert client_for(reader).get(comment_url(comment)).status_code == 200
