"""A database that does not answer: 503 with Retry-After (JSON under /api/, a short page elsewhere),
readiness says which dependency failed, and the outage is logged once as it begins and ends.

The database here is really unreachable, not mocked: the test points the connection at a closed
port on loopback, so every query fails the way it does when PostgreSQL is stopped.
(tests/faults/test_database_outage.py stops a real PostgreSQL under load.)
"""

import contextlib
import logging

import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from infra.outages import tracker
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.processes import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_tracker():
    """Each test starts and ends with no dependency known to be down in this process."""

    def forget_outages() -> None:
        for dependency in tracker.down():
            tracker.ok(dependency)

    forget_outages()
    yield
    forget_outages()


@contextlib.contextmanager
def database_unreachable():
    if connection.vendor != "postgresql":
        pytest.skip("points PostgreSQL at a closed port")
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", free_port()
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@pytest.fixture
def voter_and_comment(db):
    comment = CommentFactory(article=ArticleFactory(slug="open"), author=UserFactory(country="GB"))
    voter = UserFactory(country="JP")
    token = Token.objects.create(user=voter)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client, comment


def assert_retry_json(response, status: int = 503) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    body = response.json()
    assert set(body) == {"detail"} and "5 seconds" in body["detail"]
    return body


def test_api_answers_503_json_with_retry_after_and_a_vote_says_to_repeat(voter_and_comment):
    client, comment = voter_and_comment
    with database_unreachable():
        vote = client.put(f"/api/v1/comments/{comment.pk}/vote/", {"choice": "agree"}, format="json")
        retract = client.delete(f"/api/v1/comments/{comment.pk}/vote/")
        listing = APIClient().get("/api/v1/articles/")
    assert "Repeat the same request" in assert_retry_json(vote)["detail"]
    assert "Repeat the same request" in assert_retry_json(retract)["detail"]
    assert "Try again after" in assert_retry_json(listing)["detail"]
    # Back up: the same PUT simply works, and one vote row exists.
    assert client.put(f"/api/v1/comments/{comment.pk}/vote/", {"choice": "agree"}, format="json").status_code == 200
    assert comment.votes.filter(choice="agree").count() == 1


def test_web_pages_answer_a_short_503_page(db):
    ArticleFactory(slug="open")
    with database_unreachable():
        home = Client().get("/")
        article = Client().get("/articles/open/")
    for response in (home, article):
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert response["Content-Type"].startswith("text/html")
        assert b"Back in a moment" in response.content and b"Traceback" not in response.content


def test_ready_names_the_failed_dependency_without_leaking_where_it_is(db):
    ready = Client().get("/ready/")
    assert ready.status_code == 200 and ready.json()["ready"] is True
    assert ready.json()["checks"]["database"] == "ok"
    with database_unreachable():
        port = str(connection.settings_dict["PORT"])
        down = Client().get("/ready/")
        health = Client().get("/health/")
    assert down.status_code == 503 and down["Retry-After"] == "5"
    assert down.json() == {"ready": False, "checks": {**ready.json()["checks"], "database": "unreachable"}}
    assert port.encode() not in down.content and b"127.0.0.1" not in down.content
    assert health.status_code == 200  # liveness: the process answers whatever its dependencies do
    assert Client().get("/ready/").status_code == 200


def test_an_outage_is_logged_once_as_it_begins_and_once_as_it_ends(voter_and_comment, caplog):
    client, comment = voter_and_comment
    with caplog.at_level(logging.WARNING, logger="infra.outages"), database_unreachable():
        for _ in range(5):
            assert client.get(f"/api/v1/comments/{comment.pk}/").status_code == 503
            assert Client().get("/").status_code == 503
    began = [r for r in caplog.records if r.getMessage().startswith("Outage: the database")]
    assert len(began) == 1 and began[0].levelno == logging.ERROR
    assert "127.0.0.1" not in began[0].getMessage()
    with caplog.at_level(logging.WARNING, logger="infra.outages"):
        assert client.get(f"/api/v1/comments/{comment.pk}/").status_code == 200
        assert client.get(f"/api/v1/comments/{comment.pk}/").status_code == 200
    ended = [r for r in caplog.records if r.getMessage().startswith("Outage over: the database")]
    assert len(ended) == 1


def test_a_bug_is_still_a_500_not_an_outage():
    """Only unreachable dependencies are 503: a programming error must stay visible as a 500."""
    from django.db import ProgrammingError

    from infra.outages import dependency_of

    assert dependency_of(ProgrammingError("relation does not exist")) is None
    assert dependency_of(ValueError()) is None


def test_the_schema_lists_503_414_and_431_on_every_operation(db):
    schema = APIClient().get("/api/schema/?format=json").json()
    operations = [op for item in schema["paths"].values() for method, op in item.items() if method != "parameters"]
    assert len(operations) >= 10
    for operation in operations:
        assert {"414", "431", "503"} <= set(operation["responses"]), operation["operationId"]
        assert "Retry-After" in operation["responses"]["503"]["headers"]
