"""Sign-in lock-out (django-axes): after repeated failures the page, the admin and the API's token
sign-in refuse even the right password, per username and per address, saying for how long."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

PASSWORD = "correct horse battery"  # the factory's


@pytest.fixture(autouse=True)
def _lockout(settings):
    settings.AXES_FAILURE_LIMIT = 3


def web_sign_in(client, username, password, **extra):
    return client.post("/accounts/sign-in/", {"username": username, "password": password}, **extra)


def admin_sign_in(client, username, password, **extra):
    return client.post("/admin/login/", {"username": username, "password": password}, **extra)


def api_sign_in(client, username, password, **extra):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json", **extra)


def _assert_locked_page(response) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    text = response.content.decode()
    assert "Too many failed sign-in attempts" in text and "locked for 15 minutes" in text
    assert "<html" in text  # the site's page, not a bare string


def test_web_sign_in_locks_after_repeated_failures_and_refuses_the_right_password(client):
    """Three wrong passwords: the third answers the lock-out page, and the right one is then refused."""
    UserFactory(username="taro")

    answers = [web_sign_in(client, "taro", f"wrong {n}") for n in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [200, 200]
    _assert_locked_page(answers[2])
    right = web_sign_in(client, "taro", PASSWORD)
    _assert_locked_page(right)
    assert "_auth_user_id" not in client.session


def test_the_username_locks_independently_of_the_address(client):
    """Guesses at one reader's password from many addresses still lock that reader's sign-in."""
    UserFactory(username="taro")
    for n in range(3):
        web_sign_in(Client(), "taro", "wrong", REMOTE_ADDR=f"10.1.0.{n}")

    _assert_locked_page(web_sign_in(Client(), "taro", PASSWORD, REMOTE_ADDR="10.1.0.99"))
    # Another reader from a fresh address is not affected.
    UserFactory(username="hanako")
    assert web_sign_in(Client(), "hanako", PASSWORD, REMOTE_ADDR="10.1.0.98").status_code == 302


def test_the_address_locks_independently_of_the_username():
    """Guessing many readers' passwords from one address locks that address, even for a right password."""
    UserFactory(username="victim")
    for n in range(3):
        web_sign_in(Client(), f"someone{n}", "wrong", REMOTE_ADDR="10.2.0.1")

    _assert_locked_page(web_sign_in(Client(), "victim", PASSWORD, REMOTE_ADDR="10.2.0.1"))
    assert web_sign_in(Client(), "victim", PASSWORD, REMOTE_ADDR="10.2.0.2").status_code == 302


def test_admin_sign_in_locks_after_repeated_failures(client):
    """/admin/login/ counts failures too; then a moderator's right password is refused."""
    UserFactory(username="mod", is_staff=True, is_superuser=True)

    answers = [admin_sign_in(client, "mod", f"guess {n}") for n in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [200, 200]
    _assert_locked_page(answers[2])
    _assert_locked_page(admin_sign_in(client, "mod", PASSWORD))
    assert "_auth_user_id" not in client.session


def test_api_token_sign_in_locks_with_the_json_error_shape():
    """The token sign-in answers 401 for wrong passwords, then 429 JSON with Retry-After and how long."""
    UserFactory(username="taro")
    client = APIClient()

    answers = [api_sign_in(client, "taro", f"wrong {n}") for n in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [401, 401]
    right = api_sign_in(client, "taro", PASSWORD)
    for locked in (answers[2], right):
        assert locked.status_code == 429
        assert locked["Retry-After"] == "900"
        assert set(locked.json()) == {"detail"}
        assert "locked for 15 minutes" in locked.json()["detail"]
    assert "token" not in right.json()


def test_failures_on_one_face_count_on_the_others(client):
    """Web, admin and API share one count: two wrong on the page and one in the app lock the admin."""
    UserFactory(username="mod", is_staff=True)
    web_sign_in(client, "mod", "wrong")
    admin_sign_in(client, "mod", "wrong")
    api_sign_in(APIClient(), "mod", "wrong")

    _assert_locked_page(admin_sign_in(Client(), "mod", PASSWORD))


def test_a_right_password_before_the_limit_still_signs_in(client):
    """Fewer failures than the limit do not lock anyone out."""
    UserFactory(username="taro")
    web_sign_in(client, "taro", "typo")
    assert web_sign_in(client, "taro", PASSWORD).status_code == 302
