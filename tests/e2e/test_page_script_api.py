"""The article page's script writes through the documented API, in a real Chromium, in English and
in Japanese: a vote is a PUT (pressed again, a DELETE), a report from the dialog a POST, each to
/api/v1/ with the reader's session and the page's CSRF token; what the API refuses (the e-mail
address to verify, too many votes, a missing reason) the reader reads in the page's language.
The page's own addresses (the vote form, the report page) receive no write from the script."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from moderation.models import Report
from tests.e2e.i18n import starting, tr
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from votes.models import Vote

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase-42"
EMAIL_UNVERIFIED = (
    "To vote, comment or report, verify your e-mail address: follow the link in the e-mail we sent you. "
    "No e-mail? Re-send it, or change the address, under “E-mail address” on your profile."
)


def sign_in(page: Page, base_url: str, username: str, next_path: str, lang: str) -> None:
    page.goto(f"{base_url}{reverse('login')}?next={next_path}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form.stacked").get_by_role("button", name=tr(lang, "Sign in")).click()


def writes_of(page: Page) -> list[tuple[str, str]]:
    """Every request the page sends from now on that is not a GET: (method, path)."""
    sent: list[tuple[str, str]] = []
    page.on(
        "request",
        lambda request: (
            sent.append((request.method, re.sub(r"^https?://[^/]+", "", request.url)))
            if request.method != "GET"
            else None
        ),
    )
    return sent


@pytest.fixture
def reader(db):
    return UserFactory(username="ines", display_name="Inês", country="PT", password=PASSWORD)


@pytest.fixture
def theirs(db):
    article = ArticleFactory()
    return CommentFactory(article=article, author=UserFactory(country="JP"), body="Stockpiles buy time.")


def test_a_vote_and_taking_it_back_go_to_the_api(open_page, lang, live_server, reader, theirs):
    page = open_page()
    sign_in(page, live_server.url, "ines", theirs.article.get_absolute_url(), lang)
    sent = writes_of(page)
    agree = page.locator(f"#comment-{theirs.pk}").get_by_role("button", name=starting(tr(lang, "I agree")))

    agree.click()
    expect(agree).to_have_attribute("aria-pressed", "true")
    expect(agree.locator("[data-count=agree]")).to_have_text("1")
    assert Vote.objects.get(user=reader, comment=theirs).choice == "agree"
    agree.click()  # pressed again: taken back
    expect(agree).to_have_attribute("aria-pressed", "false")
    expect(agree.locator("[data-count=agree]")).to_have_text("0")
    assert Vote.objects.get(user=reader, comment=theirs).choice is None

    vote_url = reverse("api_vote", args=[theirs.pk])
    assert sent == [("PUT", vote_url), ("DELETE", vote_url)]


def test_the_apis_refusals_of_a_vote_read_in_the_pages_language(
    open_page, lang, live_server, reader, theirs, settings, rates
):
    page = open_page()
    sign_in(page, live_server.url, "ines", theirs.article.get_absolute_url(), lang)
    comment = page.locator(f"#comment-{theirs.pk}")
    agree = comment.get_by_role("button", name=starting(tr(lang, "I agree")))
    status = comment.locator(".vote-status")

    # 403 email_unverified: the page's own sentence, saying what to do.
    settings.FORUM_REQUIRE_VERIFIED_EMAIL = True
    type(reader).objects.filter(pk=reader.pk).update(email_verified=False)
    agree.click()
    expect(status).to_have_text(tr(lang, EMAIL_UNVERIFIED))
    expect(agree).to_have_attribute("aria-pressed", "false")
    settings.FORUM_REQUIRE_VERIFIED_EMAIL = False

    # 429: too many votes.
    rates(vote_user="1/min")
    agree.click()
    expect(agree).to_have_attribute("aria-pressed", "true")
    expect(status).to_have_text("")
    comment.get_by_role("button", name=starting(tr(lang, "I disagree"))).click()
    expect(status).to_have_text(tr(lang, "Too many at once. Wait a moment and try again."))
    assert Vote.objects.get(user=reader, comment=theirs).choice == "agree"


def test_a_report_from_the_dialog_goes_to_the_api(open_page, lang, live_server, reader, theirs):
    page = open_page()
    sign_in(page, live_server.url, "ines", theirs.article.get_absolute_url(), lang)
    sent = writes_of(page)
    page.locator(f"#comment-{theirs.pk}").get_by_role("link", name=tr(lang, "Report")).click()
    dialog = page.locator("dialog.report-dialog")
    send = dialog.get_by_role("button", name=tr(lang, "Send report"))

    send.click()  # no reason chosen: the API's field error, in the reader's language
    expect(dialog.locator(".report-status")).not_to_have_text("")
    assert not Report.objects.exists()
    english_required = "This field is required."
    if lang == "ja":
        expect(dialog.locator(".report-status")).not_to_have_text(english_required)

    dialog.get_by_label(tr(lang, "Why are you reporting this comment?")).select_option("spam")
    send.click()
    expect(dialog.locator(".report-status")).to_have_text(
        tr(lang, "Thank you. The moderators will look at this comment.")
    )
    assert Report.objects.get(reporter=reader, comment=theirs).reason == "spam"
    report_url = reverse("api_report", args=[theirs.pk])
    assert sent == [("POST", report_url), ("POST", report_url)]
