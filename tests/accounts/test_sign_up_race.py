"""Two readers signing up with the same username (or names that read the same) at the same
moment: both pass the form's check, the unique constraints refuse the second (accounts.models).
The page answers with the form, the username taken and what was typed; the API its 409. Before,
the IntegrityError was a 500 on the page."""

import threading
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.models.signals import pre_save
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import UserFactory

# The rival's sign-up commits on a connection of its own, as another web process's would.
pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a brand-new passphrase 77"
# The other sign-up's username: the same, the same but for case, and one that reads the same
# (Cyrillic а), which only the skeleton's unique constraint catches.
RIVALS = [
    pytest.param("hanako", id="same"),
    pytest.param("HANAKO", id="case"),
    pytest.param("h\u0430nako", id="skeleton"),
]


@pytest.fixture
def rival_signs_up_meanwhile() -> Iterator[list[str]]:
    """Between the form's check and the save of "hanako", another sign-up commits the rival name."""
    rivals: list[str] = []

    def other_sign_up(username: str) -> None:
        try:
            UserFactory(username=username)
        finally:
            connection.close()  # this thread's own connection

    def race(sender, instance: User, **kwargs) -> None:
        if instance.pk is None and instance.username == "hanako" and rivals:
            other = threading.Thread(target=other_sign_up, args=(rivals.pop(),))
            other.start()
            other.join()

    pre_save.connect(race, sender=User, dispatch_uid="sign-up-race")
    yield rivals
    pre_save.disconnect(sender=User, dispatch_uid="sign-up-race")


@pytest.mark.parametrize("rival", RIVALS)
def test_the_page_answers_a_sign_up_race_with_the_form(client: Client, rival_signs_up_meanwhile, rival):
    rival_signs_up_meanwhile.append(rival)
    response = client.post(
        reverse("sign_up"),
        {
            "username": "hanako",
            "display_name": "Hanako Y",
            "country": "JP",
            "email": "hanako@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["username"] == ["A user with that username already exists."]
    assert 'value="hanako"' in response.content.decode()  # what was typed stays
    assert 'value="Hanako Y"' in response.content.decode()
    assert list(User.objects.values_list("username", flat=True)) == [rival]
    assert "_auth_user_id" not in client.session


def test_the_page_says_it_in_japanese(client: Client, rival_signs_up_meanwhile):
    rival_signs_up_meanwhile.append("hanako")
    response = client.post(
        reverse("sign_up"),
        {
            "username": "hanako",
            "country": "JP",
            "email": "hanako@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 200
    assert "このユーザー名はすでに使われています。" in response.content.decode()


@pytest.mark.parametrize("rival", RIVALS)
def test_the_api_answers_a_sign_up_race_with_409(rival_signs_up_meanwhile, rival):
    rival_signs_up_meanwhile.append(rival)
    response = APIClient().post(
        "/api/v1/auth/sign-up/",
        {"username": "hanako", "password": NEW_PASSWORD, "email": "hanako@example.org"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "A reader with that username already exists."}
    assert list(User.objects.values_list("username", flat=True)) == [rival]
