"""The article page for readers in a real Chromium: editing and deleting one's comment with and
without JavaScript, live counts from another reader, links that keep the reader's place, phone-
sized tap targets and the character counter."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from forum.models import Comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase-42"
# The page polls every 3.5 s and the worker tallies within a second: the bound is 5 s.
LIVE_TIMEOUT_MS = 5_000
LONG_ARTICLE = "\n\n".join(f"Paragraph {n} of a long article that pushes the comments far down." for n in range(120))


def sign_in(page: Page, base_url: str, username: str, next_path: str) -> None:
    page.goto(f"{base_url}/accounts/sign-in/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def in_view(page: Page, selector: str) -> bool:
    """The element's top is on screen: the page landed on it, not at the top of the article."""
    return page.evaluate(
        "s => { const t = document.querySelector(s).getBoundingClientRect().top; return t >= -2 && t < innerHeight; }",
        selector,
    )


@pytest.fixture
def author(db):
    return UserFactory(username="kenji", display_name="Kenji", country="JP", password=PASSWORD)


def test_author_rewords_in_place_and_deletes_after_the_dialog(page: Page, live_server, author):
    article = ArticleFactory(body=LONG_ARTICLE)
    comment = CommentFactory(article=article, author=author, body="My first wording.")
    sign_in(page, live_server.url, "kenji", article.get_absolute_url())
    page.evaluate("window.stillTheSamePage = true")
    mine = page.locator(f"#comment-{comment.pk}")

    mine.get_by_role("link", name="Edit").click()
    box = mine.get_by_label("Edit your comment")
    expect(box).to_be_focused()
    box.fill("My second wording,\non two lines.")
    mine.get_by_role("button", name="Save").click()
    expect(mine.locator(".comment-body")).to_have_text(re.compile(r"^My second wording,\s*on two lines\.\s*$"))
    assert mine.locator(".comment-body br").count() == 1
    expect(mine.locator(".comment-meta")).to_contain_text("edited")
    # A form sends a textarea's line breaks as CRLF, with or without the script.
    assert Comment.objects.get(pk=comment.pk).body.replace("\r\n", "\n") == "My second wording,\non two lines."

    mine.get_by_role("link", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete this comment?")
    expect(dialog).to_contain_text("My second wording")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert Comment.objects.filter(pk=comment.pk).exists()
    mine.get_by_role("link", name="Delete").click()
    dialog.get_by_role("button", name="Delete").click()
    expect(mine).to_have_count(0)
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert page.evaluate("window.stillTheSamePage") is True


def test_author_edits_and_deletes_without_javascript(browser: Browser, live_server, author):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    article = ArticleFactory(body=LONG_ARTICLE)
    comment = CommentFactory(article=article, author=author, body="Without scripts.")
    sign_in(page, live_server.url, "kenji", article.get_absolute_url())
    mine = page.locator(f"#comment-{comment.pk}")

    mine.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit your comment")).to_be_visible()
    page.get_by_label("Your comment").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_have_text("Write something before posting.")
    page.get_by_label("Your comment").fill("Reworded without scripts.")
    page.get_by_role("button", name="Save").click()
    expect(mine.locator(".comment-body")).to_have_text("Reworded without scripts.")
    expect(mine.locator(".comment-meta")).to_contain_text("edited")
    assert page.url.endswith(f"#comment-{comment.pk}") and in_view(page, f"#comment-{comment.pk}")

    mine.get_by_role("link", name="Delete").click()
    expect(page.get_by_text("cannot be undone")).to_be_visible()
    assert Comment.objects.filter(pk=comment.pk).exists()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Your comment is deleted.")).to_be_visible()
    expect(page.locator(f"#comment-{comment.pk}")).to_have_count(0)
    context.close()


def test_another_readers_vote_and_comment_show_on_an_open_page(browser: Browser, live_server, celery_worker):
    article = ArticleFactory()
    comment = CommentFactory(article=article, author=UserFactory(country="DE"), body="Watch this count.")
    UserFactory(username="voter", country="JP", password=PASSWORD)
    watcher = browser.new_context().new_page()
    watcher.goto(live_server.url + article.get_absolute_url())
    watcher.evaluate("window.stillTheSamePage = true")
    count = watcher.locator(f"#comment-{comment.pk} [data-count=agree]")
    expect(count).to_have_text("0")

    voter = browser.new_context().new_page()
    sign_in(voter, live_server.url, "voter", article.get_absolute_url())
    voter.locator(f"#comment-{comment.pk}").get_by_role("button", name=re.compile("^I agree")).click()
    expect(count).to_have_text("1", timeout=LIVE_TIMEOUT_MS + 1_000)  # the worker's tally, then a poll
    expect(watcher.locator(f"#comment-{comment.pk} [data-count=agree_japan]")).to_have_text("1")

    voter.get_by_label("Your comment").fill("A new voice from Japan.")
    voter.get_by_role("button", name="Post comment").click()
    notice = watcher.get_by_role("link", name="1 new comment: show it")
    expect(notice).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    assert watcher.evaluate("window.stillTheSamePage") is True
    notice.click()
    expect(watcher.get_by_text("A new voice from Japan.")).to_be_visible()


def test_sort_pagination_and_sign_in_keep_the_readers_place(page: Page, live_server, author):
    article = ArticleFactory(body=LONG_ARTICLE)
    CommentFactory.create_batch(101, article=article, author=UserFactory(country="DE"))
    target = CommentFactory(article=article, author=UserFactory(country="JP"), body="Vote on me.")
    page.goto(live_server.url + article.get_absolute_url())
    assert page.evaluate("scrollY") == 0

    page.get_by_role("navigation", name="Sort comments").get_by_role("link", name="Most agreed").click()
    expect(page).to_have_url(re.compile(r"\?sort=agreed#comment-nav$"))
    assert in_view(page, "#comment-nav") and page.evaluate("scrollY") > 1000

    page.get_by_role("navigation", name="Comment sections").get_by_role("link", name=re.compile("^Voices")).click()
    assert in_view(page, "#section-world")
    page.locator("#section-world").get_by_role("link", name="Next").click()
    expect(page.locator("#section-world")).to_contain_text("Page 2 of 2")
    assert in_view(page, "#section-world")

    page.locator(f"#comment-{target.pk}").get_by_role("link", name="Sign in to vote").click()
    page.get_by_label("Username").fill("kenji")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"#comment-{target.pk}$"))
    assert in_view(page, f"#comment-{target.pk}")


def test_phone_tap_targets_are_at_least_44_px(browser: Browser, live_server):
    article = ArticleFactory()
    CommentFactory.create_batch(101, article=article, author=UserFactory(country="DE"))
    page = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    page.goto(live_server.url + article.get_absolute_url())
    targets = {
        "vote buttons": "#section-world .vote-button",
        "sign in to vote": "#section-world .vote-invite",
        "sort links": ".sorts a",
        "section links": ".section-links a",
        "pagination": "#section-world .pages a",
    }
    for name, selector in targets.items():
        boxes = [page.locator(selector).nth(i).bounding_box() for i in range(min(page.locator(selector).count(), 6))]
        assert boxes, name
        assert min(box["height"] for box in boxes) >= 44, (name, boxes)
        assert min(box["width"] for box in boxes) >= 44, (name, boxes)


def test_character_counter_instead_of_a_silent_cut(page: Page, live_server, author):
    article = ArticleFactory()
    sign_in(page, live_server.url, "kenji", article.get_absolute_url())
    limit = settings.COMMENT_MAX_LENGTH
    box = page.get_by_label("Your comment")
    box.fill("a" * 12)
    expect(page.locator("#body-counter")).to_have_text(f"12 of {limit} characters")
    box.fill("b" * (limit + 15))  # as a paste does: the whole text at once
    assert len(box.input_value()) == limit + 15  # nothing cut
    expect(page.get_by_role("status").filter(has_text="15 characters over the limit")).to_be_visible()
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Keep it to {limit} characters (this one has {limit + 15})")
    assert len(page.get_by_label("Your comment").input_value()) == limit + 15
    assert in_view(page, "#comment-form")
    assert not Comment.objects.filter(article=article).exists()
