"""Account rules that keep readers honest and accounts safe, through the site, the API and the admin:
white-space passwords, invisible and direction-changing display names and comments, usernames
that differ by case or compatibility form, tokens that outlive a password or the account, the
password change page."""

import io
from unittest import mock

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.management.commands import changepassword
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from forum.models import Comment
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # the factories' password
NEW_PASSWORD = "a brand-new passphrase 77"
SIGN_UP = "/api/v1/auth/sign-up/"
TOKEN = "/api/v1/auth/token/"

WHITESPACE_PASSWORDS = ["            ", "\t \t \t \t \t ", "\u3000" * 10]
ZERO_WIDTH = ["\u200b", "\u200b\u200c\u200d", "\u2060\ufeff\u2060", " \u200b \u3164 \u2800 "]
DIRECTION = ["\u202eNapaJ ,rotaredoM laiciffO", "Ana\u2066Official Moderator\u2069", "Bob\u200f", "Tab\x07Bell"]


def _api_sign_up(**fields):
    data = {"username": "hanako", "password": NEW_PASSWORD, "email": "hanako@example.jp", **fields}
    return APIClient().post(SIGN_UP, data, format="json")


def _web_sign_up(client, **fields):
    data = {"username": "hanako", "email": "hanako@example.jp", "display_name": "Hanako", "country": "JP", **fields}
    data.setdefault("password1", NEW_PASSWORD)
    data.setdefault("password2", data["password1"])
    return client.post(reverse("sign_up"), data)


def _token_client(user) -> tuple[APIClient, str]:
    token, _created = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/me/").status_code == 200
    return client, token.key


# --- Passwords of white space only ---------------------------------------------------------------


@pytest.mark.parametrize("password", WHITESPACE_PASSWORDS)
def test_web_sign_up_refuses_a_white_space_password(client, password):
    response = _web_sign_up(client, password1=password)

    assert response.status_code == 200
    assert "Your password cannot be only white space." in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize("password", WHITESPACE_PASSWORDS)
def test_api_sign_up_refuses_a_white_space_password(password):
    response = _api_sign_up(password=password)

    assert response.status_code == 400
    assert "Your password cannot be only white space." in response.json()["password"]
    assert not User.objects.exists()


def test_password_change_refuses_a_white_space_password(client):
    reader = UserFactory()
    client.force_login(reader)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": " " * 12, "new_password2": " " * 12},
    )

    assert response.status_code == 200
    assert "Your password cannot be only white space." in response.content.decode()
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)


# --- Invisible comments and display names ------------------------------------------------------------


@pytest.mark.parametrize("body", ZERO_WIDTH)
def test_comments_of_invisible_characters_only_are_refused_on_the_page_and_the_api(client, body):
    article = ArticleFactory()
    reader = UserFactory()
    client.force_login(reader)

    page = client.post(reverse("post_comment", args=[article.slug]), {"body": body})
    api, _key = _token_client(reader)
    answer = api.post(f"/api/v1/articles/{article.slug}/comments/", {"body": body}, format="json")

    assert page.status_code == 400 and "Write something before posting." in page.content.decode()
    assert answer.status_code == 400 and answer.json() == {"body": ["Write something before posting."]}
    assert not Comment.objects.exists()


def test_a_comment_with_a_joiner_inside_visible_text_is_accepted(client):
    """Zero-width joiners build emoji and some scripts: only comments of nothing else are refused."""
    article = ArticleFactory()
    client.force_login(UserFactory())

    client.post(reverse("post_comment", args=[article.slug]), {"body": "Family: 👨\u200d👩\u200d👧"})

    assert Comment.objects.get().body == "Family: 👨\u200d👩\u200d👧"


@pytest.mark.parametrize("name", ZERO_WIDTH + DIRECTION)
def test_display_names_with_invisible_or_direction_characters_are_refused_everywhere(client, name):
    """Web sign-up, web profile, API sign-up and API profile all refuse them, saying why."""
    signed_up = _web_sign_up(client, display_name=name)
    assert signed_up.status_code == 200 and not User.objects.exists()
    assert "display name" in signed_up.content.decode().lower()

    api_signed_up = _api_sign_up(display_name=name)
    assert api_signed_up.status_code == 400 and list(api_signed_up.json()) == ["display_name"]
    assert not User.objects.exists()

    reader = UserFactory(display_name="Plain Name")
    client.force_login(reader)
    profile = client.post(reverse("profile"), {"display_name": name, "country": "FR"})
    api, _key = _token_client(reader)
    patched = api.patch("/api/v1/me/", {"display_name": name}, format="json")

    assert profile.status_code == 200 and 'class="errorlist' in profile.content.decode()
    assert patched.status_code == 400 and list(patched.json()) == ["display_name"]
    reader.refresh_from_db()
    assert reader.display_name == "Plain Name"


def test_a_bidi_override_is_named_in_the_message():
    response = _api_sign_up(display_name="\u202eNapaJ ,rotaredoM laiciffO")

    assert response.json()["display_name"] == [
        "A display name cannot contain invisible or text-direction characters (found: U+202E)."
    ]


def test_ordinary_names_in_any_script_are_accepted():
    for index, name in enumerate(["Zoë", "山田 花子", "محمد", "Ана-Мария", "O'Brien 🌸"]):
        response = _api_sign_up(username=f"reader{index}", display_name=name)
        assert response.status_code == 201, response.json()
        assert response.json()["user"]["display_name"] == name


# --- Usernames that differ by case or compatibility form ----------------------------------------


@pytest.mark.parametrize("taken", ["HANAKO", "Hanako", "ｈａｎａｋｏ", "ＨＡＮＡＫＯ"])
def test_sign_up_refuses_a_username_that_differs_only_by_case_or_form(client, taken):
    UserFactory(username="hanako")

    assert _api_sign_up(username=taken).status_code == 409
    page = _web_sign_up(client, username=taken)
    assert "A user with that username already exists." in page.content.decode()
    assert User.objects.count() == 1


def test_a_full_width_username_is_stored_in_nfkc(client):
    assert _api_sign_up(username="ｈａｎａｋｏ").json()["user"]["username"] == "hanako"
    UserFactory(username="ＴＡＲＯ")  # whoever saves, the model normalises
    assert User.objects.filter(username="TARO").exists()


def test_the_database_refuses_two_usernames_differing_only_by_case():
    UserFactory(username="hanako")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="HaNaKo")


@pytest.mark.parametrize("typed", ["hanako", "HANAKO", "Hanako", "ｈａｎａｋｏ"])
def test_sign_in_matches_the_username_without_case_or_form(client, typed):
    reader = UserFactory(username="Hanako")

    signed_in = client.post(reverse("login"), {"username": typed, "password": PASSWORD})
    token = APIClient().post(TOKEN, {"username": typed, "password": PASSWORD}, format="json")

    assert signed_in.status_code == 302 and client.get(reverse("profile")).context["user"] == reader
    assert token.status_code == 200 and token.json()["token"] == Token.objects.get(user=reader).key


def test_sign_in_with_a_wrong_password_is_still_refused_whatever_the_case(client):
    UserFactory(username="Hanako")

    assert APIClient().post(TOKEN, {"username": "HANAKO", "password": "wrong"}, format="json").status_code == 401
    assert APIClient().post(TOKEN, {"username": "nobody", "password": PASSWORD}, format="json").status_code == 401


def _admin_change_data(client, user) -> dict:
    """The admin's change form for a reader, filled with what it shows."""
    form = client.get(reverse("admin:accounts_user_change", args=[user.pk])).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled or value is None or value is False:
            continue
        if hasattr(field.widget, "decompress"):  # the split date and time of last_login, date_joined
            data[f"{name}_0"], data[f"{name}_1"] = (str(part) for part in field.widget.decompress(value))
        else:
            data[name] = "on" if value is True else value
    return data


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))  # with two-factor, as staff
    return client


def test_admin_cannot_rename_a_reader_to_a_case_variant_of_another(superuser_client):
    UserFactory(username="hanako")
    other = UserFactory(username="taro")
    data = {**_admin_change_data(superuser_client, other), "username": "HANAKO"}

    response = superuser_client.post(reverse("admin:accounts_user_change", args=[other.pk]), data)

    assert response.status_code == 200
    assert "A user with that username already exists." in response.content.decode()
    other.refresh_from_db()
    assert other.username == "taro"


# --- Tokens end with the password and with the account ---------------------------------------------


def test_admin_password_change_revokes_the_readers_tokens(superuser_client):
    reader = UserFactory()
    api, _key = _token_client(reader)

    response = superuser_client.post(
        reverse("admin:auth_user_password_change", args=[reader.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert api.get("/api/v1/me/").status_code == 401
    assert not Token.objects.filter(user=reader).exists()


def test_a_password_set_outside_the_services_still_revokes_the_tokens():
    """`manage.py changepassword`, or any code that calls set_password and saves."""
    reader = UserFactory(username="hanako")
    api, _key = _token_client(reader)

    with mock.patch.object(changepassword.Command, "_get_pass", return_value=NEW_PASSWORD):
        call_command("changepassword", "hanako", stdout=io.StringIO())

    assert api.get("/api/v1/me/").status_code == 401
    assert not Token.objects.filter(user=reader).exists()
    other = UserFactory()
    other_api, _key = _token_client(other)
    other.set_password(NEW_PASSWORD)
    other.save()
    assert other_api.get("/api/v1/me/").status_code == 401


def test_saving_a_reader_without_a_new_password_keeps_the_tokens():
    reader = UserFactory()
    api, _key = _token_client(reader)
    reader.display_name = "Renamed"
    reader.save()
    reader.set_password(NEW_PASSWORD)
    reader.save(update_fields=["display_name"])  # the new password is not saved, so nothing ends
    assert api.get("/api/v1/me/").status_code == 200


def test_signing_in_with_an_old_format_hash_upgrades_it_and_keeps_the_tokens(client, settings):
    """Django re-hashes a password in the preferred hasher at sign-in; that is not a new password."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ]
    reader = UserFactory(username="hanako")
    User.objects.filter(pk=reader.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha1"))
    api, _key = _token_client(reader)

    assert client.post(reverse("login"), {"username": "hanako", "password": PASSWORD}).status_code == 302

    assert User.objects.get(pk=reader.pk).password.startswith("md5$")  # upgraded
    assert api.get("/api/v1/me/").status_code == 200


def test_admin_deactivation_revokes_the_readers_tokens(superuser_client):
    reader = UserFactory()
    api, _key = _token_client(reader)
    data = _admin_change_data(superuser_client, reader)
    data.pop("is_active")

    response = superuser_client.post(reverse("admin:accounts_user_change", args=[reader.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    reader.refresh_from_db()
    assert reader.is_active is False
    assert not Token.objects.filter(user=reader).exists()
    reader.is_active = True  # reactivated later: the old token does not come back to life
    reader.save()
    assert api.get("/api/v1/me/").status_code == 401


# --- The password change page ------------------------------------------------------------------


def test_password_change_page_is_linked_from_the_profile_and_needs_sign_in(client):
    assert client.get(reverse("password_change")).status_code == 302
    client.force_login(UserFactory())

    assert reverse("password_change") in client.get(reverse("profile")).content.decode()
    assert client.get(reverse("password_change")).status_code == 200


def test_password_change_keeps_this_session_and_ends_the_others_and_the_tokens(client):
    reader = UserFactory(username="hanako")
    elsewhere = Client()
    assert elsewhere.post(reverse("login"), {"username": "hanako", "password": PASSWORD}).status_code == 302
    client.post(reverse("login"), {"username": "hanako", "password": PASSWORD})
    api, _key = _token_client(reader)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("profile")
    assert "Your password is changed." in response.content.decode()
    assert client.get(reverse("profile")).status_code == 200  # still signed in here
    assert elsewhere.get(reverse("profile")).status_code == 302  # signed out elsewhere
    assert api.get("/api/v1/me/").status_code == 401  # the app's token is revoked
    assert APIClient().post(TOKEN, {"username": "hanako", "password": NEW_PASSWORD}, format="json").status_code == 200


def test_password_change_with_a_wrong_old_password_changes_nothing(client):
    reader = UserFactory()
    client.force_login(reader)
    api, _key = _token_client(reader)

    response = client.post(
        reverse("password_change"),
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200 and "Your old password was entered incorrectly." in response.content.decode()
    assert api.get("/api/v1/me/").status_code == 200
