import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.embedded


def django_check(tmp_path, **env):
    run_env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "DJANGO_DEBUG"}}
    run_env.update(FORUM_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secretkey(tmp_path):
    """With debugging off and no DJANGO_SECRET_KEY, Django stops with a message saying what to set."""
    result = django_check(tmp_path, DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def run_python(tmp_path, code: str, *, without: tuple[str, ...] = (), **env) -> subprocess.CompletedProcess:
    dropped = {"DJANGO_SECRET_KEY", "DJANGO_DEBUG", *without}
    run_env = {k: v for k, v in os.environ.items() if k not in dropped}
    run_env.update(FORUM_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=120
    )


SIGN_SOMETHING = "import django; django.setup(); from django.core import signing; print(signing.Signer().sign('x'))"


def test_development_generates_a_secret_key_once(tmp_path):
    """In development a key is generated into var/ the first time one is needed, and kept."""
    first = run_python(tmp_path, SIGN_SOMETHING)
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    second = run_python(tmp_path, SIGN_SOMETHING)
    assert second.returncode == 0 and second.stdout == first.stdout  # signed with the same key
    assert (tmp_path / "secret_key").read_text() == key
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith("secret_key")] == ["secret_key"]


def test_reading_the_settings_writes_nothing(tmp_path):
    """Importing the settings (as a tool or a test collector does) creates no folder and no key."""
    var = tmp_path / "var"
    result = run_python(var, "from django.conf import settings; print(settings.DEBUG, settings.STATIC_ROOT)")
    assert result.returncode == 0, result.stderr
    assert not var.exists()


def test_start_up_makes_the_folders_the_embedded_default_writes_into(tmp_path):
    """From a clean clone, starting Django makes var/, the static files' folder and the embedded
    broker's folder, so `make run` and a worker find them; the SQLite database opens there."""
    var = tmp_path / "var"
    code = "import django; django.setup(); from django.db import connection; connection.ensure_connection()"
    result = run_python(var, code, without=("DATABASE_URL", "CELERY_BROKER_URL", "FORUM_REDIS_URL", "TALLY_REDIS_URL"))
    assert result.returncode == 0, result.stderr
    assert (var / "staticfiles").is_dir() and (var / "celery-broker").is_dir()
    assert (var / "forum.sqlite3").exists()
    assert not (var / "secret_key").exists()  # nothing needed a key yet


def test_embedded_default_uses_sqlite_wal_and_the_filesystem_broker(tmp_path):
    """No variables: SQLite in WAL mode with immediate transactions, and a broker needing no server."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "FORUM_REDIS_URL"}}
    env["FORUM_VAR_DIR"] = str(tmp_path)
    code = (
        "import django; django.setup();"
        "from django.conf import settings; from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "print(settings.DATABASES['default']['OPTIONS']['transaction_mode']);"
        "print(settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    journal, mode, broker = result.stdout.split("\n")[:3]
    assert (journal, mode) == ("wal", "IMMEDIATE")
    assert broker == f"filesystem:// {tmp_path}/celery-broker"


def _run_settings(tmp_path, code: str, **env) -> subprocess.CompletedProcess:
    run_env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "DJANGO_DEBUG"}}
    run_env.update(FORUM_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_language_cookie_is_secure_in_production(tmp_path):
    """The language switcher's forum_language cookie, set through the real view, is Secure when
    debugging is off, like the session and CSRF cookies."""
    code = (
        "from django.test import Client\n"
        "response = Client().post('/i18n/setlang/', {'language': 'ja', 'next': '/'}, secure=True)\n"
        "print(response.status_code, bool(response.cookies['forum_language']['secure']))\n"
    )
    production = _run_settings(tmp_path, code, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50)
    assert production.stdout.split() == ["302", "True"], production.stderr
    development = _run_settings(tmp_path, code)
    assert development.stdout.split() == ["302", "False"], development.stderr


@pytest.mark.parametrize(
    ("forum_redis", "cache_redis"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/8"),
        ("redis://127.0.0.1:6379/6", "redis://127.0.0.1:6379/14"),
        ("redis://:pw@cache.example:6380/15", "redis://:pw@cache.example:6380/7"),
        ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379/8"),
    ],
)
def test_the_page_cache_defaults_to_its_own_database_on_the_forum_redis(tmp_path, forum_redis, cache_redis):
    code = "from django.conf import settings; print(settings.CACHES['pages']['LOCATION'])"
    env = {"FORUM_REDIS_URL": forum_redis, "FORUM_CACHE_REDIS_URL": ""}
    assert _run_settings(tmp_path, code, **env).stdout.strip() == cache_redis
    own = _run_settings(tmp_path, code, **{**env, "FORUM_CACHE_REDIS_URL": "redis://cache.example:6379/0"})
    assert own.stdout.strip() == "redis://cache.example:6379/0"


SHOW_PROVIDERS = (
    "import json; from django.conf import settings; "
    "print(json.dumps({'providers': {name: [app.get('provider_id', name) for app in config['APPS']] "
    "for name, config in settings.SOCIALACCOUNT_PROVIDERS.items()}, "
    "'form_action': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']}))"
)
PROVIDER_VARIABLES = (
    "FORUM_LINE_CLIENT_ID",
    "FORUM_LINE_SECRET",
    "FORUM_YAHOO_JAPAN_CLIENT_ID",
    "FORUM_YAHOO_JAPAN_SECRET",
    "FORUM_GOOGLE_CLIENT_ID",
    "FORUM_GOOGLE_SECRET",
    "FORUM_APPLE_CLIENT_ID",
    "FORUM_APPLE_KEY_ID",
    "FORUM_APPLE_TEAM_ID",
    "FORUM_APPLE_PRIVATE_KEY",
)


def test_sign_in_providers_are_switched_on_by_their_settings(tmp_path):
    """No provider without its client id and secret; each one set switches on that provider alone
    (Apple needs all four of its settings), and its origin joins the CSP's form-action."""
    none = run_python(tmp_path, SHOW_PROVIDERS, without=PROVIDER_VARIABLES)
    assert none.returncode == 0, none.stderr
    assert json.loads(none.stdout) == {"providers": {}, "form_action": ["'self'"]}

    some = run_python(
        tmp_path,
        SHOW_PROVIDERS,
        without=PROVIDER_VARIABLES,
        FORUM_LINE_CLIENT_ID="1650000000",
        FORUM_LINE_SECRET="line-secret",
        FORUM_YAHOO_JAPAN_CLIENT_ID="dj0zaiZp",
        FORUM_YAHOO_JAPAN_SECRET="yahoo-secret",
        FORUM_GOOGLE_CLIENT_ID="only-an-id",  # no secret: stays off
        FORUM_APPLE_CLIENT_ID="jp.example.forum",  # no key: stays off
    )
    assert some.returncode == 0, some.stderr
    assert json.loads(some.stdout) == {
        "providers": {"line": ["line"], "openid_connect": ["yahoo-japan"]},
        "form_action": ["'self'", "https://access.line.me", "https://auth.login.yahoo.co.jp"],
    }
