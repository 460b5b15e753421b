"""Endpoints that belong to the site as a whole, not to an app."""

from django.http import HttpRequest, JsonResponse


def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers (and the benchmark's baseline): the process answers; no database."""
    return JsonResponse({"ok": True})
