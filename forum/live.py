"""Live counts for open article pages: what changed since the page's version, cheaply enough for
thousands of pages polling one viral article every few seconds.

A page asks ``GET /articles/<id>/live/?ids=<comments shown>&after=<newest id when rendered>`` with
``If-None-Match: "<version>"``; the ETag is the article's content version (forum/versions.py).
- Unchanged version: 304, after one cache read.
- Changed: the answer for that version and those comments, computed once (two queries, in
  forum.selectors.live_counts) and cached under the version for every page showing the same
  comments: a second cache read.

``LiveCountsShortcut`` answers both cases in front of Django (the WSGI app in config/wsgi.py), so a
poll costs no middleware, session, URL resolution or template; only a cache miss reaches the view.
The answer holds nothing private (public counters and counts of new comments), so skipping the
session and CSRF machinery is safe.
"""

import hashlib
import json
import logging
import re
from urllib.parse import parse_qs

from django.core.cache import caches

from . import selectors
from .versions import CACHE_ALIAS, article_version

logger = logging.getLogger(__name__)

MAX_IDS = 250  # two sections of 100 comments, with room to spare
ANSWER_SECONDS = 60  # an answer outlives its version by little: the next change makes a new one
PATH = re.compile(r"^/articles/(\d{1,12})/live/$")
HEADERS = [("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff")]


def parse_ids(value: str, limit: int = MAX_IDS) -> list[int]:
    """Comment ids from "1,2,3": junk dropped, at most ``limit``, sorted and unique."""
    ids = {int(part) for part in value.split(",")[:limit] if part.isdigit() and len(part) < 12}
    return sorted(ids)


def parse_query(ids: str, after: str) -> tuple[list[int], int]:
    after_ids = parse_ids(after, limit=1)
    return parse_ids(ids), after_ids[0] if after_ids else 0


def etag_of(version: int) -> str:
    return f'"{version}"'


def _key(article_id: int, version: int, ids: list[int], after: int) -> str:
    digest = hashlib.blake2b(",".join(map(str, ids)).encode(), digest_size=12).hexdigest()
    return f"live:{article_id}:{version}:{after}:{digest}"


def cached(article_id: int, ids: list[int], after: int, if_none_match: str | None) -> tuple[int, str, bytes | None]:
    """(304, etag, None) when unchanged; (200, etag, body) from the cache; (200, etag, None) on a miss."""
    version = article_version(article_id)
    etag = etag_of(version)
    if if_none_match == etag:
        return 304, etag, None
    return 200, etag, caches[CACHE_ALIAS].get(_key(article_id, version, ids, after))


def answer(article_id: int, ids: list[int], after: int, if_none_match: str | None) -> tuple[int, str, bytes | None]:
    """As ``cached``, computing and caching the answer on a miss."""
    status, etag, body = cached(article_id, ids, after, if_none_match)
    if status == 200 and body is None:
        # The version was read first: a change made meanwhile is in this answer and also bumps
        # past it, so the page asks again and nothing stale is kept.
        version = int(etag.strip('"'))
        data = selectors.live_counts(article_id=article_id, comment_ids=ids, after_id=after)
        body = json.dumps({"version": version, **data}, separators=(",", ":")).encode()
        caches[CACHE_ALIAS].set(_key(article_id, version, ids, after), body, timeout=ANSWER_SECONDS)
    return status, etag, body


class LiveCountsShortcut:
    """WSGI middleware: answers live polls from the cache before Django; anything else, a cache
    miss or a cache error goes to the Django application unchanged."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        match = PATH.match(environ.get("PATH_INFO", ""))
        if match is None or environ.get("REQUEST_METHOD") != "GET":
            return self.app(environ, start_response)
        try:
            query = parse_qs(environ.get("QUERY_STRING", ""))
            ids, after = parse_query(query.get("ids", [""])[0], query.get("after", [""])[0])
            status, etag, body = cached(int(match.group(1)), ids, after, environ.get("HTTP_IF_NONE_MATCH"))
        except Exception:  # a cache outage: the view answers, or reports the outage as a 503
            logger.debug("live shortcut fell through", exc_info=True)
            return self.app(environ, start_response)
        if status == 304:
            start_response("304 Not Modified", [("ETag", etag), *HEADERS])
            return []
        if body is None:
            return self.app(environ, start_response)
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), ("ETag", etag), *HEADERS]
        start_response("200 OK", headers)
        return [body]
