"""Sign-in limits (django-axes and device cookies, accounts/sign_in_limits.py) on the page (where
the admin signs in too) and the API's token sign-in: failures lock the (username, address) pair and the address,
never an account for everyone; guessing from many addresses refuses only clients the account has
never signed in on; a device token that keeps failing is locked itself; a locked address adds no
failures; password change and account deletion count toward the same limits."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.db.models import F
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

PASSWORD = "correct horse battery"  # the factory's
LIMIT = 5  # failures per (username, address) pair, per address and per device token
ACCOUNT_LIMIT = 8  # unknown clients' failures per account
DEVICE_COOKIE = "forum_device"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.SIGN_IN_DEVICE_FAILURE_LIMIT = LIMIT
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = ACCOUNT_LIMIT


@dataclass
class Face:
    """One way to sign in: the site's page or the API's token sign-in."""

    name: str
    sign_in: Callable  # (username, password, address, device token or None) -> response
    signed_in: Callable  # response -> bool
    device_token: Callable  # successful response -> the device token it handed out


def _page_sign_in(path: str) -> Callable:
    def sign_in(username, password, address, device=None):
        client = Client()
        if device:
            client.cookies[DEVICE_COOKIE] = device
        return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)

    return sign_in


def _api_sign_in(username, password, address, device=None):
    headers = {"HTTP_X_DEVICE_TOKEN": device} if device else {}
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
        **headers,
    )


WEB = Face(
    "page",
    _page_sign_in("/accounts/sign-in/"),
    lambda response: response.status_code == 302,
    lambda response: response.cookies[DEVICE_COOKIE].value,
)
API = Face(
    "api",
    _api_sign_in,
    lambda response: response.status_code == 200 and "token" in response.json(),
    lambda response: response.json()["device_token"],
)
FACES = [pytest.param(face, id=face.name) for face in (WEB, API)]


def _assert_locked(response, *, seconds: int = 900, account_lock: bool = False) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= seconds
    assert int(response["Retry-After"]) >= seconds - 5
    text = response.content.decode()
    if account_lock:
        assert "from devices it has not signed in on" in text and "a device where you signed in before" in text
    else:
        assert "Too many failed sign-in attempts for this account or from your address" in text
    assert "locked for 15 minutes" in text


def _staff(username: str) -> User:
    # Without two-factor authentication: these tests are about the password's limits (its code
    # step is tested in tests/accounts/test_two_factor.py).
    return UserFactory(username=username, is_staff=True, is_superuser=True, two_factor=False)


# --- The finding's attack: five failures no longer lock the account for everyone ---------------


@pytest.mark.parametrize("face", FACES)
def test_five_failures_lock_the_address_not_the_account(face):
    """Five wrong passwords for root from one address: that address is refused even the right
    password, and root signs in from a fresh address."""
    _staff("root")

    answers = [face.sign_in("root", f"wrong {n}", "10.0.0.1") for n in range(LIMIT)]

    assert not any(face.signed_in(answer) for answer in answers)
    assert all(answer.status_code != 429 for answer in answers[:-1])
    _assert_locked(answers[-1])
    _assert_locked(face.sign_in("root", PASSWORD, "10.0.0.1"))
    assert face.signed_in(face.sign_in("root", PASSWORD, "10.0.0.2"))


@pytest.mark.parametrize("face", FACES)
def test_a_locked_address_adds_no_failures_to_other_usernames(face):
    """Once an address is locked, its attempts at other usernames are refused without counting,
    so they cannot lock those accounts for unknown clients elsewhere."""
    _staff("victim")
    for n in range(LIMIT):
        face.sign_in(f"someone{n}", "wrong", "10.2.0.1")

    for _ in range(ACCOUNT_LIMIT + 2):
        _assert_locked(face.sign_in("victim", "wrong", "10.2.0.1"))

    assert not AccessAttempt.objects.filter(username="victim").exists()
    assert face.signed_in(face.sign_in("victim", PASSWORD, "10.2.0.2"))


def test_attempts_during_a_lock_do_not_stretch_it():
    """A refused attempt is not a failure: the count stays at the limit, and the lock-out page says
    how long is left of the cool-off begun by the last counted failure (one try every 15 minutes
    no longer keeps a lock going)."""
    UserFactory(username="taro")
    for n in range(LIMIT):
        WEB.sign_in("taro", f"wrong {n}", "10.3.0.1")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=10))  # ten minutes later
    last_failure = AccessAttempt.objects.get().attempt_time

    refused = WEB.sign_in("taro", "wrong again", "10.3.0.1")

    assert refused.status_code == 429
    assert 295 <= int(refused["Retry-After"]) <= 300
    assert "locked for 5 minutes" in refused.content.decode()
    attempt = AccessAttempt.objects.get()
    assert (attempt.failures_since_start, attempt.attempt_time) == (LIMIT, last_failure)


# --- Guessing from many addresses: unknown clients slowed, known devices not -----------------------


@pytest.mark.parametrize("face", FACES)
def test_guessing_from_many_addresses_refuses_unknown_clients_but_not_the_owners_device(face):
    _staff("hanako")
    device = face.device_token(face.sign_in("hanako", PASSWORD, "192.0.2.1"))  # the owner's own device

    for n in range(ACCOUNT_LIMIT):
        face.sign_in("hanako", f"guess {n}", f"10.4.{n}.1")  # a botnet, one guess per address

    # Any client the account has not signed in on is refused, wherever it is, even with the password.
    _assert_locked(face.sign_in("hanako", PASSWORD, "10.5.0.1"), account_lock=True)
    # The owner's device signs in, from its usual address or a new one.
    assert face.signed_in(face.sign_in("hanako", PASSWORD, "192.0.2.1", device))
    assert face.signed_in(face.sign_in("hanako", PASSWORD, "198.51.100.7", device))
    # Other accounts are untouched.
    _staff("jiro")
    assert face.signed_in(face.sign_in("jiro", PASSWORD, "10.5.0.2"))


def test_a_device_token_for_another_account_does_not_make_a_client_known(client):
    """The token names the account it signed in as; a guesser's own account's token does not help."""
    UserFactory(username="hanako")
    UserFactory(username="mallory")
    mallory_device = WEB.device_token(WEB.sign_in("mallory", PASSWORD, "10.6.0.1"))
    for n in range(ACCOUNT_LIMIT):
        WEB.sign_in("hanako", f"guess {n}", f"10.6.{n}.2", mallory_device)

    _assert_locked(WEB.sign_in("hanako", PASSWORD, "10.6.99.1", mallory_device), account_lock=True)


@pytest.mark.parametrize("device", ["not a token", "eyJ1IjoiaGFuYWtvIiwibiI6IngifQ:1a2b3c:forged"])
def test_a_forged_device_token_counts_as_an_unknown_client(device):
    UserFactory(username="hanako")
    for n in range(ACCOUNT_LIMIT):
        WEB.sign_in("hanako", f"guess {n}", f"10.7.{n}.1")

    _assert_locked(WEB.sign_in("hanako", PASSWORD, "10.7.99.1", device), account_lock=True)
    _assert_locked(API.sign_in("hanako", PASSWORD, "10.7.99.2", device), seconds=900, account_lock=True)


@pytest.mark.parametrize("face", FACES)
def test_a_device_that_keeps_failing_is_locked_itself(face):
    """OWASP: a known device's own failures lock that device, not the account nor its address."""
    _staff("hanako")
    device = face.device_token(face.sign_in("hanako", PASSWORD, "192.0.2.1"))

    answers = [face.sign_in("hanako", f"typo {n}", "192.0.2.1", device) for n in range(LIMIT)]

    assert all(answer.status_code != 429 for answer in answers[:-1])
    _assert_locked(answers[-1])
    _assert_locked(face.sign_in("hanako", PASSWORD, "192.0.2.1", device))
    # Its failures were its own: not counted for the address or the account.
    assert not AccessAttempt.objects.exists()
    assert face.signed_in(face.sign_in("hanako", PASSWORD, "192.0.2.1"))


def test_the_device_cookie_is_signed_long_lived_and_http_only(settings):
    UserFactory(username="hanako")
    settings.SESSION_COOKIE_SECURE = True

    cookie = WEB.sign_in("hanako", PASSWORD, "192.0.2.1").cookies[DEVICE_COOKIE]

    assert cookie["httponly"] and cookie["secure"]
    assert int(cookie["max-age"]) == 365 * 86400
    assert cookie["samesite"] == "Lax"
    assert "hanako" not in cookie.value or ":" in cookie.value  # signed (value:timestamp:signature)
    tampered = cookie.value[:-2] + ("AA" if not cookie.value.endswith("AA") else "BB")
    for n in range(ACCOUNT_LIMIT):
        WEB.sign_in("hanako", f"guess {n}", f"10.8.{n}.1")
    _assert_locked(WEB.sign_in("hanako", PASSWORD, "10.8.99.1", tampered), account_lock=True)
    assert WEB.signed_in(WEB.sign_in("hanako", PASSWORD, "10.8.99.1", cookie.value))


def test_the_token_sign_in_keeps_its_answer_and_adds_the_device_token():
    UserFactory(username="hanako")

    answer = API.sign_in("hanako", PASSWORD, "192.0.2.1")

    assert answer.status_code == 200
    assert set(answer.json()) == {"token", "device_token"}


def test_an_app_that_signed_up_is_a_known_device():
    """The sign-up's answer carries a device token too, so the app that made the account is known."""
    signed_up = APIClient().post(
        "/api/v1/auth/sign-up/",
        {"username": "newbie", "password": "plum blossom 1994", "email": "newbie@example.org"},
        format="json",
    )
    device = signed_up.json()["device_token"]
    for n in range(ACCOUNT_LIMIT):
        API.sign_in("newbie", f"guess {n}", f"10.16.{n}.1")

    _assert_locked(API.sign_in("newbie", "plum blossom 1994", "10.16.99.1"), account_lock=True)
    assert API.signed_in(API.sign_in("newbie", "plum blossom 1994", "10.16.99.1", device))


# --- What was already true, still true -------------------------------------------------------------


def test_the_address_locks_independently_of_the_username():
    """Guessing many readers' passwords from one address locks that address, even for a right password."""
    UserFactory(username="victim")
    for n in range(LIMIT):
        WEB.sign_in(f"someone{n}", "wrong", "10.9.0.1")

    _assert_locked(WEB.sign_in("victim", PASSWORD, "10.9.0.1"))
    assert WEB.signed_in(WEB.sign_in("victim", PASSWORD, "10.9.0.2"))


def test_api_token_sign_in_locks_with_the_json_error_shape():
    """The token sign-in answers 401 for wrong passwords, then 429 JSON with Retry-After and how long."""
    UserFactory(username="taro")

    answers = [API.sign_in("taro", f"wrong {n}", "10.10.0.1") for n in range(LIMIT)]

    assert [answer.status_code for answer in answers[:-1]] == [401] * (LIMIT - 1)
    right = API.sign_in("taro", PASSWORD, "10.10.0.1")
    for locked in (answers[-1], right):
        assert locked.status_code == 429
        assert locked["Retry-After"] == "900"
        assert set(locked.json()) == {"detail"}
        assert "locked for 15 minutes" in locked.json()["detail"]
    assert "token" not in right.json()


def test_failures_on_one_face_count_on_the_others():
    """Web and API share one count per pair: failures on the page and in the app lock the page."""
    _staff("mod")
    for n in range(LIMIT - 1):
        WEB.sign_in("mod", f"wrong {n}", "10.11.0.1")
    API.sign_in("mod", "wrong", "10.11.0.1")

    _assert_locked(WEB.sign_in("mod", PASSWORD, "10.11.0.1"))


def test_the_admins_sign_in_is_the_sites():
    """The admin's own sign-in page (password alone) is gone: it sends to the site's, with its
    limits and its two-factor step, and back to the admin page asked for."""
    answer = Client().get("/admin/login/?next=/admin/moderation/queueitem/")
    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/sign-in/?next=/admin/moderation/queueitem/"
    assert Client().post("/admin/login/", {"username": "root", "password": PASSWORD}).status_code == 302


def test_a_right_password_before_the_limit_still_signs_in():
    UserFactory(username="taro")
    WEB.sign_in("taro", "typo", "10.12.0.1")
    assert WEB.signed_in(WEB.sign_in("taro", PASSWORD, "10.12.0.1"))


# --- Password change and account deletion use the same limits --------------------------------------


def _signed_in_client(user: User) -> Client:
    client = Client(REMOTE_ADDR="10.13.0.1")
    client.force_login(user)
    return client


def test_password_change_answers_429_after_the_limit_and_counts_toward_sign_in():
    reader = UserFactory(username="taro")
    client = _signed_in_client(reader)

    def change(old: str):
        return client.post(
            "/accounts/password/",
            {"old_password": old, "new_password1": "a brand new phrase", "new_password2": "a brand new phrase"},
        )

    answers = [change(f"wrong {n}") for n in range(LIMIT)]

    assert [answer.status_code for answer in answers[:-1]] == [200] * (LIMIT - 1)
    _assert_locked(answers[-1])
    _assert_locked(change(PASSWORD))
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)
    # The attempts the admin shows keep none of the passwords typed.
    kept = AccessAttempt.objects.get().post_data
    assert "old_password=********************" in kept
    assert "wrong 0" not in kept and "a brand new phrase" not in kept
    # The same count locks signing in from that address.
    _assert_locked(WEB.sign_in("taro", PASSWORD, "10.13.0.1"))


def test_account_deletion_page_answers_429_after_the_limit():
    reader = UserFactory(username="taro")
    client = _signed_in_client(reader)

    answers = [client.post("/accounts/delete/", {"password": f"wrong {n}"}) for n in range(LIMIT)]

    assert [answer.status_code for answer in answers[:-1]] == [200] * (LIMIT - 1)
    _assert_locked(answers[-1])
    _assert_locked(client.post("/accounts/delete/", {"password": PASSWORD}))
    assert User.objects.filter(pk=reader.pk).exists()


def test_account_deletion_api_answers_429_after_the_limit():
    reader = UserFactory(username="taro")
    client = APIClient(REMOTE_ADDR="10.14.0.1")
    token = API.sign_in("taro", PASSWORD, "10.14.0.1").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    answers = [client.delete("/api/v1/me/", {"password": f"wrong {n}"}, format="json") for n in range(LIMIT)]

    assert [answer.status_code for answer in answers[:-1]] == [403] * (LIMIT - 1)
    right = client.delete("/api/v1/me/", {"password": PASSWORD}, format="json")
    for locked in (answers[-1], right):
        assert locked.status_code == 429
        assert locked["Retry-After"] == "900"
        assert "locked for 15 minutes" in locked.json()["detail"]
    assert User.objects.filter(pk=reader.pk).exists()


# --- Who clears a lock-out --------------------------------------------------------------------------


def test_a_moderator_sees_and_clears_a_lock_out_in_the_admin(moderator):
    """docs/security.md says moderators clear lock-outs in the admin ("Access attempts")."""
    UserFactory(username="taro")
    for n in range(LIMIT):
        WEB.sign_in("taro", f"wrong {n}", "10.15.0.1")
    _assert_locked(WEB.sign_in("taro", PASSWORD, "10.15.0.1"))
    admin = Client()
    admin.force_login(moderator)

    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "10.15.0.1" in listing.content.decode()
    attempt = AccessAttempt.objects.get()
    cleared = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )

    assert cleared.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert WEB.signed_in(WEB.sign_in("taro", PASSWORD, "10.15.0.1"))


def test_the_moderators_group_holds_the_lock_out_permissions(moderators_group):
    granted = set(
        moderators_group.permissions.filter(content_type__app_label="axes").values_list("codename", flat=True)
    )
    assert granted == {"view_accessattempt", "delete_accessattempt"}
    assert not Permission.objects.filter(group=moderators_group, codename="change_accessattempt").exists()
