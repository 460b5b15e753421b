"""A new reader's first visit, end to end in a real headless Chromium against the live server and a
real Celery worker: sign up, comment in the right section, and vote with the count updating in place."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from forum.models import Comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.processes import wait_for
from votes.models import Vote

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase-42"
# The worker tallies within a few hundred milliseconds; this only bounds a failing run.
TALLY_TIMEOUT_MS = 15_000


def section(page: Page, title: str):
    """A comment section, found as a reader finds it: by its heading ("Reactions in Japan (1 comment)")."""
    return page.get_by_role("region", name=re.compile(f"^{re.escape(title)}"))


def sign_up(page: Page, *, username: str, display_name: str, country_name: str) -> None:
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Display name").fill(display_name)
    page.get_by_label("Country").select_option(label=country_name)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


@pytest.mark.parametrize(
    ("country", "country_name", "display_name", "own_section", "other_section", "agree_breakdown"),
    [
        ("JP", "Japan", "Hanako", "Reactions in Japan", "Voices from Around the World", "Japan 1 · World 0"),
        ("BR", "Brazil", "Lucas", "Voices from Around the World", "Reactions in Japan", "Japan 0 · World 1"),
    ],
    ids=["reader-in-japan", "reader-elsewhere"],
)
def test_new_reader_signs_up_comments_in_their_section_and_votes_without_a_reload(
    page: Page,
    live_server,
    celery_worker,
    country,
    country_name,
    display_name,
    own_section,
    other_section,
    agree_breakdown,
):
    """A reader signs up on the real page, finds their comment in their country's section, and sees
    their "I agree" counted in place once the worker has tallied it."""
    article = ArticleFactory(title="Rare earths and supply chains")
    other_reader = UserFactory(display_name="Lena Fischer", country="DE")
    their_comment = CommentFactory(article=article, author=other_reader, body="Diversifying suppliers is worth it.")
    my_text = f"{display_name} here: stockpiles buy time, recycling buys independence."

    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_text("to comment and to vote.")).to_be_visible()
    sign_up(page, username=display_name.lower(), display_name=display_name, country_name=country_name)

    # Signed in and back on the article the reader came from.
    expect(page.get_by_role("status").first).to_contain_text(f"Welcome, {display_name}.")
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)
    expect(page.get_by_role("navigation", name="Account")).to_contain_text(display_name)
    assert User.objects.get(username=display_name.lower()).country.code == country

    page.get_by_label("Your comment").fill(my_text)
    expect(page.get_by_text(f"Your comment will appear in “{own_section}”")).to_be_visible()
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("status").first).to_contain_text("Your comment is posted.")

    mine = section(page, own_section).get_by_role("listitem").filter(has_text=my_text)
    expect(mine).to_have_count(1)
    expect(section(page, other_section)).not_to_contain_text(my_text)
    if own_section == "Voices from Around the World":
        expect(mine.locator(".byline")).to_have_text(f"{display_name}, {country_name}")
    expect(mine.get_by_role("button", name=re.compile("^I agree"))).to_be_disabled()
    expect(mine).to_contain_text("You cannot vote on your own comment.")

    theirs = page.locator(f"#comment-{their_comment.pk}")
    expect(theirs.locator(".byline")).to_have_text("Lena Fischer, Germany")
    agree = theirs.get_by_role("button", name=re.compile("^I agree"))
    expect(agree).to_have_attribute("aria-pressed", "false")
    expect(agree.locator("[data-count=agree]")).to_have_text("0")

    page.evaluate("window.stillTheSamePage = true")  # a reload or a form post would drop this
    agree.click()
    expect(agree).to_have_attribute("aria-pressed", "true")
    expect(agree.locator("[data-count=agree]")).to_have_text("1", timeout=TALLY_TIMEOUT_MS)
    expect(theirs.locator("[data-breakdown=agree]")).to_contain_text(agree_breakdown)
    expect(theirs.get_by_role("button", name=re.compile("^I disagree"))).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.stillTheSamePage") is True

    # The vote's answer counted the stored vote row at once; the worker then derives the same
    # counters from it.
    vote = Vote.objects.get(comment=their_comment)
    assert (vote.user.username, vote.choice) == (display_name.lower(), "agree")
    wait_for(
        lambda: Comment.objects.values_list("agree_count", "disagree_count").get(pk=their_comment.pk) == (1, 0),
        timeout=TALLY_TIMEOUT_MS / 1000,
        what="the worker's tally",
    )
    wait_for(lambda: "succeeded" in celery_worker.log(), timeout=5, what="the worker's log line")
