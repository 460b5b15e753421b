"""The site's side of an outage (see infra.outages for what counts as one and how it is logged):
the 503 answer for any view or middleware, and the readiness check."""

import sys
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

from infra.outages import (
    BROKER,
    DATABASE,
    REDIS,
    dependency_of,
    outage_detail,
    probe_database,
    probe_redis,
    retry_after_seconds,
    tracker,
)

from .celery import app


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
    error = sys.exc_info()[1]
    dependency = dependency_of(error)
    if dependency is not None:
        tracker.failed(dependency, error)
        return outage_response(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return django_server_error(request)


# --- Readiness --------------------------------------------------------------------------------


def probe_broker() -> bool:
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
