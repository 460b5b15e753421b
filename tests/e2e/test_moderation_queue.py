"""The moderation loop in a real headless Chromium: three readers report a comment and it is
held; a moderator rejects it in the admin's queue with a reason; the author sees why on
"My comments"; the audit trail shows the decision. Also takes the queue's screenshot; with
UPDATE_SCREENSHOTS=1 it replaces the README's (docs/moderation-queue.png)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from forum.models import Comment
from moderation.models import AuditEntry, Report
from tests.factories import ArticleFactory, CommentFactory, EstablishedReaderFactory, UserFactory, totp_code
from votes.counting import tally_comments
from votes.services import cast_vote

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # the factory's
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "moderation-queue.png"


@pytest.fixture
def signed_in(browser: Browser, live_server):
    """Signs a reader (or, with admin=True, a moderator) in on a page of a browser context of its
    own. The contexts are closed after the test: an article page left open keeps polling the live
    server for new counts while later tests run."""
    contexts = []

    def sign_in(username: str, *, admin: bool = False) -> Page:
        context = browser.new_context(viewport={"width": 1600, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + ("/admin/login/?next=/admin/" if admin else "/accounts/sign-in/"))
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        # The sign-in form's own button (every page also has the language switcher's).
        page.get_by_label("Password").press("Enter")
        if admin:  # staff have two-factor authentication: the code from their app comes next
            page.get_by_label("Code").fill(totp_code())
            page.get_by_label("Code").press("Enter")
        return page

    yield sign_in
    for context in contexts:
        context.close()


def test_reports_hold_a_comment_a_moderator_rejects_it_and_the_author_is_told(
    signed_in, live_server, moderator, settings, tmp_path
):
    settings.REPORTS_TO_HOLD = 3
    article = ArticleFactory(title="Rare earths and supply chains")
    author = UserFactory(username="writer", country="GB")
    rude = CommentFactory(article=article, author=author, body="Everyone who disagrees with me is an idiot.")
    # Two more waiting items, so the queue's screenshot shows what a moderator meets.
    other = CommentFactory(article=article, body="Cheap watches at example.shop, 90% off!")
    CommentFactory(article=article, body="A comment from a pre-moderated reader.", status=Comment.Status.PENDING)
    reporters = [EstablishedReaderFactory(username=f"reporter{n}") for n in range(3)]
    Report.objects.create(reporter=reporters[0], comment=other, reason="spam")

    # 1. Three readers report it: the first in the dialog (JS), the others on the plain page.
    page = signed_in("reporter0")
    page.goto(live_server.url + article.get_absolute_url())
    comment_item = page.locator(f"#comment-{rude.pk}")
    comment_item.get_by_role("link", name="Report").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Why are you reporting this comment?").select_option(label="Abuse or harassment")
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog.get_by_role("status")).to_contain_text("The moderators will look at this comment.")
    assert page.url.endswith(article.get_absolute_url())  # no page change: it was the dialog
    for reporter in reporters[1:]:
        page = signed_in(reporter.username)
        page.goto(live_server.url + f"/comments/{rude.pk}/report/")
        page.get_by_label("Why are you reporting this comment?").select_option(label="Abuse or harassment")
        page.get_by_role("button", name="Send report").click()
        expect(page.get_by_role("status").first).to_contain_text("The moderators will look at this comment.")
    rude.refresh_from_db()
    assert rude.status == Comment.Status.HELD
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator(f"#comment-{rude.pk}")).to_have_count(0)

    # 2. The moderator lands on the queue from the admin's index and rejects it with a reason.
    mod = signed_in(moderator.username, admin=True)
    mod.get_by_role("link", name="Moderation queue: comments awaiting a decision").click()
    expect(mod.get_by_role("heading", level=1)).to_contain_text("Moderation queue: comments awaiting a decision")
    row = mod.locator("#result_list tbody tr").filter(has_text=rude.body)
    expect(row).to_contain_text("Abuse or harassment (3)")
    expect(mod.locator("#result_list tbody tr").first).to_contain_text(rude.body)  # most reported first
    mod.locator("#toggle-nav-sidebar").click()  # more room for the queue in the picture
    shot = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path / SCREENSHOT.name
    mod.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    row.get_by_label("Reason").select_option(label="Abuse or harassment of other readers")
    row.get_by_role("button", name="Reject", exact=True).click()
    expect(mod.locator(".messagelist")).to_contain_text("1 comment rejected.")
    expect(mod.locator("#result_list")).not_to_contain_text(rude.body)

    # 3. The author sees the reason on "My comments", linked from the profile.
    mine = signed_in("writer")
    mine.goto(live_server.url + "/accounts/profile/")
    mine.get_by_role("link", name="My comments").click()
    item = mine.locator(f"#my-comment-{rude.pk}")
    expect(item).to_contain_text("Removed by a moderator")
    expect(item).to_contain_text("Reason: Abuse or harassment of other readers")

    # 4. The audit trail shows the decision, the moderator and the reason.
    mod.goto(live_server.url + "/admin/moderation/auditentry/")
    rejected = mod.locator("#result_list tbody tr").filter(has_text="Rejected")
    expect(rejected).to_contain_text(moderator.username)
    expect(rejected).to_contain_text("Abuse or harassment of other readers")
    expect(mod.locator("#result_list")).to_contain_text(re.compile("Held for review"))
    assert AuditEntry.objects.filter(action="reject", actor=moderator, target_id=str(rude.pk)).exists()


def test_at_1280_px_with_the_sidebar_open_the_text_has_400_px_and_the_buttons_are_in_view(
    browser: Browser, live_server, moderator, settings
):
    """Newsroom issue, item 3: the table was 1,386 px wide in a narrower box, the comment got
    125 px and the decide buttons were off-screen at every common width. With a burst of unusual
    voting in the queue too (one item for three comments)."""
    settings.FORUM_UNUSUAL_VOTES = 3
    article = ArticleFactory(title="Semiconductor subsidies and the regional economy of Kumamoto prefecture")
    long_body = "The subsidy debate deserves a closer look at the figures. " * 5  # 290 characters, not cut
    comment = CommentFactory(article=article, body=long_body, author=UserFactory(display_name="A long display name"))
    for n in range(3):
        Report.objects.create(
            reporter=UserFactory(), comment=comment, reason="misinformation", detail=f"Detail number {n}: " + "x" * 60
        )
    CommentFactory(article=article, status=Comment.Status.PENDING)
    voted = CommentFactory.create_batch(3, article=ArticleFactory(title="Tourism tax"))
    for voter in UserFactory.create_batch(3):
        for target in voted:
            cast_vote(user=voter, comment=target, choice="agree")
    tally_comments(comment_ids=[target.pk for target in voted])

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(live_server.url + "/admin/login/?next=/admin/moderation/queueitem/")
        page.get_by_label("Username").fill(moderator.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Password").press("Enter")
        page.get_by_label("Code").fill(totp_code())
        page.get_by_label("Code").press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Moderation queue")
        expect(page.locator("#nav-sidebar")).to_be_visible()  # the admin's sidebar is open

        row = page.locator("#result_list tbody tr").filter(has_text=long_body[:60])
        text_cell = row.locator("td.field-text").bounding_box()
        assert text_cell["width"] >= 400, text_cell
        for name in ("Approve", "Reject"):
            button = row.get_by_role("button", name=name, exact=True).bounding_box()
            assert button["x"] >= 0 and button["x"] + button["width"] <= 1280, (name, button)
        flags = page.locator("#result_list tbody tr").filter(has_text="Unusual voting on 3 comments")
        expect(flags).to_have_count(1)
        approve_all = flags.get_by_role("button", name="Approve all 3").bounding_box()
        assert approve_all["x"] + approve_all["width"] <= 1280, approve_all
        # Nothing to scroll sideways to, on the page or in the list's own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        results = page.locator("#changelist .results")
        assert results.evaluate("el => el.scrollWidth <= el.clientWidth"), results.evaluate(
            "el => [el.scrollWidth, el.clientWidth]"
        )
    finally:
        context.close()
