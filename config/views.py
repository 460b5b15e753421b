"""Endpoints that belong to the site as a whole, not to an app."""

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from api.authentication import CSRF_FAILED

from . import outages


def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers (and the benchmark's baseline): the process answers; no database."""
    return JsonResponse({"ok": True})


def ready(request: HttpRequest) -> JsonResponse:
    """Readiness for load balancers and orchestrators: 200 when the database, Redis (if the forum
    has one) and the broker answer within their short timeouts, else 503 naming which did not.
    Names and states only, never an address or an error message (the log has the error's class)."""
    checks = outages.readiness()
    if all(state == "ok" for state in checks.values()):
        return JsonResponse({"ready": True, "checks": checks}, headers={"Cache-Control": "no-store"})
    headers = {"Retry-After": str(outages.retry_after_seconds()), "Cache-Control": "no-store"}
    return JsonResponse({"ready": False, "checks": checks}, status=503, headers=headers)


@require_GET
def csrf_token(request: HttpRequest) -> JsonResponse:
    """A fresh CSRF token for the page's scripts (same origin only: the site sends no CORS headers)."""
    response = JsonResponse({"csrf_token": get_token(request)})
    response["Cache-Control"] = "no-store"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW. The usual cause is a stale tab: the reader signed out and in again
    elsewhere, which changed the token, and then used a form still holding the old one. Django's
    own page blames the browser; this one says what to do. (The pages' scripts call the API,
    whose session authentication answers the same failure as 403 ``csrf_failed``: they fetch a
    fresh token from ``csrf_token`` and try once more.)"""
    message = _("This page has expired, probably because you signed in or out in another tab. Reload it and try again.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": CSRF_FAILED}, status=403)
    return render(request, "errors/csrf_failure.html", {"message": message}, status=403)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """The icon's old address, asked by clients that do not read base.html's <link rel="icon">:
    sent to the static file (its hashed name, resolved per request) instead of a 404 in the log."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
