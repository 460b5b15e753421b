"""Live counts for open article pages: what changed since the page's version, cheaply enough for
thousands of pages polling one viral article every few seconds.

A page asks ``GET /articles/<id>/live/?ids=<comments shown>&after=<newest id when rendered>`` with
``If-None-Match: "<version>"``; the ETag is the article's content version (forum/caching.py).
- Unchanged version: 304.
- Changed: the answer for that version and those comments, computed once (two queries, in
  forum.selectors.live_counts) and kept for ANSWER_SECONDS under the version for every page
  showing the same comments.

Only a published article is ever answered or given a cache key: the view (forum.views.live) asks
the database, and marks the version it checked as published (``caching.live_published_key``); the
shortcut in front of Django (config/live_shortcut.py) answers only when that mark names the
current version, one cache round trip, so a draft or a made-up id always goes to the view, which
answers 404 and stores nothing.
"""

import json

from . import caching, selectors

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


def cached_version(article_id: int) -> int | None:
    """The article's current version when the cache says the article is published at it (one
    round trip); None when only the database can tell."""
    version_at, published_at = caching.version_key(article_id), caching.live_published_key(article_id)
    found = caching.shared_cache().get_many([version_at, published_at])
    version = found.get(version_at)
    if version is None or found.get(published_at) != version:
        return None
    return version


def published_version(article_id: int) -> int | None:
    """The article's current version if it is published, from the database; None (and no cache
    key written) for a draft, a scheduled article or an id that does not exist.

    The version is read before the database: a change made meanwhile (unpublishing included)
    bumps past it, so the mark written here is never taken for the new version."""
    cache = caching.shared_cache()
    before = cache.get(caching.version_key(article_id))
    if not selectors.is_published(article_id):
        return None
    if before is None:  # a number made now; the mark waits for one read before a check
        return caching.article_version(article_id)
    cache.set(caching.live_published_key(article_id), before)
    return before


def cached_answer(article_id: int, version: int, ids: list[int], after: int) -> bytes | None:
    key = caching.live_answer_key(article_id=article_id, version=version, comment_ids=ids, after=after)
    return caching.shared_cache().get(key)


def answer(article_id: int, version: int, ids: list[int], after: int) -> bytes:
    """The answer for a published article's ``version``, computed and kept on a miss."""
    body = cached_answer(article_id, version, ids, after)
    if body is None:
        # The version was read first: a change made meanwhile is in this answer and also bumps
        # past it, so the page asks again and nothing stale is kept.
        data = selectors.live_counts(article_id=article_id, comment_ids=ids, after_id=after)
        body = json.dumps({"version": version, **data}, separators=(",", ":")).encode()
        key = caching.live_answer_key(article_id=article_id, version=version, comment_ids=ids, after=after)
        caching.shared_cache().set(key, body, timeout=ANSWER_SECONDS)
    return body
