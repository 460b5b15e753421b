"""A Japanese browser reads the forum in Japanese, with Japanese dates and <html lang="ja">; the
switcher turns it to English and the choice sticks. A phone-width page keeps the switcher and the
skip link usable. Real headless Chromium against the live server."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from forum.models import Comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=[True, False], ids=["with-js", "without-js"])
def japanese_page(browser: Browser, request):
    # locale sets navigator.language and the Accept-Language header, as a Japanese browser does.
    # Nothing here needs JavaScript: the switcher is a plain form.
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", java_script_enabled=request.param)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def discussed(db):
    article = ArticleFactory(title="Rare earths and supply chains")
    CommentFactory(article=article, author=UserFactory(country="JP"), body="大阪から：備蓄は時間稼ぎに過ぎない。")
    world = CommentFactory(article=article, author=UserFactory(display_name="Lena", country="DE"), body="Recycle more.")
    Comment.objects.filter(pk=world.pk).update(
        agree_world_count=6, agree_count=6, agree_japan_count=0, disagree_japan_count=5, disagree_count=5
    )
    return article


def test_a_japanese_browser_reads_japanese_and_switches_to_english(japanese_page: Page, live_server, discussed):
    page = japanese_page
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("最新の記事")
    expect(page.get_by_role("link", name="日本の反応：コメント1件")).to_be_visible()
    expect(page.locator(".dateline").first).to_have_text(re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$"))

    # The skip link is the first stop of the keyboard and lands on the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="本文へ移動")
    expect(skip).to_be_focused()

    page.get_by_role("link", name=discussed.title).click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("region", name=re.compile("^日本の反応"))).to_contain_text("大阪から")
    world = page.get_by_role("region", name=re.compile("^世界の声"))
    expect(world.get_by_role("button", name=re.compile("^そう思う"))).to_be_visible()
    expect(world.get_by_role("button", name=re.compile("^そう思わない"))).to_be_visible()
    expect(world.locator(".comment-meta time")).to_have_text(re.compile(r"^\d{1,2}月\d{1,2}日 \d{2}:\d{2} JST$"))
    perception = page.get_by_role("complementary", name="日本と世界の受け止め方")
    expect(perception).to_contain_text("日本と世界で最も受け止め方が分かれたコメント")
    expect(perception).to_contain_text("世界：「そう思う」100%（6票）")

    page.get_by_label("言語").select_option("en")
    page.get_by_role("button", name="切り替え").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_server.url + discussed.get_absolute_url())
    expect(page.get_by_role("region", name=re.compile("^Voices from Around the World"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^I agree")).first).to_be_visible()

    # The choice sticks over the browser's Japanese, on every page.
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Latest articles")
    page.reload()
    expect(page.get_by_role("link", name="Reactions in Japan: 1 comment")).to_be_visible()


def test_feed_is_announced_and_served(page: Page, live_server, discussed):
    page.goto(live_server.url + "/")
    href = page.locator('link[rel=alternate][type="application/atom+xml"]').get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.ok and discussed.title in response.text()


def test_phone_width_switcher_and_skip_link(browser: Browser, live_server, discussed):
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(live_server.url + discussed.get_absolute_url())
        switcher = page.get_by_role("button", name="切り替え")
        expect(switcher).to_be_visible()
        for control in (switcher, page.get_by_label("言語")):
            assert control.bounding_box()["height"] >= 44  # a tap target on a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="本文へ移動")).to_be_in_viewport()
    finally:
        context.close()
