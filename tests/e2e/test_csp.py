"""Every kind of page works in a real Chromium under the Content-Security-Policy: no violation is
reported, Swagger UI (served from the project) renders the schema, the admin signs in, and a
stale tab's vote recovers by itself with a fresh CSRF token."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import ArticleFactory, CommentFactory, UserFactory, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase-42"


@pytest.fixture
def csp_violations(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def test_api_docs_render_under_the_policy(page: Page, live_server, csp_violations):
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("News forum API", timeout=15_000)
    expect(page.locator(".opblock").first).to_be_visible()
    assert csp_violations == []


def test_admin_signs_in_under_the_policy(page: Page, live_server, csp_violations):
    UserFactory(username="mod", is_staff=True, is_superuser=True, password=PASSWORD)
    CommentFactory(article=ArticleFactory())
    page.goto(f"{live_server.url}/admin/")
    # The site's sign-in, then the two-factor code staff have.
    page.get_by_label("Username").fill("mod")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(totp_code())
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(f"{live_server.url}/admin/forum/comment/")
    expect(page.locator("#result_list")).to_be_visible()
    assert csp_violations == []


def test_stale_tab_vote_recovers_with_a_fresh_token(page: Page, live_server, csp_violations):
    """The tab holds the token from before the reader signed in again elsewhere; the vote still
    goes through without leaving the page."""
    article = ArticleFactory(title="Stale tabs")
    comment = CommentFactory(article=article, author=UserFactory(country="DE"), body="Worth a vote.")
    UserFactory(username="reader", country="US", password=PASSWORD)
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    # Elsewhere (another tab of the same browser): sign out and in again, which rotates the token.
    other = page.context.new_page()
    other.goto(f"{live_server.url}/")
    other.get_by_role("button", name="Sign out").click()
    other.goto(f"{live_server.url}/accounts/sign-in/")
    other.get_by_label("Username").fill("reader")
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    expect(other.get_by_role("button", name="Sign out")).to_be_visible()
    # The other tab stays open until the context closes: Chromium can acknowledge a page.close()
    # that races a navigation's commit and never close the page, and Playwright then waits forever
    # (microsoft/playwright#42068). That hung this test one run in ten.
    page.bring_to_front()

    url_before = page.url
    page.locator(f"#comment-{comment.pk} button[value=agree]").click()
    expect(page.locator(f"#comment-{comment.pk} button[value=agree]")).to_have_attribute("aria-pressed", "true")
    assert page.url == url_before
    assert comment.votes.filter(choice="agree").count() == 1
    assert csp_violations == []
