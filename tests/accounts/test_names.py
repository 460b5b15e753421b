"""Names readers are seen by (security findings 5 and 16): staff titles, look-alikes of another
reader's name and banned words are refused on sign-up (page and API), the profile (page and
API) and in the admin, with the reason in the reader's language and what they typed kept."""

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.folding import name_skeleton
from accounts.models import User
from moderation import word_rules
from moderation.models import WordRule
from tests.accounts.test_user_admin import change_form_data
from tests.api.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

fill_skeletons = importlib.import_module("accounts.migrations.0006_user_name_skeletons").fill_skeletons

PASSWORD = "a-long-unusual-passphrase-42"


def sign_up_page(client, **overrides):
    data = {
        "username": "hanako",
        "email": "hanako@example.jp",
        "display_name": "",
        "country": "JP",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return client.post(reverse("sign_up"), {**data, **overrides})


def sign_up_api(**overrides):
    data = {
        "username": "hanako",
        "password": PASSWORD,
        "email": "h@example.jp",
        "display_name": "",
        "country": "JP",
        **overrides,
    }
    return client_for().post(reverse("api_sign_up"), data, format="json")


STAFF_LIKE = [
    "Official Moderator",
    "ＡＤＭＩＮ",
    "SiteAdmin",
    "adm1n",
    "\u0430dmin",  # Cyrillic а
    "The Staff",
    "editor_jp",
    "運営",
    "ニュース編集部",
    "公式アカウント",
    "管理人です",
    "ﾓﾃﾞﾚｰﾀｰ",
    "スタッフ",
    "運 営",
]


@pytest.mark.parametrize("name", STAFF_LIKE)
def test_a_staff_title_is_refused_as_a_display_name_on_the_sign_up_page(client, name):
    response = sign_up_page(client, display_name=name)
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["display_name"]
    assert [error.code for error in errors] == ["staff_title"]
    assert f'value="{name}"' in response.content.decode()  # kept to fix
    assert not User.objects.exists()


@pytest.mark.parametrize("username", ["ＡＤＭＩＮ", "moderator", "official_news", "Staff.Tokyo"])
def test_a_staff_title_is_refused_as_a_username_in_the_api(username):
    response = sign_up_api(username=username)
    assert response.status_code == 400
    assert "staff" in response.json()["username"][0]
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "name", ["Hanako", "Badminton fan", "Creditor Tom", "Flagstaff Hiker", "非公式ファン", "Modest"]
)
def test_innocent_names_are_accepted(client, name):
    response = sign_up_page(client, display_name=name)
    assert response.status_code == 302, response.context["form"].errors
    assert User.objects.get().display_name == name


@pytest.mark.parametrize("look_alike", ["\u0430lice", "ALICE", "Alice", "a1ice", "AIice", "ａｌｉｃｅ"])
def test_a_username_that_reads_as_anothers_is_refused_in_the_api(look_alike):
    UserFactory(username="alice", display_name="")
    response = sign_up_api(username=look_alike)
    assert response.status_code in (400, 409)  # 409: the same name but for case (taken)
    if response.status_code == 400:
        assert "looks the same" in response.json()["username"][0]
    assert User.objects.count() == 1


def test_a_display_name_that_reads_as_another_readers_name_is_refused_in_the_api(reader):
    UserFactory(username="alice", display_name="")
    UserFactory(username="bob", display_name="Bob Smith")
    api = client_for(reader)
    for name in ["\u0430lice", "Bob  Smith", "B\u043eb Smith"]:
        response = api.patch(reverse("api_me"), {"display_name": name}, format="json")
        assert response.status_code == 400, name
        assert "looks the same" in response.json()["display_name"][0]
    reader.refresh_from_db()
    assert reader.display_name == "A Reader"
    # One's own names are one's own: a display name reading as one's own username is fine.
    response = api.patch(reverse("api_me"), {"display_name": "READER"}, format="json")
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.display_name_skeleton == name_skeleton("reader")


def test_the_profile_page_refuses_a_staff_title_in_japanese_and_keeps_it(client, reader):
    client.force_login(reader)
    response = client.post(
        reverse("profile"), {"display_name": "公式 運営", "country": "US"}, HTTP_ACCEPT_LANGUAGE="ja"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "運営スタッフの肩書きと紛らわしい" in page
    assert 'value="公式 運営"' in page
    reader.refresh_from_db()
    assert reader.display_name == "A Reader"


def test_banned_words_are_screened_in_names(client, reader, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        word_rules.save_word_rule(moderator=moderator, rule=WordRule(phrase="idiot", list="banned", note="Insults"))
        word_rules.save_word_rule(moderator=moderator, rule=WordRule(phrase="crypto", list="suspect"))
    for name in ["TheIdiot", "idiot_42", "\u0456diots", "ＴｈｅＩｄｉｏｔ"]:
        response = sign_up_api(username="someone", display_name=name)
        assert response.status_code == 400, name
        assert "Insults" in response.json()["display_name"][0]
    assert sign_up_api(username="idiot99").status_code == 400
    # A suspect word is not a reason to refuse a name (nobody can hold a name for review).
    assert sign_up_api(username="cryptofan", display_name="Crypto Fan").status_code == 201


def test_two_usernames_that_read_alike_cannot_both_be_stored():
    """The skeleton's unique index holds even when two sign-ups race past the form's check."""
    UserFactory(username="alice")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="\u0430lice")


def test_a_superuser_gives_a_staff_account_a_title_in_the_admin_a_moderator_cannot(client, moderator):

    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    colleague = UserFactory(username="tanaka", email="t@example.org", is_staff=True)
    reader = UserFactory(username="plainreader", email="r@example.org")
    client.force_login(boss)
    url = reverse("admin:accounts_user_change", args=[colleague.pk])
    response = client.post(url, change_form_data(colleague, display_name="Moderator Tanaka", is_superuser=None))
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.display_name == "Moderator Tanaka"
    # Even a superuser cannot give a reader's account a staff title.
    url = reverse("admin:accounts_user_change", args=[reader.pk])
    response = client.post(url, change_form_data(reader, display_name="運営", is_staff=None, is_superuser=None))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()["display_name"]
    assert [error.code for error in errors] == ["staff_title"]
    # A moderator editing a reader cannot either.
    client.force_login(moderator)
    response = client.post(url, change_form_data(reader, display_name="Official", is_staff=None, is_superuser=None))
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.display_name != "Official"


def test_a_staff_member_keeps_a_title_set_for_them_when_saving_their_profile(client, moderator):
    User.objects.filter(pk=moderator.pk).update(display_name="運営 Tanaka")
    moderator.refresh_from_db()
    client.force_login(moderator)
    response = client.post(reverse("profile"), {"display_name": "運営 Tanaka", "country": "JP"})
    assert response.status_code == 302
    moderator.refresh_from_db()
    assert moderator.country.code == "JP"


def test_skeletons_follow_a_profile_change(reader):
    response = client_for(reader).patch(reverse("api_me"), {"display_name": "Ｎｅｗ Ｎａｍｅ"}, format="json")
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.display_name_skeleton == "new name"
    assert reader.username_skeleton == "reader"


def test_the_migration_lets_existing_look_alikes_keep_their_names_and_nobody_copy_them():
    older = UserFactory(username="alice")
    newer = UserFactory(username="bob")
    User.objects.filter(pk=newer.pk).update(username="\u0430lice")  # signed up before the rule
    fill_skeletons(apps, None)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.username_skeleton == name_skeleton("alice")
    assert newer.username_skeleton == f"{name_skeleton('alice')}#{newer.pk}"
    newer.display_name = "Still me"
    newer.save()  # the grandfathered skeleton stays: no clash with the older account
    newer.refresh_from_db()
    assert newer.username_skeleton.endswith(f"#{newer.pk}")
    assert sign_up_api(username="alic\u0435").status_code == 400  # Cyrillic е
