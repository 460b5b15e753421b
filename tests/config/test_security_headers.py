"""Content-Security-Policy with no inline script, Swagger UI from the project, X-Forwarded-Proto
trusted only when configured, and check --deploy clean with the documented production variables."""

import os
import re
import subprocess
import sys

import pytest
from django.test import Client

from tests.processes import ROOT

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.fixture
def staff_client(client: Client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _script_src(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(d for d in policy.split(";") if d.strip().startswith("script-src"))


@pytest.mark.parametrize(
    "path",
    ["/", "/articles/rare-earths/", "/accounts/sign-in/", "/accounts/sign-up/", "/api/docs/"],
)
def test_pages_send_a_policy_without_inline_script_and_have_none(client: Client, article, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "'unsafe-inline'" not in _script_src(response)
    assert "'self'" in _script_src(response)
    assert not INLINE_SCRIPT.search(response.content.decode()), path


@pytest.mark.parametrize("path", ["/admin/", "/admin/forum/comment/", "/admin/forum/article/add/"])
def test_admin_pages_have_no_inline_script(staff_client: Client, comment, path):
    response = staff_client.get(path)
    assert response.status_code == 200
    assert "'unsafe-inline'" not in _script_src(response)
    assert not INLINE_SCRIPT.search(response.content.decode()), path


def test_swagger_ui_is_served_from_the_project(client: Client):
    page = client.get("/api/docs/").content.decode()
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert sources and all(src.startswith("/") for src in sources), sources
    assert "cdn" not in page.lower()
    initialiser = client.get("/api/docs/?script=")
    assert initialiser.status_code == 200
    assert initialiser["Content-Type"].startswith("application/javascript")


def test_x_forwarded_proto_is_not_trusted_by_default(client: Client):
    from django.conf import settings

    assert settings.SECURE_PROXY_SSL_HEADER is None
    response = client.get("/csrf-token/", headers={"x-forwarded-proto": "https"})
    assert response.wsgi_request.is_secure() is False


def _deploy_check(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level=WARNING"],
        cwd=ROOT,
        env={**base, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 60 + "-production-key-" + "y" * 10, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow  # a manage.py process
def test_check_deploy_is_clean_with_the_production_variables():
    result = _deploy_check(
        DJANGO_SECURE_HSTS_SECONDS="31536000",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        DJANGO_SECURE_HSTS_PRELOAD="1",
        DJANGO_SECURE_SSL_REDIRECT="1",
        DJANGO_TRUST_X_FORWARDED_PROTO="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow  # a manage.py process
def test_check_deploy_warns_without_them():
    result = _deploy_check()
    assert "security.W004" in result.stderr + result.stdout
    assert "security.W008" in result.stderr + result.stdout
