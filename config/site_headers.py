"""The site's header middleware, for answers made outside Django's middleware stack.

Two answers are made before the stack runs: the live-count polls (config/live_shortcut.py) and
the 413 for an oversized body (config/middleware.py, which must come before anything that could
read the body). Each is passed through the same middleware instances the stack uses for these
rules, in the stack's order, so both carry what every other page carries: the HTTPS redirect,
HSTS, nosniff, Referrer-Policy and Cross-Origin-Opener-Policy (SecurityMiddleware),
X-Frame-Options, and the Content-Security-Policy.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

SITE_HEADER_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
)


def with_site_headers(view: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """``view`` inside those of SITE_HEADER_MIDDLEWARE that settings.MIDDLEWARE lists, in its order."""
    handler = view
    for path in reversed([path for path in settings.MIDDLEWARE if path in SITE_HEADER_MIDDLEWARE]):
        handler = import_string(path)(handler)
    return handler
