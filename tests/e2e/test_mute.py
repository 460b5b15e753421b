"""Muting a reader in a real Chromium, in English and in Japanese, with and without JavaScript:
Mute on an unsigned reaction from Japan hides that reader's words behind "You muted this reader.
Show"; Show reveals them; the list of muted readers (from the profile) names the voice only by the
comment it was muted from, and Unmute there brings the words back."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.i18n import tr
from tests.e2e.test_accessibility import assert_no_serious_violations
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase-42"


@pytest.fixture
def discussion(db):
    UserFactory(username="emma", display_name="Emma", country="GB", password=PASSWORD)
    tokyo = UserFactory(username="tokyo_author", display_name="Secret Tokyo Name", country="JP")
    article = ArticleFactory(title="Rare earths and supply chains")
    muted = [CommentFactory(article=article, author=tokyo, body=f"Words from Tokyo, number {n}.") for n in (1, 2)]
    other = CommentFactory(article=article, author=UserFactory(display_name="Camille", country="FR"), body="Paris.")
    return article, muted, other


def _sign_in(page: Page, base_url: str, lang: str, article) -> None:
    page.goto(f"{base_url}/accounts/sign-in/?next={article.get_absolute_url()}")
    page.locator("#id_username").fill("emma")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form.stacked").get_by_role("button", name=tr(lang, "Sign in")).click()
    expect(page).to_have_url(re.compile(re.escape(article.get_absolute_url())))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_mute_hides_one_readers_words_and_undo_restores_them(open_page, lang, live_server, discussion, javascript):
    article, muted, other = discussion
    page = open_page(java_script_enabled=javascript)
    _sign_in(page, live_server.url, lang, article)
    first = page.locator(f"#comment-{muted[0].pk}")
    expect(first.locator(".comment-body")).to_have_text(muted[0].body)
    expect(page.locator(f"#comment-{other.pk} .mute-form button")).to_have_text(tr(lang, "Mute"))

    mute = first.get_by_role("button", name=tr(lang, "Mute"), exact=True)
    if javascript:  # the page's script mutes through the API, then shows the page again
        with page.expect_response(lambda response: response.url.endswith("/api/v1/me/mutes/")) as answer:
            mute.click()
        assert answer.value.status == 201
    else:
        mute.click()

    # Both of the reader's comments collapse; the other reader's stay in view.
    for comment in muted:
        item = page.locator(f"#comment-{comment.pk}")
        expect(item.locator("summary")).to_contain_text(tr(lang, "You muted this reader."))
        expect(item.locator(".comment-body")).to_be_hidden()
    expect(page.locator(f"#comment-{other.pk} .comment-body")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Secret Tokyo Name")
    if javascript:  # axe runs in the page's JavaScript
        assert_no_serious_violations(page, "the article with a muted reader's comments collapsed")

    # Show reveals the words (a <details>: with or without the script).
    first.locator("summary").get_by_text(tr(lang, "Show")).click()
    expect(first.locator(".comment-body")).to_have_text(muted[0].body)

    # The list of muted readers, from the profile: unnamed, with a link to the comment; Unmute.
    page.goto(f"{live_server.url}/accounts/profile/")
    page.locator("main").get_by_role("link", name=tr(lang, "Muted readers"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Muted readers"))
    where = tr(lang, "muted from a comment on “%(title)s”", title=article.title)
    label = tr(lang, "%(who)s (%(where)s)", who=tr(lang, "A reader in Japan"), where=where)
    item = page.locator(".muted-reader")
    expect(item).to_have_count(1)
    expect(item.get_by_role("link")).to_have_text(label)
    expect(page.locator("main")).not_to_contain_text("Secret Tokyo Name")
    if javascript:
        assert_no_serious_violations(page, "the list of muted readers")
    item.get_by_role("button", name=tr(lang, "Unmute")).click()
    expect(page.locator(".muted-reader")).to_have_count(0)

    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    for comment in muted:
        expect(page.locator(f"#comment-{comment.pk} .comment-body")).to_be_visible()
    expect(page.locator("details.muted-comment")).to_have_count(0)
