"""The author is told: "My comments" (page and API) lists status and the rejection reason."""

import pytest
from django.urls import reverse

from forum.models import Comment
from moderation.services import reject_comments
from tests.api.conftest import client_for
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return UserFactory(username="writer")


@pytest.fixture
def rejected(author, moderator):
    comment = CommentFactory(author=author, body="Something rude", status=Comment.Status.HELD)
    reject_comments(moderator=moderator, comment_ids=[comment.pk], reason="abuse")
    return comment


def test_api_lists_status_and_reason(author, rejected):
    shown = CommentFactory(author=author, body="Something fine")
    pending = CommentFactory(author=author, status=Comment.Status.PENDING)
    CommentFactory(body="someone else's")
    response = client_for(author).get("/api/v1/me/comments/")
    assert response.status_code == 200
    results = {item["id"]: item for item in response.json()["results"]}
    assert set(results) == {shown.pk, pending.pk, rejected.pk}
    assert results[rejected.pk]["status"] == "hidden"
    assert results[rejected.pk]["reason"] == "abuse"
    assert results[rejected.pk]["reason_text"] == "Abuse or harassment of other readers"
    assert results[shown.pk]["reason"] is None and results[pending.pk]["status"] == "pending"


def test_api_paginates_with_a_bounded_query_count(author, django_assert_max_num_queries):
    CommentFactory.create_batch(5, author=author)
    client = client_for(author)
    with django_assert_max_num_queries(3):
        first = client.get("/api/v1/me/comments/?page_size=3").json()
    assert len(first["results"]) == 3 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    assert client_for().get("/api/v1/me/comments/").status_code == 401
    assert client.get("/api/v1/me/comments/?cursor=nonsense").status_code == 404


def test_an_approved_comment_shows_no_old_reason(author, rejected, moderator):
    Comment.objects.filter(pk=rejected.pk).update(status=Comment.Status.PENDING)
    from moderation.services import approve_comments

    approve_comments(moderator=moderator, comment_ids=[rejected.pk])
    item = client_for(author).get("/api/v1/me/comments/").json()["results"][0]
    assert item["status"] == "visible" and item["reason"] is None


def test_my_comments_page(client, author, rejected, django_assert_max_num_queries):
    client.force_login(author)
    profile = client.get(reverse("profile")).content.decode()
    assert reverse("my_comments") in profile
    CommentFactory.create_batch(3, author=author)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("my_comments")).content.decode()
    assert "Something rude" in page
    assert "Removed by a moderator" in page
    assert "Reason: Abuse or harassment of other readers" in page
    assert rejected.article.get_absolute_url() in page


def test_my_comments_needs_sign_in(client):
    assert client.get(reverse("my_comments")).status_code == 302
