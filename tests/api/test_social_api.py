"""Sign-in with a provider from the apps (accounts.social_api): the app sends the id_token its
native SDK got, here minted and signed by the real OpenID Connect provider the tests start on
localhost (tests/oidc_provider.py, as Yahoo! JAPAN ID); the forum checks it against the
provider's published keys and answers its own token."""

import time

import jwt
import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from tests.api.conftest import client_for
from tests.factories import UserFactory
from tests.oidc_provider import OidcProvider

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/social/token/"
SIGN_UP_URL = "/api/v1/auth/social/sign-up/"


def test_a_new_identity_signs_up_with_a_country_then_signs_in_with_its_next_id_token(oidc_provider):
    """409 signup_required with a sign-up token; the sign-up makes the account (the provider's
    verified address verified) and answers a working token; the next id_token signs in to it."""
    client = APIClient()
    first = client.post(TOKEN_URL, {"provider": "yahoo-japan", "id_token": oidc_provider.mint_id_token()}, "json")
    assert first.status_code == 409, first.content
    needed = first.json()
    assert needed["code"] == "signup_required"
    assert needed["username"] == "hanako" and needed["email"] == "hanako@example.jp" and needed["email_verified"]
    assert "/jwks" in oidc_provider.requests  # the signature was checked against the provider's keys
    assert not User.objects.exists()

    created = client.post(
        SIGN_UP_URL,
        {"signup_token": needed["signup_token"], "username": "hanako", "display_name": "Hanako", "country": "JP"},
        "json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    reader = User.objects.get(username="hanako")
    assert body["user"]["section"] == "japan" and body["user"]["email_verified"] is True
    assert reader.email == "hanako@example.jp" and not reader.has_usable_password()
    assert SocialAccount.objects.get(user=reader).provider == "yahoo-japan"
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert me.get("/api/v1/me/").json()["username"] == "hanako"

    again = client.post(TOKEN_URL, {"provider": "yahoo-japan", "id_token": oidc_provider.mint_id_token()}, "json")
    assert again.status_code == 200, again.content
    assert again.json()["token"] == Token.objects.get(user=reader).key
    assert again.json()["user"]["username"] == "hanako"

    # The sign-up token cannot make a second account; an id_token works once (its jti).
    replay = client.post(
        SIGN_UP_URL, {"signup_token": needed["signup_token"], "username": "hana2", "country": "JP"}, "json"
    )
    assert replay.status_code == 409 and User.objects.count() == 1
    used = oidc_provider.mint_id_token()
    assert client.post(TOKEN_URL, {"provider": "yahoo-japan", "id_token": used}, "json").status_code == 200
    assert client.post(TOKEN_URL, {"provider": "yahoo-japan", "id_token": used}, "json").status_code == 401


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda p: p.mint_id_token(exp=int(time.time()) - 60), id="expired"),
        pytest.param(lambda p: p.mint_id_token(audience="another-app"), id="another client"),
        pytest.param(lambda p: p.mint_id_token(iss="https://elsewhere.example"), id="another issuer"),
        pytest.param(lambda p: OidcProvider().mint_id_token(iss=p.issuer), id="signed by another key"),
        pytest.param(lambda p: p.mint_id_token()[:-4] + "AAAA", id="bad signature"),
        pytest.param(lambda p: "not.a.token", id="not a token"),
    ],
)
def test_an_id_token_the_provider_did_not_issue_for_us_is_refused(oidc_provider, forge):
    """Expired, for another client or issuer, signed by another key or tampered with: 401, no account."""
    answer = APIClient().post(TOKEN_URL, {"provider": "yahoo-japan", "id_token": forge(oidc_provider)}, "json")
    assert answer.status_code == 401, answer.content
    assert "not valid" in answer.json()["detail"]
    assert not User.objects.exists()


def test_an_id_token_without_a_key_id_is_refused_not_a_500(oidc_provider):
    token = jwt.encode(
        {"sub": "x", "iss": oidc_provider.issuer, "aud": oidc_provider.client_id}, oidc_provider.key, "RS256"
    )
    assert APIClient().post(TOKEN_URL, {"provider": "yahoo-japan", "id_token": token}, "json").status_code == 401


def test_a_provider_that_is_not_switched_on_is_not_found(oidc_provider):
    for provider in ("google", "line", "nobody"):
        answer = APIClient().post(TOKEN_URL, {"provider": provider, "id_token": oidc_provider.mint_id_token()}, "json")
        assert answer.status_code == 404, (provider, answer.content)


def test_a_forged_or_expired_signup_token_creates_nothing(oidc_provider, settings):
    answer = APIClient().post(SIGN_UP_URL, {"signup_token": "forged", "username": "hanako", "country": "JP"}, "json")
    assert answer.status_code == 401 and not User.objects.exists()


def test_social_sign_up_follows_the_name_rules_and_a_taken_username_is_a_conflict(oidc_provider):
    UserFactory(username="hanako")
    client = APIClient()
    needed = client.post(TOKEN_URL, {"provider": "yahoo-japan", "id_token": oidc_provider.mint_id_token()}, "json")
    signup_token = needed.json()["signup_token"]
    taken = client.post(SIGN_UP_URL, {"signup_token": signup_token, "username": "HANAKO", "country": "JP"}, "json")
    assert taken.status_code == 409, taken.content
    refused = client.post(
        SIGN_UP_URL,
        {"signup_token": signup_token, "username": "hana", "display_name": "公式 運営", "country": "JP"},
        "json",
    )
    assert refused.status_code == 400 and "display_name" in refused.json()
    assert User.objects.count() == 1


def test_an_address_the_provider_did_not_verify_is_not_verified(oidc_provider):
    """email_verified false in the id_token: the account is made, its address waits for its link."""
    oidc_provider.identity = {**oidc_provider.identity, "email_verified": False}
    client = APIClient()
    needed = client.post(TOKEN_URL, {"provider": "yahoo-japan", "id_token": oidc_provider.mint_id_token()}, "json")
    assert needed.json()["email_verified"] is False
    created = client.post(
        SIGN_UP_URL, {"signup_token": needed.json()["signup_token"], "username": "hanako", "country": "US"}, "json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["user"]["email_verified"] is False
    assert User.objects.get(username="hanako").email == ""


def test_a_closed_account_cannot_sign_in_with_its_provider(oidc_provider):
    reader = UserFactory(username="closed", is_active=False)
    SocialAccount.objects.create(user=reader, provider="yahoo-japan", uid="yj-0001")
    answer = client_for().post(
        TOKEN_URL, {"provider": "yahoo-japan", "id_token": oidc_provider.mint_id_token()}, "json"
    )
    assert answer.status_code == 403
    assert not Token.objects.filter(user=reader).exists()


def test_a_reader_links_a_provider_from_the_app_signs_in_with_it_and_unlinks_it(oidc_provider):
    """POST /me/social/ with an id_token links the identity; it then signs in; DELETE unlinks it."""
    reader = UserFactory(username="taro", email="taro@example.org")
    EmailAddress.objects.create(user=reader, email="taro@example.org", primary=True, verified=True)
    app = client_for(reader)
    linked = app.post(
        "/api/v1/me/social/", {"provider": "yahoo-japan", "id_token": oidc_provider.mint_id_token()}, "json"
    )
    assert linked.status_code == 201, linked.content
    assert linked.json()["provider"] == "yahoo-japan" and linked.json()["name"] == "Yahoo! JAPAN ID"
    assert [item["provider"] for item in app.get("/api/v1/me/social/").json()] == ["yahoo-japan"]

    signed_in = APIClient().post(
        TOKEN_URL, {"provider": "yahoo-japan", "id_token": oidc_provider.mint_id_token()}, "json"
    )
    assert signed_in.status_code == 200 and signed_in.json()["user"]["username"] == "taro"

    other = client_for(UserFactory(username="jiro"))
    elsewhere = other.post(
        "/api/v1/me/social/", {"provider": "yahoo-japan", "id_token": oidc_provider.mint_id_token()}, "json"
    )
    assert elsewhere.status_code == 409

    assert app.delete("/api/v1/me/social/yahoo-japan/").status_code == 204
    assert app.get("/api/v1/me/social/").json() == []
    assert app.delete("/api/v1/me/social/yahoo-japan/").status_code == 404


def test_the_app_cannot_unlink_the_last_way_to_sign_in(oidc_provider):
    """No password: 403 with code last_sign_in_method, and the provider stays."""
    client = APIClient()
    needed = client.post(TOKEN_URL, {"provider": "yahoo-japan", "id_token": oidc_provider.mint_id_token()}, "json")
    created = client.post(
        SIGN_UP_URL, {"signup_token": needed.json()["signup_token"], "username": "hanako", "country": "JP"}, "json"
    )
    app = APIClient()
    app.credentials(HTTP_AUTHORIZATION=f"Token {created.json()['token']}")
    refused = app.delete("/api/v1/me/social/yahoo-japan/")
    assert refused.status_code == 403, refused.content
    assert refused.json()["code"] == "last_sign_in_method" and "last way to sign in" in refused.json()["detail"]
    assert SocialAccount.objects.filter(user__username="hanako").exists()
