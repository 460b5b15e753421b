"""When a dependency (the database, Redis, the broker) is unreachable: what the client gets and
what the operator sees.

- ``dependency_of(error)`` says which dependency an exception means is down, or None for a bug.
  Only connection-level failures count: a syntax error or a constraint violation is still a 500.
- ``config.outages.OutageMiddleware`` turns such an exception into a 503 with ``Retry-After``:
  the API's JSON error shape under /api/, a short page elsewhere. (API views get the same answer
  from ``api.errors.api_exception_handler`` before the exception ever leaves DRF.)
- ``tracker`` logs an outage once per dependency and process as it begins and once as it ends,
  instead of once per request. Code that talks to a dependency reports ``failed``/``ok``; ``ok``
  costs one set lookup while all is well, so it sits on the hot paths.
"""

import logging
import threading
import time

import redis
from django.conf import settings
from django.db import InterfaceError, connection
from django.db import OperationalError as DatabaseOperationalError
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from .redis_clients import forum_redis

logger = logging.getLogger(__name__)

DATABASE, REDIS, BROKER = "database", "redis", "broker"

# Connection-level failures only: a refused or dropped connection, a timeout, a server starting up.
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)


def dependency_of(error: BaseException | None) -> str | None:
    """The dependency an exception says is unreachable, following its causes; None otherwise."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, DatabaseOperationalError | InterfaceError):
            return DATABASE
        if isinstance(error, REDIS_DOWN):
            return REDIS
        if isinstance(error, BrokerError):
            return BROKER
        error, seen = error.__cause__ or error.__context__, seen + 1
    return None


def retry_after_seconds() -> int:
    return settings.OUTAGE_RETRY_AFTER_SECONDS


class OutageTracker:
    """Per process: which dependencies are down, so each outage is logged once at each end."""

    def __init__(self) -> None:
        self._down: dict[str, float] = {}  # dependency -> when its outage began (monotonic)
        self._lock = threading.Lock()

    def failed(self, dependency: str, error: BaseException) -> None:
        if dependency in self._down:
            return
        with self._lock:
            if dependency in self._down:
                return
            self._down[dependency] = time.monotonic()
        # The exception's class, not its text: the text can name hosts and users.
        logger.error("Outage: the %s is unreachable (%s).", dependency, type(error).__name__)

    def ok(self, dependency: str) -> None:
        if dependency not in self._down:
            return
        with self._lock:
            began = self._down.pop(dependency, None)
        if began is not None:
            logger.warning("Outage over: the %s is reachable again after %.1f s.", dependency, time.monotonic() - began)

    def is_down(self, dependency: str) -> bool:
        return dependency in self._down

    def down(self) -> list[str]:
        return sorted(self._down)


tracker = OutageTracker()


# --- Answers ----------------------------------------------------------------------------------


def outage_detail(method: str) -> str:
    """The 503's detail. PUT and DELETE (a vote, or deleting a comment) are idempotent, so the
    client may simply repeat them; its vote either committed or did not, never half."""
    seconds = retry_after_seconds()
    if method in ("PUT", "DELETE"):
        return _(
            "The service is briefly unavailable. Repeat the same request after %(seconds)d seconds: "
            "it is safe to repeat, and nothing was half-done."
        ) % {"seconds": seconds}
    return _("The service is briefly unavailable. Try again after %(seconds)d seconds.") % {"seconds": seconds}


# --- Readiness --------------------------------------------------------------------------------


def probe_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any failure means not ready; the tracker logs its class
        connection.close_if_unusable_or_obsolete()
        tracker.failed(DATABASE, error)
        return False
    tracker.ok(DATABASE)
    return True


def probe_redis() -> bool | None:
    """None when the forum runs without Redis (the embedded default)."""
    client = forum_redis()
    if client is None:
        return None
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        tracker.failed(REDIS, error)
        return False
    tracker.ok(REDIS)
    return True
