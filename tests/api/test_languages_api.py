"""Languages through the API: the article served in the reader's language with its versions, and
comments' language (detected, settable and correctable by the author, validated)."""

import pytest

from forum.models import Comment
from tests.api.conftest import client_for, comment_url, comments_url
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def translated(db):
    return ArticleFactory(
        slug="translated",
        title="Supply chains get a push",
        body="The English body.",
        discussion_prompt="What do you think?",
        title_ja="供給網の強化へ",
        body_ja="日本語の本文。",
        discussion_prompt_ja="どう思いますか。",
    )


def test_article_detail_serves_the_readers_language_and_every_version(anonymous_client, translated):
    japanese = anonymous_client.get("/api/v1/articles/translated/", HTTP_ACCEPT_LANGUAGE="ja")
    body = japanese.json()
    assert (body["language"], body["title"], body["body_html"]) == ("ja", "供給網の強化へ", "<p>日本語の本文。</p>")
    assert body["discussion_prompt"] == "どう思いますか。" and body["original_language"] == "en"
    assert "Accept-Language" in japanese["Vary"]
    assert body["versions"] == [
        {
            "language": "en",
            "title": "Supply chains get a push",
            "body_html": "<p>The English body.</p>",
            "discussion_prompt": "What do you think?",
            "is_original": True,
        },
        {
            "language": "ja",
            "title": "供給網の強化へ",
            "body_html": "<p>日本語の本文。</p>",
            "discussion_prompt": "どう思いますか。",
            "is_original": False,
        },
    ]
    english = anonymous_client.get("/api/v1/articles/translated/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (english["language"], english["title"]) == ("en", "Supply chains get a push")
    chosen = anonymous_client.get("/api/v1/articles/translated/?language=en", HTTP_ACCEPT_LANGUAGE="ja").json()
    assert (chosen["language"], chosen["title"]) == ("en", "Supply chains get a push")


def test_an_article_without_a_japanese_version_serves_the_original(anonymous_client, open_article):
    body = anonymous_client.get(f"/api/v1/articles/{open_article.slug}/?language=ja").json()
    assert body["language"] == "en" and [version["language"] for version in body["versions"]] == ["en"]


def test_an_unknown_article_language_is_a_400(anonymous_client, translated):
    response = anonymous_client.get("/api/v1/articles/translated/?language=fr")
    assert response.status_code == 400 and "language" in response.json()


def test_a_posted_comment_has_its_language_detected_or_as_the_author_says(open_article, reader):
    client = client_for(reader)
    detected = client.post(comments_url(open_article), {"body": "調達先の多様化が必要だ。"}, format="json")
    assert detected.status_code == 201 and detected.json()["language"] == "ja"
    chosen = client.post(comments_url(open_article), {"body": "Kaizen!", "language": "ja"}, format="json")
    assert chosen.json()["language"] == "ja"
    assert Comment.objects.get(pk=chosen.json()["id"]).language == "ja"
    listed = client.get(comments_url(open_article, section="world")).json()["results"]
    assert {comment["language"] for comment in listed} == {"ja"}


def test_an_unknown_comment_language_is_refused(open_article, reader):
    response = client_for(reader).post(
        comments_url(open_article), {"body": "Bonjour.", "language": "fr"}, format="json"
    )
    assert response.status_code == 400 and "language" in response.json()
    assert not Comment.objects.exists()


def test_the_author_corrects_the_language_alone_without_marking_the_comment_edited(authored_comment, author):
    response = client_for(author).patch(comment_url(authored_comment), {"language": "ja"}, format="json")
    assert response.status_code == 200
    assert response.json()["language"] == "ja" and response.json()["is_edited"] is False
    assert response.json()["body"] == "The author's own words."
    stored = Comment.objects.get(pk=authored_comment.pk)
    assert stored.language == "ja" and stored.edited_at is None


def test_a_new_wording_has_its_language_detected_unless_given(authored_comment, author):
    client = client_for(author)
    reworded = client.patch(comment_url(authored_comment), {"body": "書き直しました。"}, format="json").json()
    assert reworded["language"] == "ja" and reworded["is_edited"] is True
    both = client.patch(comment_url(authored_comment), {"body": "まだ日本語。", "language": "en"}, format="json")
    assert both.json()["language"] == "en"


def test_an_edit_with_neither_wording_nor_language_is_a_400(authored_comment, author, reader):
    response = client_for(author).patch(comment_url(authored_comment), {}, format="json")
    assert response.status_code == 400 and "body" in response.json()
    stranger = client_for(reader).patch(comment_url(authored_comment), {"language": "ja"}, format="json")
    assert stranger.status_code == 403
    assert Comment.objects.get(pk=authored_comment.pk).language == "en"
