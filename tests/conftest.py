import copy
import os
import time
from pathlib import Path

import pytest
import redis
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.cache import cache, caches
from django.utils import translation

from infra import machine_counts
from infra.rate_limits import parse_rate
from infra.redis_clients import forum_redis
from tests.factories import STAFF_TOTP_SECRET, ArticleFactory, CommentFactory, UserFactory
from tests.mailbox import SmtpServer
from tests.oidc_provider import OidcProvider
from tests.processes import start_worker

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls there
# unless told that this is intended (the live_server and the test both touch the database).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def process_log_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("process-logs")


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request through the test client leaves its language active in the thread
    (LocaleMiddleware): a Japanese request must not turn the next test's messages Japanese."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clean_forum_redis():
    """Each test starts with no dirty marks, no queued tasks and no rate-limit counts, in the test
    broker database or (on the embedded default) the caches and the rate-limit file."""
    client = forum_redis()
    if client is not None:
        client.flushdb()  # the "api_tokens" cache lives there too
        page_cache_redis().flushdb()
    else:
        cache.clear()
        caches["pages"].clear()
        machine_counts.clear()  # the rate-limit counts' file under var/
        caches["api_tokens"].clear()
        caches["notifications"].clear()  # the bell's counts
    yield


def page_cache_redis() -> redis.Redis:
    """The "pages" cache's own Redis database (FORUM_CACHE_REDIS_URL, or its default)."""
    return redis.Redis.from_url(settings.FORUM_CACHE_REDIS_URL)


@pytest.fixture
def reader(db):
    return UserFactory(username="reader", display_name="A Reader", country="US")


@pytest.fixture
def japan_reader(db):
    return UserFactory(username="tokyo", display_name="Tokyo Reader", country="JP")


@pytest.fixture
def article(db):
    return ArticleFactory(title="Rare earths", slug="rare-earths")


@pytest.fixture
def comment(article):
    return CommentFactory(article=article, author=UserFactory(country="GB"))


@pytest.fixture
def celery_worker(transactional_db, process_log_dir):
    """A real Celery worker process consuming from the test broker, on the test database."""
    worker = start_worker(log_dir=process_log_dir)
    yield worker
    worker.stop()


def redis_is_the_broker() -> bool:
    return settings.CELERY_BROKER_URL.startswith("redis://")


@pytest.fixture
def shared_redis() -> redis.Redis:
    if not redis_is_the_broker():
        pytest.skip("needs the Redis broker (the PostgreSQL + Redis run)")
    return forum_redis()


@pytest.fixture
def moderators_group(db):
    """The group the data migration creates. Transactional tests flush the database, taking
    migration-made rows with them, so re-run the migration's own function when it is gone."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name="Moderators").exists():
        migration = importlib.import_module("moderation.migrations.0001_moderators_group")
        migration.create_moderators(apps, None)
        importlib.import_module("accounts.migrations.0004_account_deletion").let_moderators_view(apps, None)
        importlib.import_module("moderation.migrations.0004_moderators_queue_permissions").grant(apps, None)
        importlib.import_module("moderation.migrations.0006_moderators_sanction_and_word_permissions").grant(apps, None)
        importlib.import_module("moderation.migrations.0008_moderators_clear_lockouts").grant(apps, None)
        importlib.import_module("moderation.migrations.0013_picks_and_badges").grant(apps, None)
        importlib.import_module(
            "accounts.migrations.0011_disposable_domains_email_domain_sign_in_method"
        ).let_moderators_keep_the_list(apps, None)
    return Group.objects.get(name="Moderators")


@pytest.fixture(autouse=True)
def _no_limits_or_waits(settings):
    """Tests run without rate limits and let new accounts vote and comment at once, except those
    that set the limits or the wait they test (see the ``rates`` fixture)."""
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS)
    settings.NEW_ACCOUNT_WAIT_SECONDS = 0


# Seconds a test that sets rate limits may take before a fixed window ends under it.
WINDOW_MARGIN_SECONDS = 10


@pytest.fixture
def rates(settings):
    """Set some rate limits for one test: ``rates(vote_user="2/min")``."""

    def set_rates(**rates: str) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}
        # The limits count in fixed windows (infra/rate_limits.py), so a test whose requests straddle
        # a window's end would see its count start again: begin in a window with time to spare.
        windows = [limit[1] for limit in map(parse_rate, rates.values()) if limit]
        if windows:
            left = min(window - time.time() % window for window in windows)
            if left < WINDOW_MARGIN_SECONDS:
                time.sleep(left + 0.05)

    return set_rates


@pytest.fixture
def admin_user(admin_user):
    """pytest-django's superuser, with the two-factor authentication staff need for the admin."""
    TOTP.activate(admin_user, STAFF_TOTP_SECRET)
    return admin_user


@pytest.fixture
def moderator(moderators_group):
    """A staff reader in the Moderators group (tests/api overrides it with a signed reader)."""
    user = UserFactory(username="mod", is_staff=True)
    user.groups.add(moderators_group)
    return user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create hundreds of readers; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# A port in the range this project's tests may open servers on (the SMTP server's own).
SMTP_TEST_PORT = int(os.environ.get("FORUM_TEST_SMTP_PORT", "19325"))


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on localhost for the session; each test that uses ``mailbox`` starts empty."""
    with SmtpServer(SMTP_TEST_PORT) as server:
        yield server


@pytest.fixture
def mailbox(smtp_server, settings):
    """The SMTP server's inbox, emptied; this process's mail goes there by SMTP too."""
    smtp_server.mailbox.messages.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return smtp_server.mailbox


@pytest.fixture
def mail_worker(transactional_db, process_log_dir, smtp_server):
    """A real Celery worker whose mail goes out over SMTP to the test server."""
    worker = start_worker(
        log_dir=process_log_dir,
        concurrency=1,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        DJANGO_EMAIL_HOST="127.0.0.1",
        DJANGO_EMAIL_PORT=str(smtp_server.port),
    )
    yield worker
    worker.stop()


@pytest.fixture
def oidc_provider(settings):
    """A real OpenID Connect provider on localhost (tests/oidc_provider.py), switched on as the
    forum's Yahoo! JAPAN ID; its origin joins the CSP's form-action as FORUM_YAHOO_JAPAN_SERVER_URL's
    does in settings."""
    provider = OidcProvider().start()
    settings.SOCIALACCOUNT_PROVIDERS = provider.provider_settings()
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], provider.issuer]
    settings.CONTENT_SECURITY_POLICY = policy
    yield provider
    provider.stop()


class LiveClock:
    """forum.live's clock, stopped at the start of a period: polls share one live version until
    the test moves on to the next period."""

    def __init__(self) -> None:
        self.now = (time.time() // settings.LIVE_VERSION_SECONDS) * settings.LIVE_VERSION_SECONDS + 0.001

    def __call__(self) -> float:
        return self.now

    def next_period(self) -> None:
        self.now += settings.LIVE_VERSION_SECONDS


@pytest.fixture
def live_clock(monkeypatch) -> LiveClock:
    from forum import live

    clock = LiveClock()
    monkeypatch.setattr(live, "clock", clock)
    return clock
