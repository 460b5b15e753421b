"""Two-factor authentication through the API: the token sign-in answers 202 two_factor_required for
an account with it, the code step answers the token; a reader sets it up, makes new recovery codes
and turns it off; codes are limited per account; disposable addresses are refused with a code."""

import time

import pytest
from allauth.mfa.models import Authenticator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import DisposableEmailDomain
from tests.api.conftest import PASSWORD, client_for
from tests.factories import UserFactory, totp_code

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
CODE_STEP = "/api/v1/auth/token/two-factor/"


def _password_step(username: str, client: APIClient | None = None):
    return (client or APIClient()).post(TOKEN, {"username": username, "password": PASSWORD}, format="json")


def test_the_token_sign_in_asks_for_the_code_then_answers_the_token():
    reader = UserFactory(username="hanako", two_factor=True)
    first = _password_step("hanako")
    assert first.status_code == 202
    body = first.json()
    assert body["code"] == "two_factor_required" and body["expires_in"] == 300 and "token" not in body
    assert not Token.objects.filter(user=reader).exists()

    wrong = APIClient().post(CODE_STEP, {"two_factor_token": body["two_factor_token"], "otp": "000000"}, format="json")
    assert wrong.status_code == 403 and wrong.json()["code"] == "incorrect_code"

    right = APIClient().post(
        CODE_STEP, {"two_factor_token": body["two_factor_token"], "otp": totp_code()}, format="json"
    )
    assert right.status_code == 200
    assert right.json()["token"] == Token.objects.get(user=reader).key and right.json()["device_token"]
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Token {right.json()['token']}")
    assert me.get("/api/v1/me/").json()["username"] == "hanako"
    reader.refresh_from_db()
    assert reader.sign_in_method == "password"


def test_an_account_without_it_still_gets_its_token_at_once():
    UserFactory(username="plain")
    answer = _password_step("plain")
    assert answer.status_code == 200 and answer.json()["token"]


def test_a_forged_expired_or_outdated_two_factor_token_is_401(settings):
    reader = UserFactory(username="kenji", two_factor=True)
    forged = APIClient().post(CODE_STEP, {"two_factor_token": "nonsense", "otp": totp_code()}, format="json")
    assert forged.status_code == 401

    token = _password_step("kenji").json()["two_factor_token"]
    reader.set_password("a brand new password")
    reader.save()
    outdated = APIClient().post(CODE_STEP, {"two_factor_token": token, "otp": totp_code()}, format="json")
    assert outdated.status_code == 401

    settings.TWO_FACTOR_SIGN_IN_SECONDS = 0
    later = APIClient().post(TOKEN, {"username": "kenji", "password": "a brand new password"}, format="json")
    time.sleep(1.1)
    expired = APIClient().post(
        CODE_STEP, {"two_factor_token": later.json()["two_factor_token"], "otp": totp_code()}, format="json"
    )
    assert expired.status_code == 401


def test_codes_are_limited_per_account(rates):
    rates(two_factor_account="2/h")
    UserFactory(username="yui", two_factor=True)
    statuses = []
    for n in range(3):
        token = _password_step("yui").json()["two_factor_token"]
        statuses.append(
            APIClient()
            .post(CODE_STEP, {"two_factor_token": token, "otp": "111111"}, format="json", REMOTE_ADDR=f"10.30.0.{n}")
            .status_code
        )
    assert statuses == [403, 403, 429]


def test_a_reader_sets_it_up_makes_new_codes_and_turns_it_off():
    reader = UserFactory()
    api = client_for(reader)
    assert api.get("/api/v1/me/two-factor/").json() == {"enabled": False, "recovery_codes_left": 0}

    setup = api.get("/api/v1/me/two-factor/totp/").json()
    assert setup["otpauth_url"].startswith("otpauth://totp/") and setup["secret"] in setup["otpauth_url"]
    refused = api.post(
        "/api/v1/me/two-factor/totp/", {"setup_token": setup["setup_token"], "otp": "000000"}, format="json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "incorrect_code"
    on = api.post(
        "/api/v1/me/two-factor/totp/",
        {"setup_token": setup["setup_token"], "otp": totp_code(setup["secret"])},
        format="json",
    )
    assert on.status_code == 201 and len(on.json()["recovery_codes"]) == 10
    assert api.get("/api/v1/me/two-factor/").json() == {"enabled": True, "recovery_codes_left": 10}
    again = api.post(
        "/api/v1/me/two-factor/totp/",
        {"setup_token": setup["setup_token"], "otp": totp_code(setup["secret"], at=time.time() + 30)},
        format="json",
    )
    assert again.status_code == 409 and again.json()["detail"]

    new_codes = api.post(
        "/api/v1/me/two-factor/recovery-codes/", {"otp": on.json()["recovery_codes"][0]}, format="json"
    )
    assert new_codes.status_code == 200 and set(new_codes.json()["recovery_codes"]).isdisjoint(
        on.json()["recovery_codes"]
    )

    assert api.delete("/api/v1/me/two-factor/", {"otp": "123"}, format="json").status_code == 403
    off = api.delete("/api/v1/me/two-factor/", {"otp": new_codes.json()["recovery_codes"][0]}, format="json")
    assert off.status_code == 204 and not Authenticator.objects.filter(user=reader).exists()
    assert api.delete("/api/v1/me/two-factor/", {"otp": "123456"}, format="json").status_code == 409


def test_a_setup_token_is_for_its_reader_only():
    someone = client_for(UserFactory()).get("/api/v1/me/two-factor/totp/").json()
    other = client_for(UserFactory())
    answer = other.post(
        "/api/v1/me/two-factor/totp/",
        {"setup_token": someone["setup_token"], "otp": totp_code(someone["secret"])},
        format="json",
    )
    assert answer.status_code == 403


def test_two_factor_settings_need_a_signed_in_reader():
    assert APIClient().get("/api/v1/me/two-factor/").status_code == 401
    assert APIClient().get("/api/v1/me/two-factor/totp/").status_code == 401


# --- Disposable addresses ---------------------------------------------------------------------------


def test_sign_up_and_change_of_address_refuse_a_disposable_domain_with_a_code():
    DisposableEmailDomain.objects.create(domain="Throwaway.Example.")
    sign_up = APIClient().post(
        "/api/v1/auth/sign-up/",
        {"username": "burner", "password": "plum blossom 1994", "email": "x@mail.throwaway.example"},
        format="json",
    )
    assert sign_up.status_code == 400
    assert sign_up.json()["code"] == "disposable_email" and sign_up.json()["email"]

    change = client_for(UserFactory()).post("/api/v1/me/email/", {"email": "y@throwaway.example"}, format="json")
    assert change.status_code == 400 and change.json()["code"] == "disposable_email"

    fine = APIClient().post(
        "/api/v1/auth/sign-up/",
        {"username": "keeper", "password": "plum blossom 1994", "email": "x@example.org"},
        format="json",
    )
    assert fine.status_code == 201
