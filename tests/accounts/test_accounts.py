import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

PASSWORD = "a-long-unusual-passphrase-42"


def sign_up(client, **overrides):
    data = {
        "username": "hanako",
        "email": "hanako@example.jp",
        "display_name": "Hanako",
        "country": "JP",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post(reverse("sign_up"), data)


def test_sign_up_creates_the_reader_and_signs_them_in(client):
    """A new reader gives username, password, display name and country, and is signed in."""
    response = sign_up(client)
    assert response.status_code == 302
    user = User.objects.get(username="hanako")
    assert (user.display_name, user.country.code, user.is_in_japan) == ("Hanako", "JP", True)
    assert client.get(reverse("profile")).status_code == 200


def test_sign_up_with_mismatched_passwords_shows_an_error(client):
    """Form errors are shown and no account is created."""
    response = sign_up(client, password2="something else entirely")
    assert response.status_code == 200
    assert "The two password fields didn’t match." in response.content.decode()
    assert not User.objects.exists()


def test_sign_up_rejects_an_unknown_country(client):
    response = sign_up(client, country="XX")
    assert "Select a valid choice." in response.content.decode()
    assert not User.objects.exists()


def test_sign_in_and_sign_out(client):
    """A reader signs in with username and password and signs out with a POST."""
    User.objects.create_user("taro", password=PASSWORD, country="JP")
    response = client.post(reverse("login"), {"username": "taro", "password": PASSWORD})
    assert response.status_code == 302
    assert "taro" in client.get(reverse("home")).content.decode()
    client.post(reverse("logout"))
    assert client.get(reverse("profile")).status_code == 302


def test_wrong_password_is_refused_with_a_message(client):
    User.objects.create_user("taro", password=PASSWORD)
    response = client.post(reverse("login"), {"username": "taro", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_profile_edit_changes_display_name_and_country(client):
    """Changing country moves the reader's future comments to the other section."""
    user = User.objects.create_user("taro", password=PASSWORD, country="JP", display_name="Taro")
    client.force_login(user)
    response = client.post(reverse("profile"), {"display_name": "Taro Y.", "country": "CA"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.country.code, user.is_in_japan) == ("Taro Y.", "CA", False)


def test_profile_requires_sign_in(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
