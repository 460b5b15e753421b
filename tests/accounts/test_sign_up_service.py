"""Sign-up is one service (accounts.services.sign_up) behind the page and the API: both store the
reader the same way, and a username taken at the same moment is refused, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token

from accounts.forms import SignUpForm
from accounts.models import User
from accounts.services import sign_up
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIELDS = {"username": "hanako", "display_name": "Hanako", "country": "JP", "email": "hanako@example.org"}
PASSWORD = "plum blossom 1994"


def checked_form(**fields) -> SignUpForm:
    form = SignUpForm(data={**FIELDS, **fields, "password1": PASSWORD, "password2": PASSWORD})
    assert form.is_valid(), form.errors
    return form


def stored(username: str) -> tuple:
    user = User.objects.get(username=username)
    tokens = Token.objects.filter(user=user).count()
    return (user.display_name, str(user.country), user.check_password(PASSWORD), tokens)


def test_the_page_and_the_api_store_the_same_reader(client):
    client.post("/accounts/sign-up/", {**FIELDS, "password1": PASSWORD, "password2": PASSWORD})
    api_fields = {
        "username": "taro",
        "display_name": "Taro",
        "country": "JP",
        "email": "taro@example.org",
        "password": PASSWORD,
    }
    answer = client.post("/api/v1/auth/sign-up/", api_fields, content_type="application/json")
    assert answer.status_code == 201, answer.json()
    assert stored("hanako") == ("Hanako", "JP", True, 0)  # the page signs in with a session
    assert stored("taro") == ("Taro", "JP", True, 1)  # an app gets its token
    assert Token.objects.get(user__username="taro").key == answer.json()["token"]


def test_a_username_taken_after_the_check_is_refused_and_nothing_is_stored():
    form = checked_form()
    UserFactory(username="Hanako")  # another sign-up, at the same moment, in another case

    with pytest.raises(ValidationError) as refusal:
        sign_up(user=form.save(commit=False), with_api_token=True)

    assert [error.code for error in refusal.value.error_dict["username"]] == ["unique"]
    assert list(User.objects.filter(username__iexact="hanako").values_list("username", flat=True)) == ["Hanako"]
    assert not Token.objects.exists()
