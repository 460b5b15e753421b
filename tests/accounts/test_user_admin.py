"""Moderators act on readers only: no staff account, nobody's password, no tokens or groups."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # the factory's


@pytest.fixture
def other_moderator(moderators_group):
    user = UserFactory(username="mod2", email="mod2@example.org", is_staff=True)
    user.groups.add(moderators_group)
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="boss", email="boss@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def admin_url(name: str, user: User) -> str:
    return reverse(f"admin:{name}", args=[user.pk])


STAFF_URLS = [
    "accounts_user_change",
    "auth_user_password_change",
    "accounts_user_delete",
    "accounts_user_history",
]


def change_form_data(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "display_name": user.display_name,
        "country": "US",
        "password": "pbkdf2_sha256$1$salt$forged",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("target_name", ["superuser", "other_moderator"])
@pytest.mark.parametrize("url_name", STAFF_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_admin_url_of_a_staff_account_is_closed_to_moderators(
    request, moderator_client, target_name, url_name, method
):
    """Change, password, delete and history answer 403 or 404 — not the admin's usual redirect."""
    target = request.getfixturevalue(target_name)
    data = {"password1": "taken over 123!", "password2": "taken over 123!", "post": "yes"} if method == "post" else {}
    response = getattr(moderator_client, method)(admin_url(url_name, target), data)
    assert response.status_code in (403, 404)
    target.refresh_from_db()
    assert target.check_password(PASSWORD) and target.is_active


@pytest.mark.parametrize("target_name", ["superuser", "other_moderator"])
def test_a_moderators_change_post_leaves_a_staff_account_as_it_was(request, moderator_client, target_name):
    target = request.getfixturevalue(target_name)
    before = User.objects.filter(pk=target.pk).values().get()
    response = moderator_client.post(
        admin_url("accounts_user_change", target),
        change_form_data(target, email="evil@example.org", is_active=None, display_name="Owned"),
    )
    assert response.status_code == 404
    assert User.objects.filter(pk=target.pk).values().get() == before


def test_staff_accounts_are_not_listed_and_bulk_actions_cannot_reach_them(
    moderator_client, moderator, other_moderator, superuser
):
    reader = UserFactory(username="plainreader")
    changelist = reverse("admin:accounts_user_changelist")
    page = moderator_client.get(changelist).content.decode()
    assert "plainreader" in page
    assert "boss" not in page and "mod2" not in page
    response = moderator_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [superuser.pk, other_moderator.pk, reader.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    assert User.objects.filter(pk__in=[superuser.pk, other_moderator.pk, reader.pk, moderator.pk]).count() == 4


def test_a_moderator_cannot_edit_their_own_account_in_the_user_admin(moderator_client, moderator):
    """Their own account is staff too: not even the active flag or e-mail through the admin."""
    response = moderator_client.post(
        admin_url("accounts_user_change", moderator), change_form_data(moderator, email="me@example.org")
    )
    assert response.status_code == 404
    moderator.refresh_from_db()
    assert moderator.email != "me@example.org"


def test_a_moderator_never_sets_a_readers_password(moderator_client):
    reader = UserFactory(username="plainreader")
    url = admin_url("auth_user_password_change", reader)
    assert moderator_client.get(url).status_code == 403
    response = moderator_client.post(
        url, {"password1": "taken over 123!", "password2": "taken over 123!", "usable_password": "true"}
    )
    assert response.status_code == 403
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)


def test_a_moderator_edits_a_readers_profile_without_any_password_control(moderator_client):
    """The change form still works for readers, minus the password row and its link; a forged
    password hash in the POST is ignored."""
    reader = UserFactory(username="plainreader", email="r@example.org")
    url = admin_url("accounts_user_change", reader)
    response = moderator_client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "password/" not in page and 'name="password"' not in page
    assert 'name="display_name"' in page and 'name="email"' not in page and "r@example.org" not in page
    response = moderator_client.post(url, change_form_data(reader, display_name="Renamed", is_active=None))
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.display_name == "Renamed" and not reader.is_active  # deactivated
    assert reader.check_password(PASSWORD) and not reader.is_staff and not reader.is_superuser


def test_a_moderator_cannot_add_users(moderator_client, moderators_group):
    # Even with the add right given to the group by mistake: a new account comes with a password.
    moderators_group.permissions.add(Permission.objects.get(codename="add_user"))
    url = reverse("admin:accounts_user_add")
    assert moderator_client.get(url).status_code == 403
    response = moderator_client.post(
        url, {"username": "puppet", "password1": "puppet pass 123!", "password2": "puppet pass 123!"}
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="puppet").exists()


def test_a_moderator_still_changes_their_own_password(moderator_client, moderator):
    response = moderator_client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": "a new one 2026!", "new_password2": "a new one 2026!"},
    )
    assert response.status_code == 302
    moderator.refresh_from_db()
    assert moderator.check_password("a new one 2026!")


@pytest.mark.parametrize(
    ("url_name", "codenames"),
    [
        ("authtoken_tokenproxy", ["view_tokenproxy", "add_tokenproxy", "change_tokenproxy", "delete_tokenproxy"]),
        ("auth_group", ["view_group", "add_group", "change_group", "delete_group"]),
    ],
)
def test_tokens_and_groups_are_for_superusers_only(moderator_client, moderators_group, url_name, codenames):
    """Whoever sees or makes a token acts as its reader; whoever edits a group grants rights. Closed
    to moderators even if the group is given these permissions by mistake."""
    reader = UserFactory(username="plainreader")
    token = Token.objects.create(user=reader)
    moderators_group.permissions.add(*Permission.objects.filter(codename__in=codenames))
    assert moderator_client.get(reverse(f"admin:{url_name}_changelist")).status_code == 403
    assert moderator_client.get(reverse(f"admin:{url_name}_add")).status_code == 403
    response = moderator_client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": reader.pk})
    assert response.status_code == 403
    assert moderator_client.get(reverse("admin:authtoken_tokenproxy_change", args=[reader.pk])).status_code == 403
    assert list(Token.objects.filter(user=reader)) == [token]
    index = moderator_client.get(reverse("admin:index")).content.decode()
    assert token.key not in index and "tokenproxy/" not in index and "auth/group/" not in index


def test_a_superuser_still_manages_staff_and_passwords(client, superuser, other_moderator):
    client.force_login(superuser)
    url = admin_url("auth_user_password_change", other_moderator)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"password1": "reset by boss 1!", "password2": "reset by boss 1!", "usable_password": "true"}
    )
    assert response.status_code == 302
    other_moderator.refresh_from_db()
    assert other_moderator.check_password("reset by boss 1!")
    page = client.get(admin_url("accounts_user_change", other_moderator)).content.decode()
    assert "password/" in page and 'name="is_superuser"' in page
    assert client.get(reverse("admin:authtoken_tokenproxy_changelist")).status_code == 200


# --- Moderators hold no more of a reader's data than their work needs ---------------------------


def test_moderators_see_no_email_in_the_list_search_filters_or_form(moderator_client):
    reader = UserFactory(username="plainreader", email="hidden-address@example.org")
    changelist = reverse("admin:accounts_user_changelist")
    page = moderator_client.get(changelist)
    assert "plainreader" in page.content.decode()
    assert "hidden-address" not in page.content.decode() and "email" not in page.context["cl"].list_display
    # Searching by the address finds nothing; filtering on it in the URL is refused.
    assert not list(moderator_client.get(changelist, {"q": "hidden-address"}).context["cl"].result_list)
    assert moderator_client.get(changelist, {"email__startswith": "hidden"}).status_code == 400
    form = moderator_client.get(admin_url("accounts_user_change", reader)).content.decode()
    assert "hidden-address" not in form and 'name="email"' not in form


def test_superusers_still_see_and_search_email(client, superuser):
    UserFactory(username="plainreader", email="visible-address@example.org")
    client.force_login(superuser)
    changelist = reverse("admin:accounts_user_changelist")
    found = client.get(changelist, {"q": "visible-address"})
    assert [user.username for user in found.context["cl"].result_list] == ["plainreader"]
    assert "visible-address@example.org" in found.content.decode()
    assert client.get(changelist, {"email__startswith": "visible"}).context["cl"].result_count == 1


def test_a_forged_post_cannot_change_a_readers_identity_or_age(moderator_client):
    """Username, e-mail, date_joined (the new-account wait and the young-account flag) and
    last_login are read-only for moderators: posted anyway, they are ignored."""
    reader = UserFactory(username="plainreader", email="r@example.org")
    before = User.objects.filter(pk=reader.pk).values("username", "email", "date_joined", "last_login").get()
    url = admin_url("accounts_user_change", reader)
    page = moderator_client.get(url).content.decode()
    for name in ("username", "date_joined_0", "last_login_0", "email"):
        assert f'name="{name}"' not in page
    response = moderator_client.post(
        url,
        change_form_data(
            reader,
            username="taken-over",
            email="evil@example.org",
            date_joined_0="2000-01-01",
            last_login_0="2000-01-01",
            last_login_1="00:00:00",
            display_name="Renamed",
        ),
    )
    assert response.status_code == 302
    after = User.objects.filter(pk=reader.pk).values("username", "email", "date_joined", "last_login").get()
    assert after == before
    reader.refresh_from_db()
    assert reader.display_name == "Renamed"  # the rest of the form still works
