"""Moderators never reword or re-attribute a comment; a superuser may, and readers are told."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from forum.models import Comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

MARK = "edited by a moderator"


@pytest.fixture
def superuser(db):
    return UserFactory(username="boss", is_staff=True, is_superuser=True)


@pytest.fixture
def comment(article):
    return CommentFactory(article=article, author=UserFactory(country="GB"), body="My own words.\nTwo lines.")


def change_url(comment: Comment) -> str:
    return reverse("admin:forum_comment_change", args=[comment.pk])


def form_data(comment: Comment, **changes) -> dict:
    data = {
        "article": comment.article_id,
        "author": comment.author_id,
        "section": comment.section,
        "status": comment.status,
        "body": comment.body.replace("\n", "\r\n"),  # as a browser sends a textarea
    }
    data.update(changes)
    return data


def api_comment(client, comment: Comment) -> dict:
    response = client.get(f"/api/v1/comments/{comment.pk}/")
    assert response.status_code == 200
    return response.json()


def test_body_author_article_and_section_are_read_only_for_moderators(client, moderator, comment):
    client.force_login(moderator)
    page = client.get(change_url(comment)).content.decode()
    for field in ("body", "author", "article", "section"):
        assert f'name="{field}"' not in page
    assert 'name="status"' in page and "My own words." in page


def test_a_moderators_post_cannot_reword_or_take_over_a_comment(client, moderator, comment):
    """Posting the fields anyway changes only the status; the moderator is not the author after
    it, so the API refuses them the author's delete."""
    client.force_login(moderator)
    other = ArticleFactory()
    response = client.post(
        change_url(comment),
        form_data(comment, body="Words I prefer.", author=moderator.pk, article=other.pk, status="hidden"),
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "My own words.\nTwo lines."
    assert comment.author_id != moderator.pk and comment.article_id != other.pk
    assert comment.status == "hidden" and not comment.edited_by_moderator
    client.post(change_url(comment), form_data(comment, status="visible"))
    token = Token.objects.create(user=moderator)
    response = client.delete(f"/api/v1/comments/{comment.pk}/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


@pytest.mark.parametrize("change", ["body", "author"])
def test_a_superusers_rewrite_shows_to_readers(client, superuser, comment, article, change):
    """On the article page and in the API, the comment says it was edited by a moderator."""
    assert MARK not in client.get(article.get_absolute_url()).content.decode()
    assert api_comment(client, comment)["edited_by_moderator"] is False
    client.force_login(superuser)
    new_author = UserFactory(country="GB", display_name="Someone Else")
    changes = {"body": "Reworded by staff."} if change == "body" else {"author": new_author.pk}
    response = client.post(change_url(comment), form_data(comment, **changes))
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.edited_by_moderator
    client.logout()
    page = client.get(article.get_absolute_url()).content.decode()
    assert MARK in page
    data = api_comment(client, comment)
    assert data["edited_by_moderator"] is True
    if change == "body":
        assert data["body"] == "Reworded by staff."
    else:
        assert data["author"]["display_name"] == "Someone Else"
    listed = client.get(f"/api/v1/articles/{article.slug}/comments/", {"section": "world"}).json()["results"]
    assert [c["edited_by_moderator"] for c in listed if c["id"] == comment.pk] == [True]


def test_a_superuser_saving_other_fields_leaves_no_mark(client, superuser, comment):
    """Hiding a comment through its form (the text comes back with CRLF line breaks) is no rewrite."""
    client.force_login(superuser)
    assert client.post(change_url(comment), form_data(comment, status="hidden")).status_code == 302
    comment.refresh_from_db()
    assert comment.status == "hidden" and not comment.edited_by_moderator
    assert comment.body == "My own words.\nTwo lines."


def test_a_blank_or_overlong_body_is_a_form_error(client, superuser, comment, settings):
    client.force_login(superuser)
    for body in ("   ", "x" * (settings.COMMENT_MAX_LENGTH + 1), "nul \x00 byte"):
        response = client.post(change_url(comment), form_data(comment, body=body))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["body"]
    comment.refresh_from_db()
    assert comment.body == "My own words.\nTwo lines." and not comment.edited_by_moderator


def test_nobody_writes_a_comment_in_the_admin(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:forum_comment_add")).status_code == 403


def test_the_schema_documents_the_mark(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    comment = schema["components"]["schemas"]["CommentOutput"]
    assert comment["properties"]["edited_by_moderator"]["type"] == "boolean"
    assert "edited_by_moderator" in comment["required"]
