"""Middleware that must run before anything reads the request."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

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
