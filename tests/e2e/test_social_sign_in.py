"""Sign-in with a provider, end to end in headless Chromium against the live server and a real
OpenID Connect provider on localhost (tests/oidc_provider.py) switched on as Yahoo! JAPAN ID: the
button on the sign-in page, the provider's page, the sign-up form choosing a country, and signing
in again straight through. In English and in Japanese (tests/e2e/i18n.py)."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.i18n import tr

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_reader_signs_up_and_in_with_the_local_openid_connect_provider(open_page, live_server, oidc_provider, lang):
    page = open_page()
    sign_in_button = tr(lang, "Sign in with %(provider)s", provider="Yahoo! JAPAN ID")

    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_role("button", name=sign_in_button).click()
    expect(page.get_by_role("heading", name="Test ID")).to_be_visible()  # the provider's own page
    page.get_by_role("button", name="Approve").click()

    expect(page.get_by_role("heading", name=tr(lang, "Sign up"))).to_be_visible()
    expect(page.locator("#id_username")).to_have_value("hanako")
    expect(page.locator("#id_email")).to_have_value("hanako@example.jp")
    page.locator("#id_display_name").fill("Hanako")
    page.locator("#id_country").select_option("JP")
    page.get_by_role("button", name=tr(lang, "Create account")).click()
    expect(page.get_by_role("navigation", name=tr(lang, "Account"))).to_contain_text("Hanako")
    reader = User.objects.get(username="hanako")
    assert reader.country == "JP" and reader.email_verified

    page.get_by_role("navigation", name=tr(lang, "Account")).get_by_role("button", name=tr(lang, "Sign out")).click()
    expect(page.get_by_role("navigation", name=tr(lang, "Account"))).not_to_contain_text("Hanako")
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_role("button", name=sign_in_button).click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("navigation", name=tr(lang, "Account"))).to_contain_text("Hanako")
    assert User.objects.count() == 1

    page.goto(live_server.url + "/accounts/social/")
    expect(page.get_by_role("button", name=tr(lang, "Unlink %(provider)s", provider="Yahoo! JAPAN ID"))).to_be_visible()
