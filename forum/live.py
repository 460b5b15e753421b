"""Live counts for open article pages: what changed since the page's version, cheaply enough for
thousands of pages polling one viral article every few seconds.

A page asks ``GET /articles/<id>/live/?ids=<comments shown>&after=<newest id when rendered>`` with
``If-None-Match: "<version>"``; the ETag is the article's content version (forum/versions.py).
- Unchanged version: 304.
- Changed: the answer for that version and those comments, computed once (two queries, in
  forum.selectors.live_counts) and kept for ANSWER_SECONDS under the version for every page
  showing the same comments.

Only a published article is ever answered or given a cache key: the view (forum.views.live) asks
the database, and marks the version it checked as published (``published_key``); the shortcut in
front of Django (config/live_shortcut.py) answers only when that mark names the current version,
one cache round trip, so a draft or a made-up id always goes to the view, which answers 404 and
stores nothing.
"""

import hashlib
import json

from django.core.cache import caches

from . import selectors
from .versions import CACHE_ALIAS, article_version, version_key

MAX_IDS = 250  # two sections of 100 comments, with room to spare
ANSWER_SECONDS = 60  # an answer outlives its version by little: the next change makes a new one
HEADERS = {"Cache-Control": "no-cache"}


def parse_ids(value: str, limit: int = MAX_IDS) -> list[int]:
    """Comment ids from "1,2,3": junk dropped, at most ``limit``, sorted and unique (one key per
    set of comments, however the client wrote it)."""
    ids = {int(part) for part in value.split(",")[:limit] if part.isdigit() and len(part) < 12}
    return sorted(ids)


def parse_query(ids: str, after: str) -> tuple[list[int], int]:
    after_ids = parse_ids(after, limit=1)
    return parse_ids(ids), after_ids[0] if after_ids else 0


def etag_of(version: int) -> str:
    return f'"{version}"'


def published_key(article_id: int) -> str:
    return f"live:{article_id}:published"


def _key(article_id: int, version: int, ids: list[int], after: int) -> str:
    digest = hashlib.blake2b(",".join(map(str, ids)).encode(), digest_size=12).hexdigest()
    return f"live:{article_id}:{version}:{after}:{digest}"


def cached_version(article_id: int) -> int | None:
    """The article's current version when the cache says the article is published at it (one
    round trip); None when only the database can tell."""
    version_at, published_at = version_key(article_id), published_key(article_id)
    found = caches[CACHE_ALIAS].get_many([version_at, published_at])
    version = found.get(version_at)
    if version is None or found.get(published_at) != version:
        return None
    return version


def published_version(article_id: int) -> int | None:
    """The article's current version if it is published, from the database; None (and no cache
    key written) for a draft, a scheduled article or an id that does not exist.

    The version is read before the database: a change made meanwhile (unpublishing included)
    bumps past it, so the mark written here is never taken for the new version."""
    cache = caches[CACHE_ALIAS]
    before = cache.get(version_key(article_id))
    if not selectors.is_published(article_id):
        return None
    if before is None:  # a number made now; the mark waits for one read before a check
        return article_version(article_id)
    cache.set(published_key(article_id), before)
    return before


def cached_answer(article_id: int, version: int, ids: list[int], after: int) -> bytes | None:
    return caches[CACHE_ALIAS].get(_key(article_id, version, ids, after))


def answer(article_id: int, version: int, ids: list[int], after: int) -> bytes:
    """The answer for a published article's ``version``, computed and kept on a miss."""
    body = cached_answer(article_id, version, ids, after)
    if body is None:
        # The version was read first: a change made meanwhile is in this answer and also bumps
        # past it, so the page asks again and nothing stale is kept.
        data = selectors.live_counts(article_id=article_id, comment_ids=ids, after_id=after)
        body = json.dumps({"version": version, **data}, separators=(",", ":")).encode()
        caches[CACHE_ALIAS].set(_key(article_id, version, ids, after), body, timeout=ANSWER_SECONDS)
    return body
