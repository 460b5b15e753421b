"""axe-core (bundled by axe-playwright-python) on every reader's page, in English and in Japanese,
signed out and signed in, at desktop width and (the article) at phone width: no "serious" or
"critical" violation.

To check a new page, add one line to PAGES. A URL may use
{slug} (the article), {my_comment} (a comment by the signed-in reader, within its edit window) and
{other_comment} (another reader's comment, which the signed-in reader voted on, with a thread of
replies) and {a_reply} (a reply in that thread, which answers another reply).
"""

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from forum import services
from forum.models import Article, Comment, Section
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from votes.services import cast_vote

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class ForumPage:
    name: str
    url: str  # a str.format template over the keys in the module's docstring
    signed_in: bool


PAGES = [
    ForumPage("home", "/", signed_in=False),
    ForumPage("article signed out", "/articles/{slug}/", signed_in=False),
    ForumPage("article signed in", "/articles/{slug}/", signed_in=True),
    ForumPage("article, the English original", "/articles/{slug}/en/", signed_in=False),
    ForumPage("sign-in", "/accounts/sign-in/", signed_in=False),
    ForumPage("sign-up", "/accounts/sign-up/", signed_in=False),
    ForumPage("profile", "/accounts/profile/", signed_in=True),
    ForumPage("password change", "/accounts/password/", signed_in=True),
    ForumPage("e-mail address", "/accounts/email/", signed_in=True),
    ForumPage("password reset", "/accounts/password/reset/", signed_in=False),
    ForumPage("account deletion", "/accounts/delete/", signed_in=True),
    ForumPage("two-factor authentication", "/accounts/two-factor/", signed_in=True),
    ForumPage("my comments", "/accounts/comments/", signed_in=True),
    ForumPage("my votes", "/my/votes/", signed_in=True),
    ForumPage("comment edit", "/comments/{my_comment}/edit/", signed_in=True),
    ForumPage("comment delete", "/comments/{my_comment}/delete/", signed_in=True),
    ForumPage("comment report", "/comments/{other_comment}/report/", signed_in=True),
    ForumPage("thread signed out", "/comments/{other_comment}/thread/", signed_in=False),
    ForumPage("thread signed in", "/comments/{other_comment}/thread/", signed_in=True),
    ForumPage("reply to a reply", "/comments/{a_reply}/reply/", signed_in=True),
]

# Pages whose form, sent empty, comes back with its errors shown: (page, the form's selector).
FORMS_SENT_EMPTY = [
    (ForumPage("article, empty comment", "/articles/{slug}/", signed_in=True), "form.comment-form"),
    (ForumPage("reply, empty", "/comments/{other_comment}/reply/", signed_in=True), "#reply-form form.reply-form"),
    (ForumPage("sign-in, empty", "/accounts/sign-in/", signed_in=False), "main form.stacked"),
    (ForumPage("sign-up, empty", "/accounts/sign-up/", signed_in=False), "main form.stacked"),
    (ForumPage("password change, empty", "/accounts/password/", signed_in=True), "main form.stacked"),
    (ForumPage("e-mail address, empty", "/accounts/email/", signed_in=True), "main form.stacked"),
    (ForumPage("password reset, empty", "/accounts/password/reset/", signed_in=False), "main form.stacked"),
    (ForumPage("account deletion, empty", "/accounts/delete/", signed_in=True), "main form.stacked"),
    (ForumPage("two-factor authentication, empty", "/accounts/two-factor/", signed_in=True), "main form.stacked"),
]

LANGUAGES = {"en": "en-US", "ja": "ja-JP"}  # language -> the browser locale that asks for it
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def forum_content(transactional_db):
    """An open article with a comment in each section (one by the signed-in reader, which the
    reader may still edit; one they voted on), so every control a page can show is on it."""
    reader = UserFactory(username="reader", display_name="A Reader", country="US")
    article = ArticleFactory(
        title="Rare earths and supply chains",
        discussion_prompt="Should stockpiles be shared between allies?",
        # A Japanese version: the Japanese run reads it, with the link to the original.
        title_ja="レアアースと供給網",
        body_ja="冒頭の段落。\n\n## 小見出し\n\n- 一つ目\n- 二つ目\n",
        discussion_prompt_ja="備蓄は同盟国で分け合うべきでしょうか。",
    )
    in_japan = CommentFactory(
        article=article, author=UserFactory(display_name="Tokyo Reader", country="JP"), section=Section.JAPAN
    )
    mine = CommentFactory(article=article, author=reader, body="Recycling buys independence.")
    cast_vote(user=reader, comment=in_japan, choice="agree")
    # A thread under the reaction: a signed reply, an unsigned one answering it, and more than the
    # article page shows ("N more replies").
    emma = UserFactory(display_name="Emma", country="DE")
    first = services.post_comment(author=emma, article=article, body="From Berlin.", answering=in_japan)
    a_reply = services.post_comment(
        author=UserFactory(country="JP"), article=article, body="From Osaka.", answering=first
    )
    for n in range(3):
        services.post_comment(author=emma, article=article, body=f"More {n}.", answering=in_japan)
    cast_vote(user=reader, comment=first, choice="disagree")
    return {
        "reader": reader,
        "slug": article.slug,
        "my_comment": mine.pk,
        "other_comment": in_japan.pk,
        "a_reply": a_reply.pk,
    }


def session_cookie(user, base_url: str) -> dict:
    """The session cookie of a real sign-in (Django's test client, on the same database and cache)."""
    client = Client()
    client.force_login(user, backend="accounts.backends.UsernameBackend")
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base_url,
    }


def open_page(
    browser: Browser, live_server, content: dict, forum_page: ForumPage, language: str, viewport: dict
) -> Page:
    context = browser.new_context(locale=LANGUAGES[language], viewport=viewport)
    if forum_page.signed_in:
        context.add_cookies([session_cookie(content["reader"], live_server.url)])
    page = context.new_page()
    path = forum_page.url.format(**content)
    response = page.goto(live_server.url + path)
    # The page itself, not a redirect to the sign-in page nor an error page, is what axe checks.
    assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
    assert page.url == live_server.url + path, f"{path} went to {page.url}"
    assert response.request.headers["accept-language"].startswith(language)
    return page


def assert_no_serious_violations(page: Page, where: str) -> None:
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]\n"
        + "\n".join(f"    {', '.join(map(str, node['target']))}  {node['html'][:160]}" for node in v["nodes"])
        for v in blocking
    )
    assert not blocking, f"axe-core on {where}:\n{report}"
    # axe ran for real: it checked rules on this page, not an empty document.
    assert results.response["testEngine"]["name"] == "axe-core" and results.response["url"] == page.url


def assert_page_language(page: Page, language: str) -> None:
    lang = page.locator("html").get_attribute("lang")
    assert lang == language, f"<html lang={lang!r}> on a page asked for in {language!r}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("forum_page", PAGES, ids=[p.name.replace(" ", "-") for p in PAGES])
def test_page_has_no_serious_accessibility_violations(browser, live_server, forum_content, forum_page, language):
    page = open_page(browser, live_server, forum_content, forum_page, language, DESKTOP)
    assert_page_language(page, language)
    assert_no_serious_violations(page, f"{forum_page.name} ({language}, desktop)")
    page.context.close()


ARTICLE_PAGES = [p for p in PAGES if p.url == "/articles/{slug}/"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("forum_page", ARTICLE_PAGES, ids=[p.name.replace(" ", "-") for p in ARTICLE_PAGES])
def test_article_at_phone_width_has_no_serious_accessibility_violations(
    browser, live_server, forum_content, forum_page, language
):
    page = open_page(browser, live_server, forum_content, forum_page, language, PHONE)
    assert page.viewport_size == PHONE
    assert_page_language(page, language)
    assert_no_serious_violations(page, f"{forum_page.name} ({language}, phone 375×812)")
    page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("forum_page", "form"),
    FORMS_SENT_EMPTY,
    ids=[p.name.replace(" ", "-").replace(",", "") for p, _ in FORMS_SENT_EMPTY],
)
def test_form_errors_have_no_serious_accessibility_violations(
    browser, live_server, forum_content, forum_page, form, language
):
    """The server's error messages, not the browser's own bubbles: the form is sent without the
    browser's checks, as a browser without them (or a reader past them) would."""
    page = open_page(browser, live_server, forum_content, forum_page, language, DESKTOP)
    page.locator(form).evaluate("f => { f.noValidate = true; }")
    with page.expect_navigation():
        page.locator(form).locator("button[type=submit]").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_no_serious_violations(page, f"{forum_page.name} ({language}, errors shown)")
    page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_page_with_a_message_has_no_serious_accessibility_violations(browser, live_server, forum_content, language):
    """The messages after an action ("Your profile is saved.") sit in base.html, on every page."""
    page = open_page(
        browser, live_server, forum_content, ForumPage("profile", "/accounts/profile/", True), language, DESKTOP
    )
    with page.expect_navigation():
        page.locator("main form.stacked button[type=submit]").click()
    expect(page.locator(".messages .message").first).to_be_visible()
    assert_no_serious_violations(page, f"profile, saved ({language}, message shown)")
    page.context.close()


def test_the_check_reports_a_serious_violation_readably(page: Page):
    """The guard itself: a button with no name and low-contrast text fail, with id, impact, help and selector."""
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><main>'
        '<button id="nameless"></button><p style="color:#ccc;background:#fff">faint</p></main></body></html>'
    )
    with pytest.raises(AssertionError) as failure:
        assert_no_serious_violations(page, "a page made to fail")
    assert "button-name (critical)" in str(failure.value)
    assert "color-contrast (serious)" in str(failure.value)
    assert "#nameless" in str(failure.value)


# --- The moderators' admin ----------------------------------------------------------------------

ADMIN_PAGES = {
    "queue": "/admin/moderation/queueitem/",
    "audit trail": "/admin/moderation/auditentry/",
    "sanctions": "/admin/accounts/sanction/",
    "word lists": "/admin/moderation/wordrule/",
}


@pytest.fixture
def moderation_desk(forum_content, moderator):
    """Something on each admin page: a held comment with a report, a sanction, a word rule, and
    the audit entries they leave."""
    from moderation import sanctions, word_rules
    from moderation.models import WordRule
    from moderation.services import report_comment

    held = CommentFactory(article=Article.objects.get(slug=forum_content["slug"]), body="Buy cheap watches now!")
    report_comment(reporter=forum_content["reader"], comment=held, reason="spam", detail="An advert.")
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.HELD)
    sanctions.suspend_reader(moderator=moderator, reader=UserFactory(username="spammer"), days=3, reason="Spam")
    word_rules.save_word_rule(moderator=moderator, rule=WordRule(phrase="idiot", list="banned", note="insults"))
    return {**forum_content, "reader": moderator}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("url", ADMIN_PAGES.values(), ids=[name.replace(" ", "-") for name in ADMIN_PAGES])
def test_admin_page_has_no_serious_accessibility_violations(browser, live_server, moderation_desk, url, language):
    """The admin as a moderator meets it (signed in, in the Moderators group), in both languages."""
    page = open_page(browser, live_server, moderation_desk, ForumPage(url, url, signed_in=True), language, DESKTOP)
    assert_page_language(page, language)
    expect(page.locator("#result_list tbody tr").first).to_be_visible()  # the page lists something
    assert_no_serious_violations(page, f"admin {url} ({language}, desktop)")
    page.context.close()
