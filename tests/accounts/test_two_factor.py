"""Two-factor authentication on the site (accounts.two_factor): a reader turns it on from the
profile, the sign-in then asks for the code after the password, recovery codes work once, the code
step expires and is limited per address and per account, and staff must have it before the admin
opens, signing in to the admin through the site's sign-in and its code step."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import STAFF_TOTP_SECRET, UserFactory, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # the factory's
SIGN_IN = "/accounts/sign-in/"
CODE_STEP = "/accounts/sign-in/code/"


def _sign_in(client: Client, username: str, next_url: str = "", **extra):
    path = SIGN_IN + (f"?next={next_url}" if next_url else "")
    return client.post(path, {"username": username, "password": PASSWORD}, **extra)


def _signed_in_as(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def _turn_on(client: Client) -> tuple[str, list[str]]:
    """Turn two-factor on through the page, as a reader does: read the key the page shows, type its
    code. Returns the key and the recovery codes shown."""
    page = client.get(reverse("two_factor")).content.decode()
    secret = re.search(r'class="two-factor-secret">([A-Z2-7]+)<', page).group(1)
    setup_token = re.search(r'name="setup_token" value="([^"]+)"', page).group(1)
    shown = client.post(
        reverse("two_factor"), {"action": "activate", "setup_token": setup_token, "code": totp_code(secret)}
    )
    assert shown.status_code == 200
    return secret, re.findall(r"<li><code>(\d+)</code></li>", shown.content.decode())


def test_a_reader_turns_it_on_and_the_sign_in_then_asks_for_the_code(client):
    """The profile links to the page; the first code turns it on and shows ten recovery codes once;
    from then on the password alone signs nobody in, and the app's code does."""
    reader = UserFactory(username="hanako")
    client.force_login(reader)
    assert reverse("two_factor") in client.get(reverse("profile")).content.decode()
    secret, codes = _turn_on(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert Authenticator.objects.filter(user=reader, type=Authenticator.Type.TOTP).exists()
    client.logout()

    password_step = _sign_in(client, "hanako", next_url="/my/comments/")
    assert password_step.status_code == 302 and password_step["Location"].startswith(CODE_STEP)
    assert _signed_in_as(client) is None
    assert "forum_device" not in password_step.cookies  # no device cookie before the code

    wrong = client.post(password_step["Location"], {"code": "000000"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    assert _signed_in_as(client) is None

    right = client.post(password_step["Location"], {"code": totp_code(secret)})
    assert right.status_code == 302 and right["Location"] == "/my/comments/"
    assert _signed_in_as(client) == reader.pk
    assert "forum_device" in right.cookies
    reader.refresh_from_db()
    assert reader.sign_in_method == "password"


def test_a_code_counts_once_and_a_recovery_code_once(client):
    reader = UserFactory(username="taro", two_factor=True)
    code = totp_code()
    _sign_in(client, "taro")
    assert client.post(CODE_STEP, {"code": code}).status_code == 302
    client.logout()
    _sign_in(client, "taro")
    assert "That code is not right" in client.post(CODE_STEP, {"code": code}).content.decode()  # replayed

    client.force_login(reader)
    recovery = re.findall(
        r"<li><code>(\d+)</code></li>",
        client.post(
            reverse("two_factor"), {"action": "recovery_codes", "code": totp_code(at=time.time() + 30)}
        ).content.decode(),
    )
    client.logout()
    _sign_in(client, "taro")
    assert client.post(CODE_STEP, {"code": recovery[0]}).status_code == 302
    client.logout()
    _sign_in(client, "taro")
    assert client.post(CODE_STEP, {"code": recovery[0]}).status_code == 200  # used up
    assert _signed_in_as(client) is None


def test_the_code_step_ends_with_its_time_and_with_a_password_change(client, settings):
    reader = UserFactory(username="kenji", two_factor=True)
    _sign_in(client, "kenji")
    reader.set_password("another long password")
    reader.save()
    answer = client.post(CODE_STEP, {"code": totp_code()})
    assert answer.status_code == 302 and answer["Location"] == reverse("login")
    assert _signed_in_as(client) is None

    settings.TWO_FACTOR_SIGN_IN_SECONDS = -1  # already over
    client.post(SIGN_IN, {"username": "kenji", "password": "another long password"})
    assert client.get(CODE_STEP)["Location"] == reverse("login")


def test_codes_are_limited_per_account_from_any_address(rates):
    """Guessing one account's code from many addresses is stopped by the account's own count;
    the limits answer 429 with Retry-After, like every other limit."""
    rates(two_factor_account="3/h")
    UserFactory(username="yui", two_factor=True)
    answers = []
    for n in range(4):
        guesser = Client(REMOTE_ADDR=f"10.20.0.{n}")
        _sign_in(guesser, "yui")
        answers.append(guesser.post(CODE_STEP, {"code": "123456"}))
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0


def test_codes_are_limited_per_address(rates):
    rates(two_factor_anon="2/h")
    UserFactory(username="a1", two_factor=True)
    UserFactory(username="a2", two_factor=True)
    UserFactory(username="a3", two_factor=True)
    statuses = []
    for username in ("a1", "a2", "a3"):
        client = Client(REMOTE_ADDR="10.21.0.1")
        _sign_in(client, username)
        statuses.append(client.post(CODE_STEP, {"code": "123456"}).status_code)
    assert statuses == [200, 200, 429]


def test_turning_it_off_and_new_recovery_codes_need_a_code(client):
    reader = UserFactory(username="off", two_factor=True)
    client.force_login(reader)
    page = client.get(reverse("two_factor")).content.decode()
    assert "Two-factor authentication is on" in page and "You have 0 unused recovery codes" in page

    refused = client.post(reverse("two_factor"), {"action": "deactivate", "code": "999999"})
    assert "That code is not right" in refused.content.decode()
    assert Authenticator.objects.filter(user=reader).exists()

    client.post(reverse("two_factor"), {"action": "deactivate", "code": totp_code()})
    assert not Authenticator.objects.filter(user=reader).exists()
    client.logout()
    assert _sign_in(client, "off")["Location"] == "/"  # the password alone again


def test_a_wrong_first_code_keeps_the_key_already_scanned(client):
    client.force_login(UserFactory())
    page = client.get(reverse("two_factor")).content.decode()
    secret = re.search(r'class="two-factor-secret">([A-Z2-7]+)<', page).group(1)
    token = re.search(r'name="setup_token" value="([^"]+)"', page).group(1)
    again = client.post(reverse("two_factor"), {"action": "activate", "setup_token": token, "code": "12"})
    text = again.content.decode()
    assert "That code is not right" in text and secret in text
    assert not Authenticator.objects.exists()


# --- Staff --------------------------------------------------------------------------------------


def test_staff_without_it_are_sent_to_set_it_up_before_the_admin_opens(client, moderators_group):
    moderator = UserFactory(username="newmod", is_staff=True, two_factor=False)
    moderator.groups.add(moderators_group)
    client.force_login(moderator)

    sent = client.get("/admin/moderation/queueitem/")
    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/two-factor/?next=%2Fadmin%2Fmoderation%2Fqueueitem%2F"
    page = client.get(sent["Location"]).content.decode()
    assert "must turn on two-factor authentication before they can open the admin" in page

    secret = re.search(r'class="two-factor-secret">([A-Z2-7]+)<', page).group(1)
    token = re.search(r'name="setup_token" value="([^"]+)"', page).group(1)
    codes_page = client.post(sent["Location"], {"action": "activate", "setup_token": token, "code": totp_code(secret)})
    assert 'href="/admin/moderation/queueitem/"' in codes_page.content.decode()  # Continue, back to the queue
    assert client.get("/admin/moderation/queueitem/").status_code == 200


def test_a_superuser_without_it_is_kept_out_of_the_admin_too(client):
    client.force_login(User.objects.create_superuser("root", password=PASSWORD))
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/")


def test_readers_pages_are_not_held_up_for_staff_without_it(client):
    client.force_login(UserFactory(is_staff=True, two_factor=False))
    assert client.get(reverse("profile")).status_code == 200


def test_a_moderator_signs_in_to_the_admin_through_the_code_step(moderator):
    """The admin's sign-in is the site's: password, then the code, then the admin page asked for."""
    browser = Client()
    to_sign_in = browser.get("/admin/moderation/queueitem/")
    assert to_sign_in["Location"].startswith("/admin/login/")
    to_site = browser.get(to_sign_in["Location"])
    assert to_site["Location"] == "/accounts/sign-in/?next=/admin/moderation/queueitem/"
    password_step = browser.post(to_site["Location"], {"username": "mod", "password": PASSWORD})
    assert password_step["Location"] == CODE_STEP + "?next=%2Fadmin%2Fmoderation%2Fqueueitem%2F"
    assert browser.get("/admin/moderation/queueitem/").status_code == 302  # not signed in yet

    done = browser.post(password_step["Location"], {"code": totp_code(STAFF_TOTP_SECRET)})
    assert done["Location"] == "/admin/moderation/queueitem/"
    assert browser.get(done["Location"]).status_code == 200


def test_the_code_step_speaks_japanese(client):
    UserFactory(username="jp", two_factor=True)
    _sign_in(client, "jp")
    page = client.get(CODE_STEP, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "二段階認証" in page
    wrong = client.post(CODE_STEP, {"code": "000000"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "コードが正しくありません" in wrong


def test_staff_without_it_may_still_sign_out_of_the_admin(client):
    client.force_login(UserFactory(is_staff=True, two_factor=False))
    answer = client.post("/admin/logout/")
    assert answer.status_code == 302 and answer["Location"] == "/"  # not to the two-factor page
    assert _signed_in_as(client) is None


def test_a_reader_with_it_can_still_change_their_address(client):
    """allauth.mfa would refuse a new, unverified address to an account with two-factor
    (MFA_ALLOW_UNVERIFIED_EMAIL): the forum's sign-in goes by username, so the change goes ahead."""
    reader = UserFactory(two_factor=True)
    client.force_login(reader)
    answer = client.post(reverse("email_settings"), {"email": "new-address@example.org"})
    assert answer.status_code == 302
    assert reader.emailaddress_set.filter(email="new-address@example.org", verified=False).exists()
