"""Articles and comments through the API: what a comment carries, sections, sorts, pagination
while comments arrive, editing, and a constant number of queries per page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum.models import Article, Comment
from tests.api.conftest import client_for, comment_url, comments_url
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from votes.counting import tally_comment
from votes.models import Vote
from votes.services import cast_vote

pytestmark = pytest.mark.django_db


def test_articles_list_published_newest_first(anonymous_client):
    """Only published articles are listed, the newest first."""
    now = timezone.now()
    ArticleFactory(slug="older", published_at=now - timedelta(days=2))
    ArticleFactory(slug="newer", published_at=now - timedelta(days=1))
    ArticleFactory(slug="draft", status=Article.Status.DRAFT)

    response = anonymous_client.get("/api/v1/articles/")

    assert response.status_code == 200
    assert [article["slug"] for article in response.json()["results"]] == ["newer", "older"]


def test_article_detail_counts_visible_comments_per_section(anonymous_client, open_article, reader, japan_reader):
    """The article answer carries its sanitised body and the visible comments per section."""
    CommentFactory(article=open_article, author=reader)
    CommentFactory(article=open_article, author=japan_reader)
    CommentFactory(article=open_article, author=japan_reader, status=Comment.Status.HIDDEN)

    response = anonymous_client.get(f"/api/v1/articles/{open_article.slug}/")

    assert response.status_code == 200
    assert response.json()["comment_totals"] == {"japan": 1, "world": 1}
    assert "<h2>A subheading</h2>" in response.json()["body_html"]


def test_comment_carries_author_counts_and_the_readers_own_vote(open_article, reader, japan_reader):
    """A comment shows its body, section, author (with country, for world voices), counts by region
    and, for the signed-in reader, their own vote."""
    world_comment = CommentFactory(article=open_article, author=UserFactory(display_name="Berliner", country="DE"))
    japan_comment = CommentFactory(article=open_article, author=UserFactory(display_name="Osakan", country="JP"))
    cast_vote(user=reader, comment=world_comment, choice="agree")
    cast_vote(user=japan_reader, comment=world_comment, choice="disagree")
    tally_comment(comment_id=world_comment.pk)

    world = client_for(reader).get(comments_url(open_article, section="world")).json()["results"]
    japan = client_for(reader).get(comments_url(open_article, section="japan")).json()["results"]

    assert [c["id"] for c in world] == [world_comment.pk] and [c["id"] for c in japan] == [japan_comment.pk]
    assert world[0]["author"] == {"display_name": "Berliner", "country": "DE", "badge": None}
    assert japan[0]["author"] is None  # reactions in Japan are unsigned (see test_comment_privacy)
    counts = world[0]["counts"]
    assert (counts["agree"], counts["agree_world"], counts["disagree"], counts["disagree_japan"]) == (1, 1, 1, 1)
    assert counts["tallied_at"] is not None
    assert world[0]["my_vote"] == "agree" and japan[0]["my_vote"] is None
    assert world[0]["is_edited"] is False and world[0]["is_mine"] is False


def test_comment_list_sorts_by_the_stored_counters(anonymous_client, open_article):
    """sort=agreed orders by agree count, ties broken by the newer id."""
    low, high, middle = (CommentFactory(article=open_article, author=UserFactory(country="US")) for _ in range(3))
    Comment.objects.filter(pk=high.pk).update(agree_count=9)
    Comment.objects.filter(pk=middle.pk).update(agree_count=4)

    response = anonymous_client.get(comments_url(open_article, section="world", sort="agreed"))

    assert [c["id"] for c in response.json()["results"]] == [high.pk, middle.pk, low.pk]


@pytest.mark.parametrize("sort", ["newest", "best", "agreed", "controversial"])
def test_pagination_neither_skips_nor_repeats_while_comments_arrive(open_article, sort):
    """Walking a section page by page while new comments arrive (they tie with the old ones on
    every score) returns every comment that existed at the start exactly once."""
    writers = [UserFactory(country="US") for _ in range(3)]
    existing = {CommentFactory(article=open_article, author=writers[n % 3]).pk for n in range(23)}
    client = client_for(UserFactory(country="US"))

    seen: list[int] = []
    url = comments_url(open_article, section="world", sort=sort, page_size=5)
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen += [comment["id"] for comment in page.json()["results"]]
        CommentFactory(article=open_article, author=writers[0], body="Arrived mid-walk.")
        url = page.json()["next"]

    assert len(seen) == len(set(seen))
    assert existing <= set(seen)


def _list_queries(client, article) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(comments_url(article, section="world", page_size=100))
    assert response.status_code == 200
    return len(queries)


def test_comment_list_runs_the_same_queries_at_10_and_1000_comments(
    open_article, reader, django_assert_max_num_queries
):
    """A page costs the same queries with 10 comments as with 1,000: token, article, page, votes."""
    voters = [UserFactory(country="US") for _ in range(3)]

    def add_comments(count: int) -> None:
        authors = [UserFactory(country="FR") for _ in range(5)]
        Comment.objects.bulk_create(
            Comment(article=open_article, author=authors[n % 5], section="world", body=f"c{n}") for n in range(count)
        )
        for comment in Comment.objects.filter(article=open_article).order_by("-id")[:20]:
            for voter in voters:
                Vote.objects.get_or_create(
                    user=voter,
                    comment=comment,
                    defaults={"choice": "agree", "region": "world", "updated_at": timezone.now()},
                )

    client = client_for(voters[0])
    add_comments(10)
    at_10 = _list_queries(client, open_article)
    add_comments(990)
    with django_assert_max_num_queries(at_10):
        at_1000 = _list_queries(client, open_article)

    assert Comment.objects.filter(article=open_article).count() == 1000
    assert at_10 == at_1000 <= 4


def test_posted_comment_lands_in_the_authors_section(open_article, japan_reader):
    """A reader in Japan posts under Reactions in Japan; the answer links to the new comment."""
    response = client_for(japan_reader).post(comments_url(open_article), {"body": "  Interesting.  "}, format="json")

    assert response.status_code == 201
    assert response.json()["section"] == "japan" and response.json()["body"] == "Interesting."
    assert response["Location"].endswith(comment_url(response.json()["id"]))
    assert Comment.objects.get(pk=response.json()["id"]).author == japan_reader


def test_posting_on_a_closed_discussion_is_refused_with_the_reason(reader):
    """Comments closed: 403 with the page's message, and nothing stored."""
    closed = ArticleFactory(comments_open=False)

    response = client_for(reader).post(comments_url(closed), {"body": "Hello?"}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Comments on this article are closed.", "code": "discussion_closed"}
    assert not Comment.objects.filter(article=closed).exists()


def test_author_edits_within_the_window_and_the_comment_shows_as_edited(authored_comment, author):
    """An edit inside the window rewrites the body and marks the comment edited."""
    response = client_for(author).patch(comment_url(authored_comment), {"body": "Better words."}, format="json")

    assert response.status_code == 200
    assert response.json()["body"] == "Better words." and response.json()["is_edited"] is True
    assert response.json()["edited_at"] is not None


def _edit_window_passed(comment, settings) -> None:
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.COMMENT_EDIT_WINDOW_SECONDS + 1)
    )


def _discussion_closed(comment, settings) -> None:
    Article.objects.filter(pk=comment.article_id).update(comments_open=False)


@pytest.mark.parametrize(
    "make_too_late, reason, code",
    [
        (_edit_window_passed, "The time for editing this comment has passed.", "edit_window_passed"),
        (_discussion_closed, "Comments on this article are closed.", "discussion_closed"),
    ],
    ids=["edit-window-passed", "discussion-closed"],
)
def test_a_late_edit_is_refused_with_the_reason(authored_comment, author, settings, make_too_late, reason, code):
    """Once the edit window has passed, or the discussion is closed (which freezes it), the author
    gets 403 with the reason, and the text stays."""
    make_too_late(authored_comment, settings)

    response = client_for(author).patch(comment_url(authored_comment), {"body": "Too late."}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": reason, "code": code}
    authored_comment.refresh_from_db()
    assert authored_comment.body == "The author's own words."


def test_a_stranger_editing_with_a_bad_body_is_refused_before_the_body_is_read(authored_comment, reader):
    """Someone else's comment is a 403 whatever the body, not a 400 about the body."""
    response = client_for(reader).patch(comment_url(authored_comment), {"body": ""}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the author can edit this comment.", "code": "not_author"}


def test_author_deletes_their_comment_and_its_votes(authored_comment, author, reader):
    """Deleting takes the comment and its votes away; it is then a 404."""
    cast_vote(user=reader, comment=authored_comment, choice="agree")

    response = client_for(author).delete(comment_url(authored_comment))

    assert response.status_code == 204
    assert not Vote.objects.filter(comment_id=authored_comment.pk).exists()
    assert client_for(author).get(comment_url(authored_comment)).status_code == 404


@pytest.mark.parametrize(
    "query, field",
    [({}, "section"), ({"section": "mars"}, "section"), ({"section": "world", "sort": "loudest"}, "sort")],
)
def test_comment_list_rejects_unknown_parameters_with_field_errors(anonymous_client, open_article, query, field):
    """A missing or unknown section or sort is a 400 naming the parameter."""
    response = anonymous_client.get(comments_url(open_article, **query))

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_author_cannot_delete_once_the_discussion_is_closed(authored_comment, author, reader):
    """Closing a discussion freezes it, for deletions as for edits: a 403 saying why."""
    cast_vote(user=reader, comment=authored_comment, choice="agree")
    Article.objects.filter(pk=authored_comment.article_id).update(comments_open=False)

    response = client_for(author).delete(comment_url(authored_comment))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "The discussion is closed: comments can no longer be deleted.",
        "code": "section_closed",
    }
    assert Comment.objects.filter(pk=authored_comment.pk).exists()
    assert Vote.objects.filter(comment_id=authored_comment.pk).exists()
