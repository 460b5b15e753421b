"""The limits hold across web processes: gunicorn with several workers shares the lock-out (in the
database) and the rate-limit counters (in Redis), through real HTTP."""

import http.client
import json
import secrets
from urllib.parse import urlencode

import pytest
from django.conf import settings

from tests.conftest import redis_is_the_broker
from tests.factories import UserFactory
from tests.processes import free_port, start_web

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # the factory's
CSRF_TOKEN = secrets.token_hex(16)


def post(port: int, path: str, body: str, content_type: str) -> tuple[int, dict[str, str], str]:
    """One request on its own connection, so the workers take turns answering."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": content_type,
                "Cookie": f"{settings.CSRF_COOKIE_NAME}={CSRF_TOKEN}",
                "X-CSRFToken": CSRF_TOKEN,
            },
        )
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def api_sign_in(port: int, username: str, password: str):
    return post(
        port, "/api/v1/auth/token/", json.dumps({"username": username, "password": password}), "application/json"
    )


def web_sign_in(port: int, username: str, password: str):
    data = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": CSRF_TOKEN})
    return post(port, "/accounts/sign-in/", data, "application/x-www-form-urlencoded")


@pytest.mark.skipif(not redis_is_the_broker(), reason="needs Redis for counters shared by processes")
def test_lockout_and_sign_up_limit_hold_across_gunicorn_workers(rates, process_log_dir):
    """Three workers, a connection per request: the page's and the API's failures lock out
    together, and the sign-up limit counts across workers."""
    rates(signup_anon="3/hour")
    UserFactory(username="taro")
    port = free_port()
    web = start_web(log_dir=process_log_dir, port=port, workers=3, FORUM_SIGN_IN_FAILURE_LIMIT="4")
    try:
        # Failures spread over the workers and over the page and the API add up to one lock-out.
        failures = [web_sign_in(port, "taro", "wrong")[0] for _ in range(2)]
        failures += [api_sign_in(port, "taro", "wrong")[0] for _ in range(2)]
        assert failures == [200, 200, 401, 429]
        status, headers, body = web_sign_in(port, "taro", PASSWORD)
        # What is left of the 15 minutes begun by the last failure (a refusal does not restart it).
        assert status == 429 and 890 <= int(headers["Retry-After"]) <= 900
        assert "locked for 15 minutes" in body
        status, _, body = api_sign_in(port, "taro", PASSWORD)
        assert status == 429 and "locked for 15 minutes" in json.loads(body)["detail"]

        # Sign-ups from one address: the fourth is refused whichever worker answers.
        sign_ups = [
            post(
                port,
                "/api/v1/auth/sign-up/",
                json.dumps({"username": f"mint{n}", "password": "plum blossom 1994", "email": f"mint{n}@example.org"}),
                "application/json",
            )
            for n in range(4)
        ]
        assert [status for status, _, _ in sign_ups] == [201, 201, 201, 429]
        assert int(sign_ups[3][1]["Retry-After"]) > 0
    finally:
        web.stop()
