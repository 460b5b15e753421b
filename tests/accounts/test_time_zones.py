"""Times in the reader's zone (accounts/time_zones.py, config.middleware.TimeZoneMiddleware): the
profile's choice, Tokyo for readers in Japan, else the browser's zone from the ``tz`` cookie that
static/js/timezone.js sets, else Asia/Tokyo. The cached signed-out pages are kept per zone."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.time_zones import zone_for
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

POSTED = datetime(2026, 1, 19, 5, 7, tzinfo=UTC)  # 14:07 in Tokyo, 00:07 in New York, 06:07 in Berlin


@pytest.mark.parametrize(
    ("profile_zone", "country", "cookie", "expected"),
    [
        ("", "JP", "Europe/Berlin", "Asia/Tokyo"),  # a reader in Japan: Tokyo time
        ("", "DE", "Europe/Berlin", "Europe/Berlin"),  # elsewhere: the browser's zone
        ("", "DE", None, "Asia/Tokyo"),  # no cookie yet: the site's
        ("", "DE", "Mars/Olympus", "Asia/Tokyo"),  # not a zone
        ("America/New_York", "JP", "Europe/Berlin", "America/New_York"),  # the profile wins
    ],
)
def test_whose_zone(profile_zone, country, cookie, expected):
    user = UserFactory(country=country, time_zone=profile_zone)
    assert zone_for(user=user, browser_zone=cookie) == expected


def test_signed_out_readers_follow_the_cookie():
    assert zone_for(user=AnonymousUser(), browser_zone="Europe/Berlin") == "Europe/Berlin"
    assert zone_for(user=AnonymousUser(), browser_zone=None) == "Asia/Tokyo"


@pytest.fixture
def posted_comment():
    article = ArticleFactory()
    CommentFactory(article=article, author=UserFactory(country="DE"), created_at=POSTED)
    return article


@pytest.mark.parametrize(
    ("lang", "tokyo", "new_york"),
    [("en", "Jan 19, 14:07 JST", "Jan 19, 00:07 EST"), ("ja", "1月19日 14:07 JST", "1月19日 00:07 EST")],
)
def test_the_article_page_shows_the_browsers_zone_and_caches_each_zone_apart(
    client, posted_comment, lang, tokyo, new_york
):
    url = posted_comment.get_absolute_url()
    headers = {"accept-language": lang}
    for _ in range(2):  # the second answer of each comes from the page cache
        assert tokyo in client.get(url, headers=headers).content.decode()
        client.cookies["tz"] = "America/New_York"
        page = client.get(url, headers=headers).content.decode()
        assert new_york in page and tokyo not in page
        del client.cookies["tz"]
    assert '<time datetime="2026-01-19T00:07:00-05:00">' in page  # machine-readable, same zone


def test_the_profile_sets_the_zone(client, posted_comment):
    reader = UserFactory(country="DE")
    client.force_login(reader)
    profile = client.get(reverse("profile"), headers={"accept-language": "en"}).content.decode()
    assert 'name="time_zone"' in profile and '<option value="Europe/Berlin">' in profile
    data = {"display_name": "", "country": "DE", "time_zone": "Europe/Berlin"}
    assert client.post(reverse("profile"), data).status_code == 302
    reader.refresh_from_db()
    assert reader.time_zone == "Europe/Berlin"
    client.cookies["tz"] = "America/New_York"  # the profile's choice wins over the browser's
    page = client.get(posted_comment.get_absolute_url(), headers={"accept-language": "en"}).content.decode()
    assert "Jan 19, 06:07 CET" in page
    refused = client.post(reverse("profile"), {**data, "time_zone": "Mars/Olympus"})
    assert refused.status_code == 200 and 'name="time_zone"' in refused.content.decode()
    reader.refresh_from_db()
    assert reader.time_zone == "Europe/Berlin"


def test_the_api_profile_update_keeps_the_zone(client):
    reader = UserFactory(country="DE", time_zone="Europe/Berlin")
    api = APIClient()
    api.force_authenticate(reader)
    assert api.patch("/api/v1/me/", {"display_name": "Bea"}, format="json").status_code == 200
    reader.refresh_from_db()
    assert reader.time_zone == "Europe/Berlin" and reader.display_name == "Bea"


def test_the_api_and_the_admin_keep_the_sites_zone(client, posted_comment):
    """Apps get ISO times with the site's offset whatever cookie a browser sends, and the admin's
    forms read typed times as site time, as their help says."""
    client.cookies["tz"] = "America/New_York"
    answer = client.get(f"/api/v1/articles/{posted_comment.slug}/comments/?section=world")
    assert answer.status_code == 200
    assert "2026-01-19T14:07:00+09:00" in answer.content.decode()
