"""What readers met on the newsroom issue, in a real Chromium, in English and in Japanese: a refused
comment keeps its text (with and without JavaScript, on the page and in the edit form), the
country list in the reader's language with the browser's country first, the vote labels apart
from their counts on a phone, the message in view after signing up and after a report without
JavaScript, no reason chosen in advance when reporting, a report that shows it was made, and a
section's count that drops at once when one deletes with JavaScript."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icu
import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from playwright.sync_api import Page, expect

from forum.models import Article, Comment
from moderation.models import Report
from tests.e2e.i18n import ntr, starting, tr
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase-42"
LONG_ARTICLE = "\n\n".join(f"Paragraph {n} of a long article that pushes the comments far down." for n in range(120))
PHONE = {"width": 375, "height": 812}
TEXT = "A long, careful reply I would hate to type twice.\nSecond line."
RATE_LIMITED = "Too many comments at once. Please wait %(duration)s and try again: your text is kept below."


def sign_in(page: Page, base_url: str, username: str, next_path: str, lang: str) -> None:
    page.goto(f"{base_url}{reverse('login')}?next={next_path}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form.stacked").get_by_role("button", name=tr(lang, "Sign in")).click()


def in_view(page: Page, selector: str) -> bool:
    return page.evaluate(
        """s => { const r = document.querySelector(s).getBoundingClientRect();
                 return r.top >= -2 && r.bottom <= innerHeight + 2; }""",
        selector,
    )


@pytest.fixture
def author(db):
    return UserFactory(username="kenji", display_name="Kenji", country="JP", password=PASSWORD)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_comment_refused_in_a_closed_section_stays_in_the_box(open_page, lang, live_server, author, javascript):
    article = ArticleFactory(body=LONG_ARTICLE)
    page = open_page(java_script_enabled=javascript)
    sign_in(page, live_server.url, "kenji", article.get_absolute_url(), lang)
    Article.objects.filter(pk=article.pk).update(japan_open=False)  # closed while the reader typed
    box = page.get_by_role("textbox", name=tr(lang, "Your comment"), exact=True)
    box.fill(TEXT)
    page.get_by_role("button", name=tr(lang, "Post comment")).click()
    reason = tr(lang, "Comments in “%(section)s” are closed.", section=tr(lang, "Reactions in Japan"))
    expect(page.locator("#comment-form [role=alert]")).to_contain_text(reason)
    expect(box).to_have_value(re.compile(r"^A long, careful reply I would hate to type twice\.\r?\nSecond line\.$"))
    assert in_view(page, "#comment-form [role=alert]")
    assert not Comment.objects.exists()


def test_an_edit_over_the_rate_limit_keeps_the_new_wording_without_javascript(
    open_page, lang, live_server, author, rates
):
    comment = CommentFactory(article=ArticleFactory(), author=author, body="First wording.")
    rates(comment_user="0/min")  # every comment POST is over the limit
    page = open_page(java_script_enabled=False)
    sign_in(page, live_server.url, "kenji", reverse("edit_comment", args=[comment.pk]), lang)
    box = page.get_by_role("textbox", name=tr(lang, "Your comment"), exact=True)
    box.fill(TEXT)
    page.get_by_role("button", name=tr(lang, "Save")).click()
    expect(page.get_by_role("alert")).to_contain_text(tr(lang, RATE_LIMITED).split("%(duration)s")[0])
    expect(box).to_have_value(re.compile(r"^A long, careful reply"))
    assert Comment.objects.get(pk=comment.pk).body == "First wording."


def test_an_edit_in_place_refused_keeps_the_new_wording_with_javascript(open_page, lang, live_server, author):
    article = ArticleFactory()
    comment = CommentFactory(article=article, author=author, body="First wording.")
    page = open_page()
    sign_in(page, live_server.url, "kenji", article.get_absolute_url(), lang)
    Article.objects.filter(pk=article.pk).update(japan_open=False)  # closed while the reader typed
    mine = page.locator(f"#comment-{comment.pk}")
    mine.get_by_role("link", name=tr(lang, "Edit"), exact=True).click()
    box = mine.get_by_label(tr(lang, "Edit your comment"))
    box.fill(TEXT)
    mine.get_by_role("button", name=tr(lang, "Save")).click()
    reason = tr(lang, "Comments in “%(section)s” are closed.", section=tr(lang, "Reactions in Japan"))
    expect(mine.get_by_role("alert")).to_have_text(reason)
    expect(box).to_have_value(re.compile(r"^A long, careful reply"))
    assert Comment.objects.get(pk=comment.pk).body == "First wording."


def test_sign_up_lists_countries_in_the_readers_language_and_lands_in_view(open_page, lang, live_server):
    article = ArticleFactory(body=LONG_ARTICLE)
    page = open_page()
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_role("navigation", name=tr(lang, "Account")).get_by_role("link", name=tr(lang, "Sign up")).click()
    expect(page.get_by_role("heading", name=tr(lang, "Sign up"))).to_be_visible()

    names = page.locator("#id_country option").all_inner_texts()
    values = page.locator("#id_country option").evaluate_all("options => options.map(o => o.value)")
    # The browser's country first: ja-JP → Japan, en-US → the United States.
    assert values[1] == {"en": "US", "ja": "JP"}[lang]
    # Then every country in the reader's language's order.
    collator = icu.Collator.createInstance(icu.Locale(lang))
    rest = names[2:]
    assert rest == sorted(rest, key=collator.getSortKey)
    if lang == "ja":
        assert rest.index("アイスランド") < rest.index("イギリス") < rest.index("ドイツ")  # gojūon order

    page.locator("#id_username").fill("newcomer")
    page.locator("#id_email").fill("newcomer@example.org")
    page.locator("#id_country").select_option("JP")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main form.stacked").get_by_role("button", name=tr(lang, "Create account")).click()
    welcome = page.get_by_text(
        tr(
            lang,
            "Welcome, %(name)s. We sent a link to %(email)s: follow it to verify your address, and you "
            "can vote, comment and report.",
            name="newcomer",
            email="newcomer@example.org",
        )
    )
    expect(welcome).to_be_visible()
    assert page.url.endswith("#comment-form")
    assert in_view(page, ".messages")  # not far below the long article


def test_phone_width_vote_labels_and_counts_stay_apart(open_page, lang, live_server):
    article = ArticleFactory()
    CommentFactory(article=article, author=UserFactory(country="DE"))
    page = open_page(viewport=PHONE)
    page.goto(live_server.url + article.get_absolute_url())
    button = page.locator(".vote-button.agree").first
    expect(button).to_contain_text(tr(lang, "I agree"))
    # The space between the label (a text node) and the count (a span), as laid out.
    gap = button.evaluate(
        """b => { const range = document.createRange(); range.selectNodeContents(b.firstChild);
                 const count = b.querySelector('.count').getBoundingClientRect();
                 return count.left - range.getBoundingClientRect().right; }"""
    )
    assert gap >= 4, gap


def test_report_without_javascript_chooses_no_reason_and_says_it_was_sent(open_page, lang, live_server, author):
    article = ArticleFactory(body=LONG_ARTICLE)
    theirs = CommentFactory(article=article, author=UserFactory(country="DE"), body="Buy cheap watches here.")
    page = open_page(java_script_enabled=False)
    sign_in(page, live_server.url, "kenji", article.get_absolute_url(), lang)
    page.locator(f"#comment-{theirs.pk}").get_by_role("link", name=tr(lang, "Report")).click()
    reason = page.get_by_label(tr(lang, "Why are you reporting this comment?"))
    expect(reason).to_have_value("")  # nothing chosen for the reader
    page.get_by_role("button", name=tr(lang, "Send report")).click()
    expect(page.get_by_text(tr(lang, "Choose why you are reporting this comment."))).to_be_visible()
    assert not Report.objects.exists()

    reason.select_option("spam")
    page.get_by_role("button", name=tr(lang, "Send report")).click()
    thanks = tr(lang, "Thank you. The moderators will look at this comment.")
    expect(page.get_by_text(thanks)).to_be_visible()
    assert in_view(page, ".messages")
    assert Report.objects.get().reason == "spam"
    # The page now says the reader reported it, instead of offering the form again.
    before, after = tr(lang, "You reported this comment on %(when)s. The moderators will look at it.").split("%(when)s")
    expect(page.locator(".already-reported")).to_have_text(re.compile(re.escape(before) + ".+" + re.escape(after)))
    expect(page.get_by_role("button", name=tr(lang, "Send report"))).to_have_count(0)
    page.get_by_role("link", name=tr(lang, "Back to the comment")).click()
    expect(page).to_have_url(re.compile(rf"#comment-{theirs.pk}$"))


def test_a_reader_sees_they_already_reported_a_comment(open_page, lang, live_server, author):
    article = ArticleFactory()
    theirs = CommentFactory(article=article, author=UserFactory(country="DE"), body="Buy cheap watches here.")
    Report.objects.create(reporter=author, comment=theirs, reason="spam")
    page = open_page()
    sign_in(page, live_server.url, "kenji", article.get_absolute_url(), lang)
    # The article page itself says so, in place of the Report link (the reader's overlay) ...
    reported = page.locator(f"#comment-{theirs.pk}")
    expect(reported.get_by_text(tr(lang, "You reported this comment."))).to_be_visible()
    expect(reported.get_by_role("link", name=tr(lang, "Report"))).to_have_count(0)
    # ... and so does the comment's report page, with no form to send again.
    page.goto(live_server.url + f"/comments/{theirs.pk}/report/")
    expect(page.locator(".already-reported")).to_be_visible()
    expect(page.get_by_role("button", name=tr(lang, "Send report"))).to_have_count(0)


def test_deleting_with_javascript_lowers_the_section_counts_at_once(open_page, lang, live_server, author):
    article = ArticleFactory()
    mine = CommentFactory(article=article, author=author, body="Taken back soon.")
    CommentFactory(article=article, author=UserFactory(country="JP"), body="Stays.")
    page = open_page()
    sign_in(page, live_server.url, "kenji", article.get_absolute_url(), lang)
    heading = page.locator("#heading-japan .section-count")
    jump = page.get_by_role("navigation", name=tr(lang, "Comment sections")).get_by_role(
        "link", name=starting(tr(lang, "Reactions in Japan"))
    )
    expect(heading).to_have_text("(" + ntr(lang, "%(counter)s comment", "%(counter)s comments", 2, counter=2) + ")")
    expect(jump.locator(".section-count")).to_have_text("2")
    page.locator(f"#comment-{mine.pk}").get_by_role("link", name=tr(lang, "Delete"), exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name=tr(lang, "Delete"), exact=True).click()
    expect(page.locator(f"#comment-{mine.pk}")).to_have_count(0)
    expect(heading).to_have_text("(" + ntr(lang, "%(counter)s comment", "%(counter)s comments", 1, counter=1) + ")")
    expect(jump.locator(".section-count")).to_have_text("1")


def test_times_show_in_the_browsers_time_zone(open_page, lang, live_server):
    """A reader in Berlin: the first page (before the script has told the server the zone) shows
    Tokyo time with its zone written out, every page after it Berlin time."""
    posted = datetime(2026, 1, 19, 5, 7, tzinfo=UTC)
    article = ArticleFactory()
    comment = CommentFactory(article=article, author=UserFactory(country="DE"), created_at=posted)
    with translation.override(lang):
        tokyo, berlin = (
            formats.date_format(timezone.localtime(posted, ZoneInfo(zone)), "SHORT_DATETIME_FORMAT")
            for zone in ("Asia/Tokyo", "Europe/Berlin")
        )
    assert tokyo.endswith("JST") and berlin.endswith("CET")
    page = open_page(timezone_id="Europe/Berlin")
    page.goto(live_server.url + article.get_absolute_url())
    shown = page.locator(f"#comment-{comment.pk} .comment-meta time")
    expect(shown).to_have_text(tokyo)
    page.reload()
    expect(shown).to_have_text(berlin)
    assert page.context.cookies()[0]["value"] == "Europe/Berlin"
