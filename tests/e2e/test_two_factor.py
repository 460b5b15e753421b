"""Two-factor authentication in headless Chromium, in English and in Japanese: a moderator opens
the admin, signs in on the site's sign-in with the password and then the code from their
authenticator app (computed here from the account's TOTP secret, RFC 6238), and reaches the queue;
a moderator without it is sent to set it up first, scans (here: reads) the key, and gets in."""

import pytest
from playwright.sync_api import expect

from tests.e2e.i18n import tr
from tests.factories import UserFactory, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # the factory's
QUEUE = "/admin/moderation/queueitem/"
QUEUE_TITLE = "Moderation queue: comments awaiting a decision"


def _moderator(moderators_group, **kwargs):
    user = UserFactory(username="desk", is_staff=True, **kwargs)
    user.groups.add(moderators_group)
    return user


def test_a_moderator_signs_in_with_a_totp_code_and_reaches_the_admin(open_page, live_server, moderators_group, lang):
    _moderator(moderators_group)
    page = open_page()
    page.goto(live_server.url + QUEUE)

    # The admin's sign-in is the site's: the password first...
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Sign in"))
    page.locator("#id_username").fill("desk")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name=tr(lang, "Sign in")).click()

    # ...then the code, which a wrong one does not pass.
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Two-factor authentication"))
    page.locator("#id_code").fill("000000")
    page.get_by_role("main").get_by_role("button", name=tr(lang, "Sign in")).click()
    expect(page.get_by_role("main")).to_contain_text(
        tr(lang, "That code is not right. Type the six digits your app shows now, or one of your recovery codes.")
    )
    page.locator("#id_code").fill(totp_code())
    page.get_by_role("main").get_by_role("button", name=tr(lang, "Sign in")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, QUEUE_TITLE))
    assert page.url == live_server.url + QUEUE


def test_a_moderator_without_it_sets_it_up_before_the_admin_opens(open_page, live_server, moderators_group, lang):
    _moderator(moderators_group, two_factor=False)
    page = open_page()
    page.goto(live_server.url + QUEUE)
    page.locator("#id_username").fill("desk")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name=tr(lang, "Sign in")).click()

    expect(page.locator(".two-factor-required")).to_have_text(
        tr(lang, "Moderators and administrators must turn on two-factor authentication before they can open the admin.")
    )
    expect(page.get_by_role("img", name=tr(lang, "QR code for your authenticator app"))).to_be_visible()
    secret = page.locator(".two-factor-secret").inner_text()
    page.locator("#id_code").fill(totp_code(secret))
    page.get_by_role("button", name=tr(lang, "Turn two-factor authentication on")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Your recovery codes"))
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name=tr(lang, "Continue")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, QUEUE_TITLE))
