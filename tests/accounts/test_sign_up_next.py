import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

PASSWORD = "a-long-unusual-passphrase-42"


def sign_up(client, next_url: str):
    data = {
        "username": "hanako",
        "email": "hanako@example.jp",
        "display_name": "Hanako",
        "country": "JP",
        "password1": PASSWORD,
    }
    return client.post(reverse("sign_up"), {**data, "password2": PASSWORD}, query_params={"next": next_url})


def test_sign_up_returns_to_the_page_the_reader_came_from(client):
    """A `next` on this site is where the new reader lands after signing up."""
    assert sign_up(client, "/articles/rare-earths/").url == "/articles/rare-earths/"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "https:evil.example"])
def test_sign_up_ignores_a_next_on_another_site(client, next_url):
    """A `next` pointing off-site is ignored: signing up never becomes an open redirect."""
    assert sign_up(client, next_url).url == reverse("home")
