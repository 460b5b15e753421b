"""The README's pictures, shot from a live server with the demo content (forum/demo.py):

- docs/article-en.png and docs/article-ja.png: the article page in a browser asking for English, then
  Japanese (Accept-Language), signed in as a reader who has voted: the article's head, the top of the
  comments and the top of the second section, cut out of the one long page and stacked with a
  marked gap between them;
- docs/thread-en.png and docs/thread-ja.png: one of the demo's threads, a reaction from Japan that a
  reader in Germany answers and its writer answers back, as the same reader sees it;
- docs/moderation-queue.png: the moderation page, signed in as a moderator. Its address is
  FORUM_SCREENSHOT_QUEUE_PATH (default /admin/ until the moderation queue lands).

Not part of the suite: the `screenshots` marker is deselected unless asked for (tests/e2e/conftest.py).
Run with `make screenshots`, or:
    pytest -m screenshots tests/e2e/test_screenshots.py
"""

import base64
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page

from accounts.models import User
from forum.demo import load_demo
from forum.models import Comment, Section
from votes.counting import recount_all_votes
from votes.services import cast_vote

pytestmark = [pytest.mark.e2e, pytest.mark.screenshots, pytest.mark.django_db(transaction=True)]

DOCS = Path(settings.BASE_DIR) / "docs"
QUEUE_PATH = os.environ.get("FORUM_SCREENSHOT_QUEUE_PATH", "/admin/")
DESKTOP = {"width": 1024, "height": 800}
LOCALES = {"en": "en-US", "ja": "ja-JP"}
# Each piece of the article page: the selector where it starts and its height in CSS pixels.
ARTICLE_PIECES = [("body", 520), (".comments", 640), ("#section-world", 420)]
# README pictures stay light: a PNG at device scale 1 of this size is well under it.
MAX_BYTES = 400_000


@pytest.fixture(scope="module", autouse=True)
def _japanese_font() -> None:
    """Without a Japanese font Chromium draws the Japanese words as empty boxes."""
    fonts = (
        subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True).stdout
        if shutil.which("fc-list")
        else ""
    )
    if not fonts.strip():
        pytest.fail("No Japanese font: apt-get install fonts-ipafont-gothic (or fonts-noto-cjk), then shoot again.")


@pytest.fixture
def demo(transactional_db):
    """The demo article, with a few of its readers' votes tallied so the counts and the Japan/World
    split show, and a signed-in reader of our own who agreed with the first comment."""
    article = load_demo().article
    # The demo's readers take part as readers who verified their address would.
    User.objects.filter(username__startswith="demo-").update(email_verified=True)
    comments = list(Comment.objects.filter(article=article).select_related("author").order_by("-created_at"))
    voters = [c.author for c in comments]
    for n, comment in enumerate(comments):  # 3 to 11 votes each, about one in four a disagreement
        for k in range(3 + (n * 7) % 9):
            voter = voters[(n * 5 + k) % len(voters)]
            if voter.pk != comment.author_id:
                cast_vote(user=voter, comment=comment, choice="disagree" if (n + k) % 4 == 0 else "agree")
    reader = User.objects.create_user(username="sakura", display_name="Sakura", country="JP", email_verified=True)
    newest_in_japan = next(c for c in comments if c.section == Section.JAPAN)
    cast_vote(user=reader, comment=newest_in_japan, choice="agree")
    recount_all_votes()
    return {"article": article, "reader": reader}


def signed_in_context(browser: Browser, live_server, user, *, locale: str):
    client = Client()
    client.force_login(user, backend="accounts.backends.UsernameBackend")
    context = browser.new_context(locale=locale, viewport=DESKTOP, device_scale_factor=1)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
    return context


def stacked_crops(page: Page, pieces: list[tuple[str, int]]) -> bytes:
    """Crops of one long page, stacked top to bottom in a plain page with a marked gap between them."""
    width = page.viewport_size["width"]
    images = []
    for selector, height in pieces:
        top = page.locator(selector).first.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
        png = page.screenshot(full_page=True, clip={"x": 0, "y": top, "width": width, "height": height})
        images.append(f'<img alt="" src="data:image/png;base64,{base64.b64encode(png).decode()}">')
    gap = '<div class="gap" aria-hidden="true">⋯</div>'
    sheet = page.context.new_page()
    sheet.set_content(
        "<!doctype html><style>body{margin:0;background:#fafafa}img{display:block}"
        ".gap{height:28px;line-height:28px;text-align:center;color:#5f6368;background:#eceff1;"
        "border-block:1px dashed #b0b7bd;font:20px sans-serif}</style>" + gap.join(images)
    )
    shot = sheet.screenshot(full_page=True)
    sheet.close()
    return shot


def save(name: str, png: bytes) -> None:
    assert png.startswith(b"\x89PNG"), name
    assert len(png) < MAX_BYTES, f"{name} is {len(png)} bytes"
    DOCS.mkdir(exist_ok=True)
    (DOCS / name).write_bytes(png)


@pytest.mark.parametrize("language", LOCALES)
def test_article_page(browser, live_server, demo, language):
    context = signed_in_context(browser, live_server, demo["reader"], locale=LOCALES[language])
    page = context.new_page()
    response = page.goto(live_server.url + demo["article"].get_absolute_url())
    assert response.status == 200
    assert response.request.headers["accept-language"].startswith(language)
    page.wait_for_load_state("networkidle")
    save(f"article-{language}.png", stacked_crops(page, ARTICLE_PIECES))
    context.close()


@pytest.mark.parametrize("language", LOCALES)
def test_thread(browser, live_server, demo, language):
    question = Comment.objects.get(author__display_name="Sophie Mueller", parent__isnull=False)
    context = signed_in_context(browser, live_server, demo["reader"], locale=LOCALES[language])
    page = context.new_page()
    assert page.goto(live_server.url + demo["article"].get_absolute_url()).status == 200
    page.wait_for_load_state("networkidle")
    thread = page.locator(f"#comment-{question.parent_id}")
    assert thread.locator(".replies .comment").count() == 2
    save(f"thread-{language}.png", thread.screenshot())
    context.close()


def test_moderation_queue(browser, live_server, demo, moderator):
    context = signed_in_context(browser, live_server, moderator, locale=LOCALES["en"])
    page = context.new_page()
    response = page.goto(live_server.url + QUEUE_PATH)
    assert response.status == 200 and page.url == live_server.url + QUEUE_PATH, f"{QUEUE_PATH} went to {page.url}"
    save("moderation-queue.png", page.screenshot())
    context.close()
