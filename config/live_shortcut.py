"""Live-count polls answered in front of Django's handler (wrapped around the WSGI app in
config/wsgi.py).

An open article page polls every few seconds (forum/live.py); a viral article has thousands open.
Through Django's whole stack a poll cost about three times the CPU of this shortcut (measured in
process: 304s at ≈ 0.5–0.7 ms against ≈ 0.2 ms), so the common answers are made here: a 304 after
one cache read, or the cached answer after two. The shortcut still keeps the site's rules:

- its route is the URLconf's ``article_live`` (resolved, not a copy of the pattern);
- the Host is checked against ALLOWED_HOSTS, by Django's own ``HttpRequest.get_host``;
- the answer goes through the site's header middleware (config/site_headers.py): the HTTPS
  redirect and every security header are Django's own;
- it answers only for an article the cache marks as published at the period's live version
  (forum.live.cached_sample): a draft, an unknown id, a miss, a body, a bad host or any error
  goes to Django unchanged, whose view and middleware answer as for any other page.
"""

import logging
from functools import lru_cache

from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import get_conditional_response

from forum import live

from .site_headers import with_site_headers

logger = logging.getLogger(__name__)

ROUTE_NAME = "article_live"
_SENTINEL = 987654321


class _ToDjango(Exception):
    """The shortcut has no answer: Django's handler answers instead."""


def _route_ends() -> tuple[str, str]:
    """The route's text before and after its id, from the URLconf: a cheap test that a path may
    be the route, before it is resolved."""
    path = reverse(ROUTE_NAME, args=[_SENTINEL])
    before, after = path.split(str(_SENTINEL))
    return before, after


@lru_cache(maxsize=4096)
def _live_article_id(path: str) -> int | None:
    """The article id when the URLconf resolves ``path`` to the live route (the URLconf does not
    change while the process runs, so each path is resolved once)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.kwargs["article_id"] if match.url_name == ROUTE_NAME else None


class LiveCountsShortcut:
    """WSGI middleware; see the module's docstring."""

    def __init__(self, app) -> None:
        self.app = app
        self.prefix, self.suffix = _route_ends()
        self.handler = with_site_headers(self._answer, fixed_csp=True)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET" or not (path.startswith(self.prefix) and path.endswith(self.suffix)):
            return self.app(environ, start_response)
        try:
            response = self._respond(environ, path)
        except _ToDjango:
            return self.app(environ, start_response)
        except Exception:  # a cache outage: the view answers, or reports the outage as a 503
            logger.debug("live shortcut fell through", exc_info=True)
            return self.app(environ, start_response)
        headers = [
            *response.items(),
            *(("Set-Cookie", cookie.output(header="")) for cookie in response.cookies.values()),
        ]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [response.content]

    def _respond(self, environ, path: str) -> HttpResponse:
        article_id = _live_article_id(path)
        if article_id is None or environ.get("CONTENT_LENGTH", "0") not in {"", "0"}:
            raise _ToDjango
        if "HTTP_TRANSFER_ENCODING" in environ:  # a body: the request body limit's to refuse
            raise _ToDjango
        request = WSGIRequest(environ)
        try:
            request.get_host()  # ALLOWED_HOSTS
        except DisallowedHost:
            raise _ToDjango from None  # Django answers 400 and logs it, as for any page
        request.live_article_id = article_id
        return self.handler(request)

    def _answer(self, request: HttpRequest) -> HttpResponse:
        """Inside the site's header middleware (which may already have answered a redirect)."""
        article_id = request.live_article_id
        sample = live.cached_sample(article_id)
        if sample is None:
            raise _ToDjango
        headers = live.headers_for(sample)
        not_modified = get_conditional_response(request, etag=headers["ETag"])
        if not_modified is not None:
            for name, value in headers.items():
                not_modified[name] = value
            return not_modified
        ids, after = live.parse_query(request.GET.get("ids", ""), request.GET.get("after", ""))
        body = live.cached_answer(article_id, sample.version, ids, after)
        if body is None:
            raise _ToDjango
        return HttpResponse(
            body, content_type="application/json", headers={**headers, "Content-Length": str(len(body))}
        )
