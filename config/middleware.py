"""Middleware that must run before anything reads the request, and the reader's time zone."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.time_zones import COOKIE, zone_for

from .site_headers import with_site_headers


class RequestBodyLimitMiddleware:
    """Refuse a body over ``MAX_REQUEST_BODY_BYTES`` from its declared length, before it is read.

    Without this, a 100 MB multipart post to any form was read to its end (Django streams file
    parts past DATA_UPLOAD_MAX_MEMORY_SIZE) and held a gunicorn worker until its timeout; two at
    once made the site unresponsive. No form here takes files, so a small limit costs nothing.
    A chunked body has no declared length to check, so it is refused too: Django would not read
    it anyway (it reads CONTENT_LENGTH bytes), and no client of ours sends one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_BODY_BYTES
        declared = request.META.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        too_large = declared.strip().isdigit() and int(declared) > limit
        if too_large or (chunked and not declared):
            # Answered here, before the rest of the stack, but with the site's security headers.
            refusal = with_site_headers(
                lambda request: self._refuse(request, limit=limit, chunked=chunked and not too_large)
            )
            return refusal(request)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, *, limit: int, chunked: bool) -> HttpResponse:
        # Answered before LocaleMiddleware has run: pick the reader's language the same way it would.
        with translation.override(translation.get_language_from_request(request)):
            return self._refusal(request, limit=limit, chunked=chunked)

    def _refusal(self, request: HttpRequest, *, limit: int, chunked: bool) -> HttpResponse:
        if chunked:
            message = _("The request body must state its length (Content-Length).")
        else:
            message = _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=413)
        else:
            response = render(request, "errors/413.html", {"message": message}, status=413)
        # The server, not the app, closes the connection with the body unread (a WSGI app may not
        # set Connection); gunicorn drains at most a bounded amount before it does.
        return response


class TimeZoneMiddleware:
    """Shows times in the reader's zone (accounts/time_zones.py: the profile's, Tokyo for readers
    in Japan, the browser's from the ``tz`` cookie, else TIME_ZONE), for the whole view. Placed
    after AuthenticationMiddleware, which gives it the reader; it looks the reader up only for a
    view that may render times, so a view marked ``renders_no_times`` (the live poll) touches
    neither session nor user."""

    # The API answers in the site's zone (ISO 8601 with the offset; apps show local time
    # themselves, and its cached lists stay one per content version). The admin too: its forms
    # read a typed date and time as site time ("2026-12-31 18:00 (site time)").
    SITE_TIME_PREFIXES = ("/api/", "/admin/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request: HttpRequest, view_func: Callable, view_args, view_kwargs) -> None:
        if request.path.startswith(self.SITE_TIME_PREFIXES) or getattr(view_func, "renders_no_times", False):
            return
        timezone.activate(zone_for(user=request.user, browser_zone=request.COOKIES.get(COOKIE)))
