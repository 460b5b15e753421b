"""The demo article in the reader's language: a Japanese browser gets the newsroom's Japanese
version with a link to the English original, an English browser the original with a link to the
Japanese version; each version is marked with its lang. Then a reader posts a comment in Japanese
from the in-place editor's language select. Real headless Chromium against the live server."""

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from forum.models import Article, Comment
from tests.e2e.i18n import tr
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

JAPANESE_TITLE = "サプライチェーン強化へ官民が連携"
ENGLISH_TITLE = "Government-Business Alliance Forms to Strengthen Supply Chains"


def _language_name(lang: str, code: str) -> str:
    with translation.override(lang):
        return str(translation.gettext({"en": "English", "ja": "Japanese"}[code]))


def test_the_reader_meets_the_article_in_their_language_with_a_link_to_the_other(open_page, live_server, lang):
    call_command("load_demo")
    article = Article.objects.get(title=ENGLISH_TITLE)
    page = open_page()
    page.goto(live_server.url + article.get_absolute_url())
    shown = page.locator("article.article")
    if lang == "ja":
        expect(shown).to_have_attribute("lang", "ja")
        expect(page.get_by_role("heading", level=1)).to_have_text(JAPANESE_TITLE)
        expect(shown.get_by_role("heading", level=2).first).to_have_text("背景：中国が輸出規制を強化")
        other = page.get_by_role("link", name=tr("ja", "Read the original in %(language)s", language="英語"))
        other_title, other_lang = ENGLISH_TITLE, "en"
    else:
        expect(shown).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1)).to_have_text(ENGLISH_TITLE)
        other = page.get_by_role("link", name="Read this article in Japanese")
        other_title, other_lang = JAPANESE_TITLE, "ja"
    expect(page.locator("html")).to_have_attribute("lang", lang)  # the site itself speaks the reader's language
    # The demo's reactions are in English: marked so on either page.
    expect(page.locator("#section-japan .comment-body").first).to_have_attribute("lang", "en")
    expect(other).to_have_attribute("hreflang", other_lang)
    other.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(other_title)
    expect(page.locator("article.article")).to_have_attribute("lang", other_lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    back = page.locator(".article-languages a")
    expect(back).to_have_attribute("hreflang", lang if lang != other_lang else "en")


def test_the_author_sets_a_comments_language_in_the_in_place_editor(open_page, live_server, lang, client):
    call_command("load_demo")
    article = Article.objects.get(title=ENGLISH_TITLE)
    reader = UserFactory(username="writer", country="JP")
    page = open_page()
    page.goto(live_server.url + "/accounts/sign-in/")
    page.locator("input[name=username]").fill("writer")
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").last.click()
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_role("textbox", name=tr(lang, "Your comment"), exact=True).fill("Karaoke, tsunami, emoji.")
    page.get_by_role("button", name=tr(lang, "Post comment")).click()
    comment = Comment.objects.get(author=reader)
    assert comment.language == "en"  # detected: Latin letters
    body = page.locator(f"#comment-{comment.pk} .comment-body")
    expect(body).to_have_attribute("lang", "en")
    page.locator(f"#comment-{comment.pk} .edit-link").click()
    editor = page.locator(f"#comment-{comment.pk} .edit-in-place")
    editor.get_by_label(tr(lang, "Comment language")).select_option("ja")
    editor.get_by_role("button", name=tr(lang, "Save")).click()
    expect(body).to_have_attribute("lang", "ja")
    comment.refresh_from_db()
    assert comment.language == "ja"
    page.reload()
    expect(page.locator(f"#comment-{comment.pk} .comment-body")).to_have_attribute("lang", "ja")
