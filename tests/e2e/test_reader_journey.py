"""A new reader's first visit, end to end in a real headless Chromium against the live server and a
real Celery worker: sign up, verify the address from the mail received over SMTP, comment in the
right section, and vote with the count updating in place.
One reader reads in Japanese, the other in English: names come from the catalogue (tests/e2e/i18n.py)."""

import pytest
from django.utils import translation
from django_countries import countries
from playwright.sync_api import Page, expect

from accounts.models import User
from forum.models import Comment
from tests.e2e.i18n import starting, tr
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.mailbox import link_in
from tests.processes import wait_for
from votes.models import Vote

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase-42"
# The worker tallies within a few hundred milliseconds; this only bounds a failing run.
TALLY_TIMEOUT_MS = 15_000


def section(page: Page, title: str):
    """A comment section, found as a reader finds it: by its heading ("Reactions in Japan (1 comment)")."""
    return page.get_by_role("region", name=starting(title))


def country_name(code: str, lang: str) -> str:
    with translation.override(lang):
        return str(countries.name(code))


def sign_up(page: Page, *, username: str, email: str, display_name: str, country: str, lang: str) -> None:
    page.get_by_role("link", name=tr(lang, "Sign up"), exact=True).click()
    expect(page.get_by_role("heading", name=tr(lang, "Sign up"))).to_be_visible()
    page.locator("#id_username").fill(username)
    page.locator("#id_email").fill(email)
    page.locator("#id_display_name").fill(display_name)
    page.locator("#id_country").select_option(country)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name=tr(lang, "Create account")).click()


# Each reader in the language their browser asks for: a reader in Japan reading Japanese, one in
# Brazil reading English (the article page's other controls run in both: test_reader_page.py).
@pytest.mark.parametrize(
    ("country", "lang", "display_name", "own_section", "other_section", "agree_by_region"),
    [
        ("JP", "ja", "Hanako", "Reactions in Japan", "Voices from Around the World", (1, 0)),
        ("BR", "en", "Lucas", "Voices from Around the World", "Reactions in Japan", (0, 1)),
    ],
    ids=["reader-in-japan-ja", "reader-elsewhere-en"],
)
def test_new_reader_signs_up_comments_in_their_section_and_votes_without_a_reload(
    open_page,
    live_server,
    mail_worker,
    mailbox,
    country,
    lang,
    display_name,
    own_section,
    other_section,
    agree_by_region,
):
    """A reader signs up on the real page, finds their comment in their country's section, and sees
    their agree vote counted in place once the worker has tallied it."""
    page = open_page()  # its locale asks for this case's language (the parametrized lang)
    own_section, other_section = tr(lang, own_section), tr(lang, other_section)
    article = ArticleFactory(title="Rare earths and supply chains")
    other_reader = UserFactory(display_name="Lena Fischer", country="DE")
    their_comment = CommentFactory(article=article, author=other_reader, body="Diversifying suppliers is worth it.")
    my_text = f"{display_name} here: stockpiles buy time, recycling buys independence."

    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator(".sign-in-invite")).to_contain_text(tr(lang, "Sign in"))
    email = f"{display_name.lower()}@example.org"
    sign_up(page, username=display_name.lower(), email=email, display_name=display_name, country=country, lang=lang)

    # Signed in and back on the article the reader came from.
    welcome = (
        "Welcome, %(name)s. We sent a link to %(email)s: follow it to verify your address, and you can vote, "
        "comment and report."
    )
    expect(page.get_by_role("status").first).to_contain_text(tr(lang, welcome, name=display_name, email=email))
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)

    # The verification mail arrives over SMTP, in the reader's language; its link verifies the address.
    message = mailbox.wait_for(email)
    assert message["Subject"] == tr(lang, "Verify your e-mail address")
    page.goto(link_in(message, "/accounts/confirm-email/"))
    page.get_by_role("button", name=tr(lang, "Confirm")).click()
    expect(page.get_by_role("status").first).to_contain_text(
        tr(lang, "Your address %(email)s is verified.", email=email)
    )
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_role("navigation", name=tr(lang, "Account"))).to_contain_text(display_name)
    assert User.objects.get(username=display_name.lower()).country.code == country

    page.get_by_role("textbox", name=tr(lang, "Your comment"), exact=True).fill(my_text)
    where = "Your comment will appear in “%(section)s”, from the country in your profile."
    expect(page.get_by_text(tr(lang, where, section=own_section))).to_be_visible()
    page.get_by_role("button", name=tr(lang, "Post comment")).click()
    expect(page.get_by_role("status").first).to_contain_text(tr(lang, "Your comment is posted."))

    mine = section(page, own_section).get_by_role("listitem").filter(has_text=my_text)
    expect(mine).to_have_count(1)
    expect(section(page, other_section)).not_to_contain_text(my_text)
    if country != "JP":
        expect(mine.locator(".byline")).to_have_text(f"{display_name}, {country_name(country, lang)}")
    expect(mine.get_by_role("button", name=starting(tr(lang, "I agree")))).to_be_disabled()
    expect(mine).to_contain_text(tr(lang, "You cannot vote on your own comment."))

    theirs = page.locator(f"#comment-{their_comment.pk}")
    expect(theirs.locator(".byline")).to_have_text(f"Lena Fischer, {country_name('DE', lang)}")
    agree = theirs.get_by_role("button", name=starting(tr(lang, "I agree")))
    expect(agree).to_have_attribute("aria-pressed", "false")
    expect(agree.locator("[data-count=agree]")).to_have_text("0")

    page.evaluate("window.stillTheSamePage = true")  # a reload or a form post would drop this
    agree.click()
    expect(agree).to_have_attribute("aria-pressed", "true")
    expect(agree.locator("[data-count=agree]")).to_have_text("1", timeout=TALLY_TIMEOUT_MS)
    in_japan, in_world = agree_by_region
    expect(theirs.locator("[data-breakdown=agree]")).to_contain_text(
        f"{tr(lang, 'Japan')} {in_japan} · {tr(lang, 'World')} {in_world}"
    )
    disagree = theirs.get_by_role("button", name=starting(tr(lang, "I disagree")))
    expect(disagree).to_have_attribute("aria-pressed", "false")
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
    wait_for(lambda: "succeeded" in mail_worker.log(), timeout=5, what="the worker's log line")
