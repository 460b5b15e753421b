"""A stale tab's CSRF token: a friendly page for a form, a 403 ``csrf_failed`` from the API for the
page's script, and a fresh token the script can retry with, instead of Django's raw "CSRF
verification failed" or DRF's English "CSRF Failed"."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from config.views import csrf_failure
from forum.models import Comment
from moderation.models import Report
from tests.factories import CommentFactory
from tests.page_script import PageScript
from votes.models import Vote

pytestmark = pytest.mark.django_db

EXPIRED = "This page has expired, probably because you signed in or out in another tab. Reload it and try again."


def _page_token(client: Client, article) -> str:
    page = client.get(f"/articles/{article.slug}/").content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.fixture
def stale_tab(reader, comment, article):
    """A browser whose tab holds the token from before the reader signed out and in again elsewhere."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    old_token = _page_token(client, article)
    client.logout()
    client.force_login(reader)  # signing in rotates the CSRF token
    client.get("/")
    return client, old_token


def test_stale_form_post_shows_a_page_that_says_to_reload(stale_tab, comment):
    client, old_token = stale_tab
    response = client.post(f"/comments/{comment.pk}/vote/", {"choice": "agree", "csrfmiddlewaretoken": old_token})
    assert response.status_code == 403
    body = response.content.decode()
    assert "CSRF verification failed" not in body
    assert "Reload it and try again" in body
    assert "<title>This page has expired</title>" in body


def test_vote_script_gets_csrf_failed_from_the_api_then_retries_with_a_fresh_token(stale_tab, comment):
    """What api.js does: a 403 with code csrf_failed, a fresh token from /csrf-token/, one retry that counts."""
    client, old_token = stale_tab
    url = reverse("api_vote", args=[comment.pk])
    refused = client.put(url, {"choice": "agree"}, "application/json", headers={"X-CSRFToken": old_token})
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert "Reload" in refused.json()["detail"]
    assert not Vote.objects.exists()

    fresh = client.get("/csrf-token/", headers={"accept": "application/json"})
    assert fresh["Cache-Control"] == "no-store"
    retried = client.put(
        url, {"choice": "agree"}, "application/json", headers={"X-CSRFToken": fresh.json()["csrf_token"]}
    )
    assert retried.status_code == 200
    assert retried.json()["my_vote"] == "agree"


@pytest.mark.parametrize("operation", ["vote", "edit", "delete", "report"])
def test_the_api_refuses_a_session_write_without_the_csrf_token(reader, article, operation):
    """Every write the page's script makes checks the CSRF token of the session it rides on, and
    words the refusal in the reader's language."""
    own = CommentFactory(article=article, author=reader)
    other = CommentFactory(article=article)
    script = PageScript(reader, article, HTTP_ACCEPT_LANGUAGE="ja")
    answer = {
        "vote": lambda: script.vote(other.pk, "agree", token=""),
        "edit": lambda: script.edit(own.pk, {"body": "Changed."}, token=""),
        "delete": lambda: script.delete(own.pk, token=""),
        "report": lambda: script.report(other.pk, {"reason": "spam"}, token=""),
    }[operation]()
    assert answer.status_code == 403
    with translation.override("ja"):
        expired = translation.gettext(EXPIRED)
    assert expired != EXPIRED
    assert answer.json() == {"code": "csrf_failed", "detail": expired}
    assert Comment.objects.filter(pk=own.pk, body=own.body).exists()
    assert not Vote.objects.exists() and not Report.objects.exists()


def test_csrf_failure_under_api_answers_in_the_api_error_shape(rf):
    """API views are CSRF-exempt (DRF checks session requests itself), but any /api/ path the
    middleware does refuse gets the API's shape, not HTML."""
    response = csrf_failure(rf.post("/api/v1/anything/"), reason="CSRF token missing.")
    assert response.status_code == 403
    assert json.loads(response.content)["code"] == "csrf_failed"
