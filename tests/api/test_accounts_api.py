"""A mobile reader's account through the API: sign up, sign in, profile, sign out."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from tests.api.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGN_UP = "/api/v1/auth/sign-up/"
TOKEN = "/api/v1/auth/token/"


def test_sign_up_sign_in_profile_and_sign_out(anonymous_client):
    """The whole journey: the sign-up token works, a sign-in returns the same token, the profile
    changes the section, and after sign-out the token is refused."""
    signed_up = anonymous_client.post(
        SIGN_UP,
        {"username": "hanako", "password": "plum blossom 1994", "email": "hanako@example.jp", "country": "JP"},
        format="json",
    )
    assert signed_up.status_code == 201
    assert signed_up.json()["user"]["section"] == "japan"
    token = signed_up.json()["token"]

    signed_in = anonymous_client.post(TOKEN, {"username": "hanako", "password": "plum blossom 1994"}, format="json")
    assert signed_in.status_code == 200 and signed_in.json()["token"] == token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    changed = client.patch("/api/v1/me/", {"display_name": "Hanako", "country": "DE"}, format="json")
    assert changed.status_code == 200
    assert changed.json() | {"id": 0} == {
        "id": 0,
        "username": "hanako",
        "display_name": "Hanako",
        "country": "DE",
        "email": "",  # until the address given at sign-up is verified
        "email_verified": False,
        "section": "world",
        "standing": {
            "status": "good",
            "suspended_until": None,
            "premoderated": False,
            "message": "Your account is in good standing.",
        },
    }

    assert client.delete(TOKEN).status_code == 204
    assert not Token.objects.filter(key=token).exists()
    assert client.get("/api/v1/me/").status_code == 401


def test_sign_up_rejects_a_weak_password_with_the_reason(anonymous_client):
    """Django's password validators apply: a common password is a 400 on "password"."""
    response = anonymous_client.post(
        SIGN_UP, {"username": "weak", "password": "password123", "email": "weak@example.org"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["password"]
    assert not User.objects.filter(username="weak").exists()


def test_sign_up_with_a_taken_username_is_a_conflict(anonymous_client, reader):
    """A username already taken (in any letter case) is a 409 with a detail."""
    response = anonymous_client.post(
        SIGN_UP, {"username": "READER", "password": "a sturdy passphrase", "email": "r@example.org"}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "A reader with that username already exists."}

    in_japanese = anonymous_client.post(
        SIGN_UP,
        {"username": "READER", "password": "a sturdy passphrase", "email": "r@example.org"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert in_japanese.status_code == 409
    assert in_japanese.json() == {"detail": "そのユーザー名はすでに使われています。"}


@pytest.mark.parametrize("password", ["wrong password", PASSWORD])
def test_sign_in_with_wrong_or_inactive_credentials_is_unauthorized(anonymous_client, reader, password):
    """A wrong password, or a deactivated reader, gets 401 and no token."""
    User.objects.filter(pk=reader.pk).update(is_active=password != PASSWORD)

    response = anonymous_client.post(TOKEN, {"username": "reader", "password": password}, format="json")

    assert response.status_code == 401
    assert set(response.json()) == {"detail"}
    assert not Token.objects.exists()


def test_profile_cannot_grant_staff_or_rename_the_account(reader):
    """Only display name and country change; other fields sent along are ignored."""
    client = APIClient()
    client.force_authenticate(reader)

    response = client.patch(
        "/api/v1/me/", {"is_staff": True, "is_superuser": True, "username": "root", "country": "JP"}, format="json"
    )

    assert response.status_code == 200
    reader.refresh_from_db()
    assert (reader.is_staff, reader.is_superuser, reader.username, reader.country) == (False, False, "reader", "JP")


def test_session_authentication_needs_the_csrf_token(reader):
    """The site's own JavaScript signs in with the session; writes then need the CSRF token."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(reader)

    refused = client.patch("/api/v1/me/", {"display_name": "No token"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert "Reload it and try again" in refused.json()["detail"]

    client.get("/accounts/profile/")  # sets the CSRF cookie, as any page does
    allowed = client.patch(
        "/api/v1/me/", {"display_name": "With token"}, format="json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )
    assert allowed.status_code == 200 and allowed.json()["display_name"] == "With token"
