"""Against vote stuffing: a new account waits before its first vote or comment, and a reader's
country (their section and voting region) changes at most once per 30 days."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from forum.models import Comment, Section
from tests.factories import ArticleFactory, CommentFactory, UserFactory, verify_email_of
from votes.models import Vote

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

PASSWORD = "a-long-unusual-passphrase-42"


@pytest.fixture
def wait_ten_minutes(settings):
    settings.NEW_ACCOUNT_WAIT_SECONDS = 600


def api_client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_new_account_cannot_vote_at_once_through_the_api(wait_ten_minutes, comment):
    """Signed up through the API and voting at once: 403 saying from when; nothing stored."""
    client = APIClient()
    signed_up = client.post(
        "/api/v1/auth/sign-up/",
        {"username": "fresh", "password": PASSWORD, "email": "fresh@example.org", "country": "JP"},
        format="json",
    )
    client.credentials(HTTP_AUTHORIZATION=f"Token {signed_up.json()['token']}")
    verify_email_of(User.objects.get(username="fresh"))  # the wait, not the address, is what refuses

    answer = client.put(f"/api/v1/comments/{comment.pk}/vote/", {"choice": "disagree"}, format="json")

    assert answer.status_code == 403
    assert "New accounts can vote and comment" in answer.json()["detail"]
    assert "in 10 minutes" in answer.json()["detail"]
    assert not Vote.objects.exists()


def test_a_new_account_cannot_vote_or_comment_at_once_on_the_page(wait_ten_minutes, comment):
    """Signed up on the page: the vote and the comment are refused with a message saying when."""
    client = Client()
    data = {
        "username": "fresh",
        "email": "fresh@example.org",
        "country": "JP",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    assert client.post(reverse("sign_up"), data).status_code == 302
    verify_email_of(User.objects.get(username="fresh"))  # the wait, not the address, is what refuses

    voted = client.post(reverse("vote", args=[comment.pk]), {"choice": "disagree"}, follow=True)
    assert "New accounts can vote and comment" in voted.content.decode()
    posted = client.post(reverse("post_comment", args=[comment.article.slug]), {"body": "First!"}, follow=True)
    assert "New accounts can vote and comment" in posted.content.decode()
    assert not Vote.objects.exists()
    assert not Comment.objects.filter(author__username="fresh").exists()


def test_after_the_wait_the_account_votes_and_comments(wait_ten_minutes, comment):
    """Once the wait has passed the same reader votes and comments (web and API)."""
    reader = UserFactory(date_joined=timezone.now() - timedelta(seconds=601))
    client = api_client_for(reader)

    assert client.put(f"/api/v1/comments/{comment.pk}/vote/", {"choice": "agree"}, format="json").status_code == 200
    web = Client()
    web.force_login(reader)
    assert web.post(reverse("post_comment", args=[comment.article.slug]), {"body": "Now I may."}).status_code == 302
    assert Comment.objects.filter(author=reader).count() == 1


def test_a_new_account_cannot_comment_through_the_api(wait_ten_minutes):
    article = ArticleFactory()
    reader = UserFactory(date_joined=timezone.now() - timedelta(seconds=60))

    answer = api_client_for(reader).post(f"/api/v1/articles/{article.slug}/comments/", {"body": "Hi"}, format="json")

    assert answer.status_code == 403 and "in 9 minutes" in answer.json()["detail"]
    assert not article.comments.exists()


def test_staff_are_not_held_by_the_wait(wait_ten_minutes, comment):
    moderator = UserFactory(is_staff=True)
    assert (
        api_client_for(moderator)
        .put(f"/api/v1/comments/{comment.pk}/vote/", {"choice": "agree"}, format="json")
        .status_code
        == 200
    )


def test_country_change_twice_within_30_days_is_refused_in_the_api(japan_reader):
    """The country chosen at sign-up is no change; the first change passes, a second within 30 days does not."""
    client = api_client_for(japan_reader)

    first = client.patch("/api/v1/me/", {"country": "US"}, format="json")
    second = client.patch("/api/v1/me/", {"country": "JP"}, format="json")

    assert first.status_code == 200 and first.json()["section"] == "world"
    assert second.status_code == 403
    assert "once every 30 days" in second.json()["detail"]
    japan_reader.refresh_from_db()
    assert japan_reader.country.code == "US"
    # The display name alone can still change.
    assert client.patch("/api/v1/me/", {"display_name": "New name"}, format="json").status_code == 200


def test_country_change_twice_within_30_days_is_refused_on_the_page(japan_reader):
    client = Client()
    client.force_login(japan_reader)

    assert client.post(reverse("profile"), {"display_name": "T", "country": "US"}).status_code == 302
    again = client.post(reverse("profile"), {"display_name": "T", "country": "JP"})

    assert again.status_code == 200
    assert "You can change your country once every 30 days" in again.content.decode()
    japan_reader.refresh_from_db()
    assert japan_reader.country.code == "US"


def test_country_can_change_again_after_30_days(japan_reader):
    User.objects.filter(pk=japan_reader.pk).update(country_changed_at=timezone.now() - timedelta(days=31))
    answer = api_client_for(japan_reader).patch("/api/v1/me/", {"country": "FR"}, format="json")
    assert answer.status_code == 200 and answer.json()["country"] == "FR"


def test_comments_keep_their_section_when_the_country_changes(japan_reader):
    """A reaction from Japan stays under Reactions in Japan after its author moves abroad."""
    comment = CommentFactory(author=japan_reader, section=Section.JAPAN)
    api_client_for(japan_reader).patch("/api/v1/me/", {"country": "DE"}, format="json")

    comment.refresh_from_db()
    assert comment.section == Section.JAPAN
    article = ArticleFactory()
    created = api_client_for(japan_reader).post(
        f"/api/v1/articles/{article.slug}/comments/", {"body": "From Berlin now."}, format="json"
    )
    assert created.json()["section"] == "world"
