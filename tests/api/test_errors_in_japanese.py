"""The API's error messages are whole sentences in the reader's language: asked in Japanese, no
error the forum answers carries English (DRF's "Expected available in N seconds." after a
translated 429 was one; so were DRF messages its Japanese catalogue lacks, and our own parser's)."""

import re

import pytest

from tests.api.conftest import client_for, comment_url, comments_url, vote_url

pytestmark = pytest.mark.django_db

# Codes and names an error may quote as they are: the format, a header, HTTP methods, media types,
# and the client's own input ("maybe" is not a valid choice).
ALLOWED = {
    "JSON",
    "U",
    "Token",
    "Authorization",
    "Content-Type",
    "TRACE",
    "text",
    "plain",
    "application",
    "x-www-form-urlencoded",
    "maybe",
    "boring",
    "XX",
}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")


def messages_of(response) -> list[str]:
    body = response.json()
    if "detail" in body:  # with a refusal's "code", which is for apps, not readers
        return [body["detail"]]
    return [message for messages in body.values() for message in messages]


def assert_japanese(response, status: int) -> None:
    assert response.status_code == status, response.content
    messages = messages_of(response)
    assert messages and all(messages), response.content
    english = [word for message in messages for word in LATIN_WORD.findall(message) if word not in ALLOWED]
    assert not english, f"English in a Japanese {status}: {messages}"


@pytest.fixture
def ja(reader):
    client = client_for(reader)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"
    return client


def test_a_throttled_request_is_told_to_wait_in_one_japanese_sentence(rates, comment, ja):
    rates(vote_user="1/min")
    assert ja.put(vote_url(comment), {"choice": "agree"}, format="json").status_code == 200

    refused = ja.put(vote_url(comment), {"choice": "agree"}, format="json")

    assert_japanese(refused, 429)
    wait = int(refused["Retry-After"])
    assert 1 <= wait <= 60
    # A whole minute is said as one (infra.rate_limits.duration_text), any other wait in seconds.
    waiting = "1分" if wait == 60 else f"{wait}秒"
    assert refused.json()["detail"] == f"リクエストが多すぎます。{waiting}待ってからもう一度お試しください。"


def test_a_throttled_request_in_english_reads_as_one_sentence_too(rates, comment, reader):
    rates(vote_user="1/min")
    client = client_for(reader)
    client.put(vote_url(comment), {"choice": "agree"}, format="json")

    refused = client.put(vote_url(comment), {"choice": "agree"}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    wait = int(refused["Retry-After"])
    waiting = "1 minute" if wait == 60 else f"{wait} seconds"
    assert refused.json() == {"detail": f"Too many requests. Please wait {waiting} and try again."}


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ('{"body": 12}', "application/json", 400),
        ('{"body": "   "}', "application/json", 400),
        ('{"body": "nul \\u0000 byte"}', "application/json", 400),
        ('{"body": "' + "x" * 2001 + '"}', "application/json", 400),
        ("{}", "application/json", 400),
        ("{not json", "application/json", 400),
        ('{"body": NaN}', "application/json", 400),
        ("[" * 30_000 + "]" * 30_000, "application/json", 400),
        ("[" * 50_000 + "]" * 50_000, "application/json", 413),
        ("body=hello", "application/x-www-form-urlencoded", 415),
    ],
    ids=["not-a-string", "blank", "nul", "too-long", "missing", "bad-json", "nan", "deep", "too-large", "form"],
)
def test_a_bad_comment_is_refused_in_japanese(ja, open_article, body, content_type, status):
    assert_japanese(ja.generic("POST", comments_url(open_article), body, content_type=content_type), status)


def test_other_refusals_are_in_japanese(ja, reader, comment, authored_comment, open_article):
    assert_japanese(ja.put(vote_url(comment), {"choice": "maybe"}, format="json"), 400)
    assert_japanese(ja.post(comment_url(comment) + "report/", {"reason": "boring"}, format="json"), 400)
    assert_japanese(ja.patch(comment_url(authored_comment), {"body": "mine now"}, format="json"), 403)
    assert_japanese(ja.get(comments_url(open_article, section="world", cursor="nonsense")), 404)
    assert_japanese(ja.get("/api/v1/nothing-here/"), 404)
    assert_japanese(ja.get(comment_url(999_999)), 404)
    assert_japanese(ja.generic("TRACE", comments_url(open_article)), 405)
    anonymous = client_for()
    assert_japanese(
        anonymous.put(vote_url(comment), {"choice": "agree"}, format="json", HTTP_ACCEPT_LANGUAGE="ja"), 401
    )
    bad_token = client_for()
    bad_token.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_japanese(bad_token.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="ja"), 401)


def test_sign_up_and_sign_in_refusals_are_in_japanese(db):
    client = client_for()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"
    for payload in [
        {"username": "bad name!", "password": "12345678901"},
        {"username": "newreader", "password": "1234"},
        {"username": "newreader", "password": "12345678901", "country": "XX"},
        {"username": "newreader", "password": True},
    ]:
        assert_japanese(client.post("/api/v1/auth/sign-up/", payload, format="json"), 400)
    assert_japanese(client.post("/api/v1/auth/token/", {"username": "nobody", "password": "wrong"}, format="json"), 401)
