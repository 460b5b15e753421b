"""Whatever the input, the API answers a documented 4xx in its one JSON error shape, never a 500."""

import base64
import json

import pytest

from tests.api.conftest import client_for, comment_url, comments_url, vote_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(reader):
    return client_for(reader)


@pytest.mark.parametrize(
    "raw, content_type, status",
    [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ('"just a string"', "application/json", 400),
        ('{"body": NaN}', "application/json", 400),
        ("[" * 50_000 + "]" * 50_000, "application/json", 413),  # 100 kB: over the body limit
        ("[" * 30_000 + "]" * 30_000, "application/json", 400),  # deep enough to exhaust recursion
        ("body=hello", "application/x-www-form-urlencoded", 415),
        ('{"body": "hi"}', "text/plain", 415),
        ('{"body": "' + "x" * 3_000_000 + '"}', "application/json", 413),  # past Django's own limit
    ],
)
def test_malformed_bodies_get_a_json_error(client, open_article, raw, content_type, status):
    """Bad JSON, the wrong top-level type, huge or deep bodies and other media types are 4xx JSON."""
    response = client.generic("POST", comments_url(open_article), raw, content_type=content_type)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    if status == 400:
        assert list(response.json()) == ["non_field_errors"]
    else:
        assert set(response.json()) == {"detail"}


@pytest.mark.parametrize(
    "body, message",
    [
        ({"body": 12}, "Not a valid string."),
        ({"body": ["a"]}, "Not a valid string."),
        ({"body": "   "}, "Write something besides white space."),
        ({"body": "nul \x00 byte"}, "The text contains a character that cannot be stored."),
        ({"body": "x" * 2001}, "Ensure this field has no more than 2000 characters."),
    ],
)
def test_wrong_values_are_field_errors(client, open_article, body, message):
    """Wrong types, blank text, NUL bytes and overlong text are 400s that name the field."""
    response = client.post(comments_url(open_article), body, format="json")

    assert response.status_code == 400
    assert message in response.json()["body"]


def test_a_lone_surrogate_is_a_field_error_not_a_database_error(client, open_article):
    """JSON can carry a lone surrogate that UTF-8 cannot encode: 400, not a 500 from the database."""
    response = client.generic(
        "POST", comments_url(open_article), '{"body": "\\ud800"}', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["body"] == ["The text contains a character that cannot be stored."]


@pytest.mark.parametrize(
    "url",
    [
        comment_url(10**17),
        comment_url("9" * 19),  # beyond PostgreSQL's bigint
        vote_url("-1"),
        "/api/v1/comments/abc/",
        "/api/v1/articles/no-such-article/",
        "/api/v1/articles/no such/comments/",
        "/api/v1/unknown/",
        "/api/v1/articles",  # no slash appended, no redirect
    ],
)
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_unknown_resources_are_json_404s(client, url, method):
    """Unknown ids (even ones no database column could hold) and unknown paths are JSON 404s."""
    response = getattr(client, method)(url, {"body": "x"}, format="json")

    if response.status_code == 405:  # the path exists, the method does not
        assert url == "/api/v1/articles/no-such-article/"
        return
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def _cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "%%%",
        _cursor(["not", "an", "object"]),
        _cursor({"c": "best_score", "v": 0.5, "i": 3}),  # made for another sort
        _cursor({"c": "created_at", "v": "yesterday", "i": 3}),
        _cursor({"c": "created_at", "v": "2024-01-01T00:00:00", "i": 3}),  # naive
        _cursor({"c": "created_at", "v": "0001-01-01T00:00:00+05:00", "i": 3}),  # before year 1 in UTC
        _cursor({"c": "created_at", "v": "2024-01-01T00:00:00+00:00", "i": 2**70}),
    ],
)
def test_malformed_cursors_are_json_404s(client, open_article, cursor):
    """A cursor the API did not make is 404 "Invalid cursor.", whatever is inside it."""
    response = client.get(comments_url(open_article, section="world", cursor=cursor))

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor."}


@pytest.mark.parametrize("page_size", ["0", "101", "1e9", "99999999999999999999", "abc", ""])
def test_page_size_out_of_range_is_a_field_error(client, open_article, page_size):
    """page_size is 1 to 100; anything else is a 400 naming it."""
    response = client.get(comments_url(open_article, section="world", page_size=page_size))

    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


def test_any_accept_header_gets_json(client, open_article):
    """The API answers JSON even to a client that asks for something else (no undocumented 406)."""
    response = client.get("/api/v1/articles/", HTTP_ACCEPT="application/xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_schema_and_docs_are_served(anonymous_client):
    """The OpenAPI 3 schema and the interactive docs page are there for client developers."""
    schema = anonymous_client.get("/api/schema/?format=json")
    docs = anonymous_client.get("/api/docs/")

    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
