"""A stale tab's CSRF token: a friendly page (or JSON for the vote script), and a fresh token
the script can retry with, instead of Django's raw "CSRF verification failed"."""

import json
import re

import pytest
from django.test import Client

from config.views import csrf_failure

pytestmark = pytest.mark.django_db


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


def test_vote_script_gets_json_then_retries_with_a_fresh_token(stale_tab, comment):
    """What votes.js does: a 403 with code csrf_failed, a fresh token from /csrf-token/, one retry that counts."""
    client, old_token = stale_tab
    refused = client.post(
        f"/comments/{comment.pk}/vote/",
        {"choice": "agree", "csrfmiddlewaretoken": old_token},
        headers={"accept": "application/json"},
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert "Reload" in refused.json()["detail"]

    fresh = client.get("/csrf-token/", headers={"accept": "application/json"})
    assert fresh["Cache-Control"] == "no-store"
    retried = client.post(
        f"/comments/{comment.pk}/vote/",
        {"choice": "agree", "csrfmiddlewaretoken": fresh.json()["csrf_token"]},
        headers={"accept": "application/json"},
    )
    assert retried.status_code == 200
    assert retried.json()["my_vote"] == "agree"


def test_csrf_failure_under_api_answers_in_the_api_error_shape(rf):
    """API views are CSRF-exempt (DRF checks session requests itself), but any /api/ path the
    middleware does refuse gets the API's shape, not HTML."""
    response = csrf_failure(rf.post("/api/v1/anything/"), reason="CSRF token missing.")
    assert response.status_code == 403
    assert set(json.loads(response.content)) == {"detail"}
