"""The Atom feed of published articles, announced on every page."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def parse(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own server's feed, not untrusted input


def test_feed_lists_published_articles_only_newest_first(client):
    now = timezone.now()
    ArticleFactory(title="Older", published_at=now - timedelta(days=2))
    newer = ArticleFactory(title="Newer", published_at=now - timedelta(days=1))
    ArticleFactory(title="Draft", status="draft")
    ArticleFactory(title="Embargoed", published_at=now + timedelta(hours=3))
    response = client.get("/feeds/articles/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = parse(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Newer", "Older"]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == f"http://testserver{newer.get_absolute_url()}"
    assert "<h2>A subheading</h2>" in entries[0].findtext(f"{ATOM}summary")


def test_every_page_announces_the_feed(client, article):
    tag = (
        '<link rel="alternate" type="application/atom+xml" title="News Forum: latest articles" '
        f'href="{reverse("article_feed")}">'
    )
    for url in (reverse("home"), article.get_absolute_url(), reverse("login")):
        assert tag in client.get(url).content.decode()


def test_feed_in_japanese(client, article):
    feed = parse(client.get("/feeds/articles/", HTTP_ACCEPT_LANGUAGE="ja").content)
    assert feed.findtext(f"{ATOM}title") == "ニュースフォーラム：最新の記事"
