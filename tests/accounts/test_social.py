"""Sign-in with a provider (accounts.social), end to end against a real OpenID Connect provider the
tests start on localhost (tests/oidc_provider.py), configured as Yahoo! JAPAN ID would be: the
authorize page, the callback, the code exchanged for tokens, userinfo, a new account that chooses
its country, signing in again; linking and unlinking providers. Nothing of allauth is mocked."""

from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Region, User
from tests.factories import UserFactory
from tests.mailbox import body_of, link_in
from tests.oidc_provider import OidcProvider

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/social/oidc/yahoo-japan/login/"
PASSWORD = "plum blossom 1994 spring"


def through_provider(client: Client, provider: OidcProvider, *, process: str = "login"):
    """Press the provider's button, approve on the provider's page, and come back to the forum's
    callback: the forum's answer to the callback."""
    start = client.post(f"{LOGIN_URL}?process={process}")
    assert start.status_code == 302, start.content.decode()[:500]
    authorize = urlsplit(start["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}" == provider.issuer and authorize.path == "/authorize"
    page = requests.get(start["Location"], timeout=10)
    assert page.status_code == 200 and "Approve" in page.text
    approved = requests.post(
        f"{provider.issuer}/authorize", data=dict(parse_qsl(authorize.query)), allow_redirects=False, timeout=10
    )
    assert approved.status_code == 302
    callback = urlsplit(approved.headers["Location"])
    assert callback.path == "/accounts/social/oidc/yahoo-japan/login/callback/"
    return client.get(f"{callback.path}?{callback.query}")


def test_sign_in_page_offers_only_the_providers_switched_on(client, settings, oidc_provider):
    """A provider whose client id is set gets a button; with none set there is no button at all."""
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Yahoo! JAPAN ID" in page and LOGIN_URL in page
    assert "Sign in with LINE" not in page and "Sign in with Google" not in page
    settings.SOCIALACCOUNT_PROVIDERS = {}
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with" not in page
    assert client.post(LOGIN_URL).status_code == 404


def test_the_buttons_cost_the_sign_in_page_no_query(client, settings, oidc_provider):
    """The apps come from settings: the page asks the database nothing more for its buttons."""
    with CaptureQueriesContext(connection) as with_provider:
        assert "Sign in with Yahoo! JAPAN ID" in client.get(reverse("login")).content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = {}
    with CaptureQueriesContext(connection) as without:
        client.get(reverse("login"))
    assert len(with_provider) == len(without)
    assert not any("socialaccount" in query["sql"] for query in with_provider.captured_queries)


def test_a_new_reader_signs_up_through_the_provider_choosing_a_country_then_signs_in_again(oidc_provider):
    """Authorize, callback, token, userinfo; the sign-up form (prefilled, asking for the country);
    the account is made with the provider's verified address; the next sign-in goes straight in."""
    client = Client()
    to_signup = through_provider(client, oidc_provider)
    assert to_signup.status_code == 302 and to_signup["Location"] == reverse("socialaccount_signup")
    # The forum read the provider's discovery document, then: the reader's authorize page and
    # approval, and the forum's own calls, the code for tokens and the userinfo.
    assert oidc_provider.requests[0] == "/.well-known/openid-configuration"
    flow = [path for path in oidc_provider.requests if path not in ("/.well-known/openid-configuration", "/jwks")]
    assert flow == ["/authorize", "/authorize", "/token", "/userinfo"]
    form = client.get(reverse("socialaccount_signup"))
    assert form.status_code == 200
    assert form.context["form"].initial["username"] == "hanako"
    assert form.context["form"].initial["email"] == "hanako@example.jp"
    assert 'name="country"' in form.content.decode()
    assert SESSION_KEY not in client.session

    done = client.post(
        reverse("socialaccount_signup"),
        {"username": "hanako", "email": "hanako@example.jp", "display_name": "Hanako", "country": "JP"},
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    reader = User.objects.get(username="hanako")
    assert reader.country == "JP" and reader.region == Region.JAPAN and reader.display_name == "Hanako"
    assert reader.email_verified and reader.email == "hanako@example.jp"  # the provider verified it
    assert not reader.has_usable_password()
    assert SocialAccount.objects.get(user=reader).uid == "yj-0001"
    assert int(client.session[SESSION_KEY]) == reader.pk

    client.logout()
    again = through_provider(client, oidc_provider)
    assert again.status_code == 302 and again["Location"] == reverse("home")
    assert int(client.session[SESSION_KEY]) == reader.pk
    assert User.objects.count() == 1


def test_an_address_the_provider_did_not_verify_waits_for_its_link(oidc_provider, mail_worker, mailbox):
    """email_verified false: the account is made but the address is not verified; the link is mailed."""
    oidc_provider.identity = {**oidc_provider.identity, "email_verified": False}
    client = Client()
    through_provider(client, oidc_provider)
    done = client.post(
        reverse("socialaccount_signup"),
        {"username": "hanako", "email": "hanako@example.jp", "display_name": "", "country": "US"},
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    reader = User.objects.get(username="hanako")
    assert not reader.email_verified and reader.email == ""
    assert EmailAddress.objects.get(user=reader, email="hanako@example.jp").verified is False
    assert "/accounts/confirm-email/" in body_of(mailbox.wait_for("hanako@example.jp"))


def test_social_sign_up_follows_the_name_rules(oidc_provider):
    """A staff title or another reader's look-alike name is refused as on the site's sign-up."""
    UserFactory(username="alice")
    client = Client()
    through_provider(client, oidc_provider)
    refused = client.post(
        reverse("socialaccount_signup"),
        {"username": "аlice", "email": "hanako@example.jp", "display_name": "Official Moderator", "country": "JP"},
    )
    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert "username" in errors and "display_name" in errors
    assert not User.objects.filter(username="аlice").exists()


def test_a_provider_address_held_by_another_account_is_not_signed_into(oidc_provider):
    """The provider's address does not sign into an existing account, and the page does not say
    whose it is (as on the site's sign-up): "check your e-mail", where the owner learns they have
    an account already. No account is made, nothing is linked."""
    owner = UserFactory(username="owner", email="hanako@example.jp")
    EmailAddress.objects.create(user=owner, email="hanako@example.jp", primary=True, verified=True)
    client = Client()
    assert through_provider(client, oidc_provider)["Location"] == reverse("socialaccount_signup")
    refused = client.post(
        reverse("socialaccount_signup"),
        {"username": "hanako", "email": "hanako@example.jp", "country": "JP"},
    )
    assert refused.status_code == 302 and refused["Location"] == reverse("account_email_verification_sent")
    assert "Check your e-mail" in client.get(refused["Location"]).content.decode()
    assert not SocialAccount.objects.exists() and list(User.objects.all()) == [owner]
    assert SESSION_KEY not in client.session


def test_social_sign_up_is_under_the_sign_up_limits(oidc_provider, rates):
    """The sign-up form's posts count with the site's sign-ups from the same address: over the
    limit, the 429 page and no account."""
    rates(signup_anon="1/hour")
    client = Client()
    through_provider(client, oidc_provider)
    client.post(reverse("socialaccount_signup"), {"username": "", "email": "hanako@example.jp", "country": "JP"})
    limited = client.post(
        reverse("socialaccount_signup"), {"username": "hanako", "email": "hanako@example.jp", "country": "JP"}
    )
    assert limited.status_code == 429
    assert not User.objects.exists()


def test_a_reader_links_a_provider_signs_in_with_it_and_unlinks_it(oidc_provider):
    """Linked from the providers page, the provider signs the reader in; with a password the
    reader may unlink it again."""
    reader = UserFactory(username="taro", email="taro@example.org")
    EmailAddress.objects.create(user=reader, email="taro@example.org", primary=True, verified=True)
    client = Client()
    client.force_login(reader)
    linked = through_provider(client, oidc_provider, process="connect")
    assert linked.status_code == 302 and linked["Location"] == reverse("socialaccount_connections")
    account = SocialAccount.objects.get(user=reader)
    page = client.get(reverse("socialaccount_connections")).content.decode()
    assert "Unlink Yahoo! JAPAN ID" in page and "The provider is linked" in page

    client.logout()
    assert through_provider(client, oidc_provider)["Location"] == reverse("home")
    assert int(client.session[SESSION_KEY]) == reader.pk

    unlinked = client.post(reverse("socialaccount_connections"), {"account": account.pk})
    assert unlinked.status_code == 302
    assert not SocialAccount.objects.filter(user=reader).exists()
    assert "The provider is unlinked" in client.get(unlinked["Location"]).content.decode()


def test_the_last_way_to_sign_in_cannot_be_unlinked(oidc_provider):
    """A reader who signed up with a provider and has no password keeps that provider."""
    client = Client()
    through_provider(client, oidc_provider)
    client.post(reverse("socialaccount_signup"), {"username": "hanako", "email": "hanako@example.jp", "country": "JP"})
    account = SocialAccount.objects.get(user__username="hanako")
    refused = client.post(reverse("socialaccount_connections"), {"account": account.pk})
    assert refused.status_code == 200
    assert "This is your last way to sign in" in refused.content.decode()
    assert SocialAccount.objects.filter(pk=account.pk).exists()
    profile = client.get(reverse("profile")).content.decode()
    assert "Set a password" in profile and reverse("account_reset_password") in profile


def test_a_provider_only_reader_sets_a_password_by_mail_and_may_then_unlink(oidc_provider, mail_worker, mailbox):
    """The way out the refusal names: "Forgot your password?" mails a link to the provider's verified
    address; with a password the provider is no longer the last way in."""
    client = Client()
    through_provider(client, oidc_provider)
    client.post(reverse("socialaccount_signup"), {"username": "hanako", "email": "hanako@example.jp", "country": "JP"})
    account = SocialAccount.objects.get(user__username="hanako")
    assert Client().post(reverse("account_reset_password"), {"email": "hanako@example.jp"}).status_code == 302
    link = link_in(mailbox.wait_for("hanako@example.jp"), "/accounts/password/reset/key/")
    reset = Client()
    form = reset.get(urlsplit(link).path, follow=True)
    set_password_url = form.redirect_chain[-1][0] if form.redirect_chain else urlsplit(link).path
    assert reset.post(set_password_url, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 302
    assert User.objects.get(username="hanako").has_usable_password()

    signed_in = Client()
    assert signed_in.post(reverse("login"), {"username": "hanako", "password": PASSWORD}).status_code == 302
    assert signed_in.post(reverse("socialaccount_connections"), {"account": account.pk}).status_code == 302
    assert not SocialAccount.objects.exists()


def test_a_forged_callback_signs_nobody_in(oidc_provider):
    """A callback with a code but a state this browser never started is an error page, not a sign-in."""
    client = Client()
    answer = client.get("/accounts/social/oidc/yahoo-japan/login/callback/?code=forged&state=forged")
    assert answer.status_code == 401
    assert SESSION_KEY not in client.session and not User.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/social/line/login/",
        "/accounts/social/line/login/callback/?code=x&state=y",
        "/accounts/social/google/login/",
        "/accounts/social/apple/login/",
        "/accounts/social/apple/login/callback/",
        "/accounts/social/oidc/yahoo-japan/login/",
    ],
)
def test_a_provider_that_is_not_switched_on_has_no_pages(path):
    """Its sign-in and callback addresses end in a 404 (Apple's callback takes only POSTs, 405 to a
    GET, and passes a POST on to its finishing address), never a 500."""
    client = Client(raise_request_exception=False)
    assert client.get(path, follow=True).status_code in (404, 405)
    assert client.post(path, follow=True).status_code == 404


def test_a_reader_who_cancels_at_the_provider_is_told_so(oidc_provider):
    """The provider sends the reader back with error=access_denied: the cancelled page, nobody signed in."""
    client = Client()
    start = client.post(LOGIN_URL)
    state = dict(parse_qsl(urlsplit(start["Location"]).query))["state"]
    back = client.get(f"/accounts/social/oidc/yahoo-japan/login/callback/?error=access_denied&state={state}")
    assert back.status_code == 302 and back["Location"] == reverse("socialaccount_login_cancelled")
    assert "Signing in was cancelled" in client.get(back["Location"]).content.decode()
    assert SESSION_KEY not in client.session


def test_the_pages_speak_japanese(oidc_provider):
    """The sign-up form, the providers page and the sign-in button in Japanese."""
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    assert "Yahoo! JAPAN IDでログイン" in client.get(reverse("login")).content.decode()
    through_provider(client, oidc_provider)
    page = client.get(reverse("socialaccount_signup")).content.decode()
    assert "Yahoo! JAPAN IDでアカウントを作成しています" in page
