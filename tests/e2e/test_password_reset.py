"""A reader who forgot their password, end to end in headless Chromium against the live server and
a real Celery worker that mails over SMTP: ask for a reset link, follow it from the mail received,
choose a new password, and sign in with it. In English and in Japanese (tests/e2e/i18n.py)."""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from tests.e2e.i18n import tr
from tests.factories import UserFactory
from tests.mailbox import link_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "plum blossoms in early spring"


def test_a_reader_resets_a_forgotten_password_from_the_mail_and_signs_in(
    open_page, live_server, mail_worker, mailbox, lang
):
    reader = UserFactory(username="forgetful", display_name="Forgetful", email="forgetful@example.org")
    EmailAddress.objects.create(user=reader, email="forgetful@example.org", primary=True, verified=True)
    page = open_page()

    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_role("link", name=tr(lang, "Forgot your password?")).click()
    expect(page.get_by_role("heading", name=tr(lang, "Reset your password"))).to_be_visible()
    page.locator("#id_email").fill("forgetful@example.org")
    page.get_by_role("button", name=tr(lang, "Send the reset link")).click()
    expect(page.get_by_role("heading", name=tr(lang, "Check your e-mail"))).to_be_visible()

    message = mailbox.wait_for("forgetful@example.org")
    assert message["Subject"] == tr(lang, "Reset your password")
    page.goto(link_in(message, "/accounts/password/reset/key/"))
    expect(page.get_by_role("heading", name=tr(lang, "Choose a new password"))).to_be_visible()
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name=tr(lang, "Change password")).click()
    expect(page.get_by_role("heading", name=tr(lang, "Your password is changed"))).to_be_visible()

    page.get_by_role("main").get_by_role("link", name=tr(lang, "Sign in")).click()
    page.locator("#id_username").fill("forgetful")
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.get_by_role("main").get_by_role("button", name=tr(lang, "Sign in")).click()
    expect(page.get_by_role("navigation", name=tr(lang, "Account"))).to_contain_text("Forgetful")

    # The link worked once: opening it again says so.
    page.goto(link_in(message, "/accounts/password/reset/key/"))
    expect(page.get_by_role("heading", name=tr(lang, "This link does not work"))).to_be_visible()
