"""Japanese and English pages: the language follows the browser until the reader picks one with the
switcher (remembered), <html lang> is right, dates use the language's formats with the zone, and the
admin follows the moderator's language."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from forum.models import Comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db
JA = {"HTTP_ACCEPT_LANGUAGE": "ja-JP,ja;q=0.9,en;q=0.5"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture
def discussed(db):
    article = ArticleFactory(title="Rare earths", dateline=date(2026, 1, 19))
    japan = CommentFactory(article=article, author=UserFactory(country="JP"), body="From Osaka")
    # 05:07 UTC is 14:07 in Tokyo.
    Comment.objects.filter(pk=japan.pk).update(created_at=datetime(2026, 1, 19, 5, 7, tzinfo=UTC))
    CommentFactory(article=article, author=UserFactory(country="BR"), body="From Brazil")
    return article


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]*)"', page).group(1)


def test_a_japanese_browser_gets_japanese(client, discussed):
    home = client.get(reverse("home"), **JA).content.decode()
    assert html_lang(home) == "ja"
    assert "最新の記事" in home and "日本の反応：コメント1件" in home and "世界の声：コメント1件" in home
    assert "2026年1月19日" in home
    page = client.get(discussed.get_absolute_url(), **JA).content.decode()
    assert html_lang(page) == "ja"
    for label in ("そう思う", "そう思わない", "日本の反応", "世界の声", "本文へ移動", "日本と世界の受け止め方"):
        assert label in page, label
    assert "日本 <span" in page and "世界 <span" in page  # the per-region breakdown beside the counts
    assert "I agree" not in page and "World" not in page and "Reactions in Japan" not in page
    assert "2026年1月19日" in page and "1月19日 14:07 JST" in page
    assert '<time datetime="2026-01-19T14:07:00+09:00">' in page  # machine-readable stays ISO


def test_an_english_browser_gets_english(client, discussed):
    page = client.get(discussed.get_absolute_url(), **EN).content.decode()
    assert html_lang(page) == "en"
    assert "I agree" in page and "Reactions in Japan" in page and "そう思う" not in page
    assert "January 19, 2026" in page and "Jan 19, 14:07 JST" in page


def test_the_switcher_is_on_every_page(client, reader):
    client.force_login(reader)
    for url in (reverse("home"), ArticleFactory().get_absolute_url(), reverse("profile"), reverse("password_change")):
        page = client.get(url, **JA).content.decode()
        assert f'action="{reverse("set_language")}"' in page, url
        assert '<option value="en" lang="en">English</option>' in page
        assert '<option value="ja" lang="ja" selected>日本語</option>' in page
        if "/articles/" in url:  # the hint names the reader's section in Japanese
            assert "コメントは「世界の声」に表示されます" in page
    client.logout()
    for url in (reverse("login"), reverse("sign_up")):
        assert f'action="{reverse("set_language")}"' in client.get(url).content.decode(), url


def test_the_choice_sticks_over_the_browser_language(client, discussed):
    response = client.post(reverse("set_language"), {"language": "en", "next": discussed.get_absolute_url()}, **JA)
    assert response.status_code == 302 and response["Location"] == discussed.get_absolute_url()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(discussed.get_absolute_url(), **JA).content.decode()
    assert html_lang(page) == "en" and "I agree" in page
    client.post(reverse("set_language"), {"language": "ja", "next": "/"}, **EN)
    assert html_lang(client.get(reverse("home"), **EN).content.decode()) == "ja"


def test_the_switcher_refuses_a_foreign_next(client):
    response = client.post(reverse("set_language"), {"language": "ja", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_skip_link_is_the_first_focusable_element(client, discussed):
    page = client.get(discussed.get_absolute_url(), **JA).content.decode()
    body = page[page.index("<body") :]
    first = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body).group(0)
    assert first == '<a class="skip-link" href="#content">'
    assert '<main id="content" tabindex="-1">' in page


def test_the_admin_follows_the_moderators_language(client, moderator):
    client.force_login(moderator)
    page = client.get(reverse("admin:index"), **JA).content.decode()
    assert html_lang(page) == "ja"
    assert "サイト管理" in page  # Django's own
    assert "記事" in page and "コメント" in page  # our models' names


def test_no_template_hard_codes_a_date_format():
    """Dates use a format name (DATE_FORMAT, SHORT_DATETIME_FORMAT...) so each language has its own;
    only ISO formats for <time datetime> may be literal."""
    allowed = {
        "c",
        "Y-m-d",
        "DATE_FORMAT",
        "DATETIME_FORMAT",
        "SHORT_DATE_FORMAT",
        "SHORT_DATETIME_FORMAT",
        "TIME_FORMAT",
        "YEAR_MONTH_FORMAT",
        "MONTH_DAY_FORMAT",
    }
    root = Path(settings.BASE_DIR)
    found = []
    for template in root.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        for fmt in re.findall(r"\|(?:date|time):[\"']([^\"']*)[\"']", template.read_text()):
            if fmt not in allowed:
                found.append((str(template.relative_to(root)), fmt))
    assert not found


def test_messages_with_times_carry_the_zone_in_japanese(settings):
    from django.utils import translation

    from accounts.services import taking_part_refusal

    settings.NEW_ACCOUNT_WAIT_SECONDS = 600
    reader = UserFactory()
    with translation.override("ja"):
        refusal = taking_part_refusal(user=reader)
    assert re.search(r"\d{2}:\d{2} JSTから（あと10分）ご利用いただけます。$", refusal), refusal
