"""On the embedded default (no Redis) a known device's sign-in lock holds in every web process:
the lock lives in the rate-limit file the processes share (infra/machine_counts.py). Before, it
lived in the process's own memory (Django's locmem cache), so the next request landing on
another worker signed the locked device in."""

import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from infra import rate_limits
from tests.factories import UserFactory
from tests.processes import ROOT, child_env

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]

PASSWORD = "correct horse battery"  # the factory's
LIMIT = 5
ADDRESS = "192.0.2.1"

# Another web process: the same token sign-in, once with the locked device's token, once without.
OTHER_PROCESS = textwrap.dedent(
    f"""
    import sys
    import django
    django.setup()
    from django.conf import settings
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as the tests hash
    from django.test.utils import setup_test_environment
    setup_test_environment()
    from rest_framework.test import APIClient

    def sign_in(**headers):
        body = {{"username": "hanako", "password": {PASSWORD!r}}}
        return APIClient().post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR={ADDRESS!r}, **headers)

    print(sign_in(HTTP_X_DEVICE_TOKEN=sys.argv[1]).status_code, sign_in().status_code)
    """
)


@pytest.fixture
def embedded_limits(settings, tmp_path, monkeypatch):
    """This process as on the embedded default: no Redis, the limits' file under a var/ of its own."""
    settings.FORUM_REDIS_URL = ""
    settings.RATE_LIMIT_COUNTS_FILE = tmp_path / "rate-limits.sqlite3"
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.SIGN_IN_DEVICE_FAILURE_LIMIT = LIMIT
    monkeypatch.setattr(rate_limits, "forum_redis", lambda: None)
    return tmp_path


def _sign_in(password: str, device: str | None = None):
    headers = {"HTTP_X_DEVICE_TOKEN": device} if device else {}
    body = {"username": "hanako", "password": password}
    return APIClient().post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR=ADDRESS, **headers)


def test_a_device_locked_in_one_process_is_locked_in_another(embedded_limits):
    UserFactory(username="hanako")
    device = _sign_in(PASSWORD).json()["device_token"]
    answers = [_sign_in(f"typo {n}", device).status_code for n in range(LIMIT)]
    assert answers == [401] * (LIMIT - 1) + [429]

    env = child_env(
        FORUM_VAR_DIR=str(embedded_limits),
        FORUM_REDIS_URL="",
        CELERY_BROKER_URL="",
        FORUM_SIGN_IN_FAILURE_LIMIT=str(LIMIT),
        DJANGO_SECRET_KEY=str(
            settings.SECRET_KEY
        ),  # device tokens are signed with the site's key (lazy in development)
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", OTHER_PROCESS, device], cwd=ROOT, env=env, capture_output=True, timeout=120
    )

    assert result.returncode == 0, result.stderr.decode()
    # The locked device is refused there too; the same password without the device signs in.
    assert result.stdout.split() == [b"429", b"200"]
