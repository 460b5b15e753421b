"""When a dependency (the database, Redis, the broker) is unreachable: what the client gets and
what the operator sees.

- ``dependency_of(error)`` says which dependency an exception means is down, or None for a bug.
  Only connection-level failures count: a syntax error or a constraint violation is still a 500.
- ``OutageMiddleware`` turns such an exception into a 503 with ``Retry-After``: the API's JSON
  error shape under /api/, a short page elsewhere. (API views get the same answer from
  ``forum.api_errors.api_exception_handler`` before the exception ever leaves DRF.)
- ``tracker`` logs an outage once per dependency and process as it begins and once as it ends,
  instead of once per request. Code that talks to a dependency reports ``failed``/``ok``; ``ok``
  costs one set lookup while all is well, so it sits on the hot paths.
"""

import logging
import sys
import threading
import time

import redis
from django.conf import settings
from django.db import InterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

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


def outage_response(request: HttpRequest) -> HttpResponse:
    seconds = retry_after_seconds()
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": outage_detail(request.method)}, status=503)
    else:
        # No context processors and no base template: both would touch the session and the user,
        # that is the database that is down.
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        html = render_to_string("outage.html", {"seconds": seconds, "LANGUAGE_CODE": language})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


class OutageMiddleware:
    """A view that failed because a dependency is down answers 503; the last request of an outage
    notices the database is back (checked at most once a second, only while it is down)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._next_probe = 0.0

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if tracker.is_down(DATABASE) and response.status_code < 500 and time.monotonic() >= self._next_probe:
            self._next_probe = time.monotonic() + 1
            probe_database()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        dependency = dependency_of(exception)
        if dependency is None:
            return None
        tracker.failed(dependency, exception)
        return outage_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an outage met outside a view (in a middleware such as the session's) is still
    a 503; anything else is Django's own 500 page, or the API's JSON 500."""
    from django.views.defaults import server_error as django_server_error

    error = sys.exc_info()[1]
    dependency = dependency_of(error)
    if dependency is not None:
        tracker.failed(dependency, error)
        return outage_response(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return django_server_error(request)


# --- Readiness --------------------------------------------------------------------------------


def probe_database() -> bool:
    from django.db import connection

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
    from votes.tally import tally_redis

    client = tally_redis()
    if client is None:
        return None
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        tracker.failed(REDIS, error)
        return False
    tracker.ok(REDIS)
    return True


def probe_broker() -> bool:
    from forum.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as error:  # kombu raises its own errors and the transport's
        tracker.failed(BROKER, error)
        return False
    tracker.ok(BROKER)
    return True


def readiness() -> dict[str, str]:
    """Each dependency's state, "ok" or "unreachable"; never an address, a user or an error text."""
    checks = {DATABASE: probe_database(), REDIS: probe_redis(), BROKER: probe_broker()}
    return {name: "ok" if up else "unreachable" for name, up in checks.items() if up is not None}
