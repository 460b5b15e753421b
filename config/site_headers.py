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


CSP_MIDDLEWARE = "csp.middleware.CSPMiddleware"


def with_site_headers(
    view: Callable[[HttpRequest], HttpResponse], *, fixed_csp: bool = False
) -> Callable[[HttpRequest], HttpResponse]:
    """``view`` inside those of SITE_HEADER_MIDDLEWARE that settings.MIDDLEWARE lists, in its order.

    With ``fixed_csp`` the Content-Security-Policy is the one django-csp makes, made once: the
    policy has no nonce, so it is the same on every answer of a view that changes none of it, and
    building it is a fifth of a cached live poll's CPU."""
    paths = [path for path in settings.MIDDLEWARE if path in SITE_HEADER_MIDDLEWARE]
    handler = view
    if fixed_csp and CSP_MIDDLEWARE in paths:
        paths.remove(CSP_MIDDLEWARE)
        handler = _with_header(view, *_csp_header())
    for path in reversed(paths):
        handler = import_string(path)(handler)
    return handler


def _csp_header() -> tuple[str, str]:
    probe = import_string(CSP_MIDDLEWARE)(lambda request: HttpResponse())(HttpRequest())
    (name,) = [name for name in probe.headers if name.lower().startswith("content-security-policy")]
    return name, probe[name]


def _with_header(view: Callable[[HttpRequest], HttpResponse], name: str, value: str):
    def answer(request: HttpRequest) -> HttpResponse:
        response = view(request)
        response.headers.setdefault(name, value)
        return response

    return answer
