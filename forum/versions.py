"""Content versions: one number per article that changes whenever anything a reader could see on
its page changes (a tally that moved counters; a comment posted, edited, deleted, hidden, moved
or approved; the article edited or closed).

Cached pages and the live-count endpoint key on it, so a change is never served stale: whatever
was cached under the old number is simply never asked for again. Bumps happen after the
transaction that made the change commits; a page rendered in between is cached under the old
number, which is already out of date.

The numbers live in the "pages" cache (Redis when configured, shared by every process). A number
that is missing (expired, evicted, or Redis lost its memory) restarts from the clock, above any
number handed out before, so no page cached under an old number can come back. Numbers expire
after CACHE_MAX_SECONDS like every cache key; only an article that exists is ever given one.
"""

import logging
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"


def _key(article_id: int) -> str:
    return f"article:{article_id}:version"


def _fresh() -> int:
    return time.time_ns()


def article_version(article_id: int) -> int:
    """The article's current content version, made when it has none. Only for an article that
    exists: a made-up id must not leave a number behind (see ``known_version``)."""
    cache = caches[CACHE_ALIAS]
    version = cache.get(_key(article_id))
    if version is None:
        cache.add(_key(article_id), _fresh(), timeout=settings.CACHE_MAX_SECONDS)
        version = cache.get(_key(article_id))
    return version


def version_key(article_id: int) -> str:
    """The version's cache key, for callers reading it with other keys in one round trip."""
    return _key(article_id)


def article_version_and(article_id: int, key: str) -> tuple[int, object]:
    """The article's current version and another entry of the same cache, in one round trip:
    for answers kept under a key that does not name the version (they carry it inside)."""
    found = caches[CACHE_ALIAS].get_many([_key(article_id), key])
    version = found.get(_key(article_id))
    return (version if version is not None else article_version(article_id)), found.get(key)


def article_versions(article_ids: Iterable[int]) -> dict[int, int]:
    """Current versions of many articles in one round trip (plus one per missing number)."""
    article_ids = list(article_ids)
    found = caches[CACHE_ALIAS].get_many([_key(pk) for pk in article_ids])
    return {pk: found.get(_key(pk)) or article_version(pk) for pk in article_ids}


def _bump(article_ids: set[int]) -> None:
    cache = caches[CACHE_ALIAS]
    for article_id in article_ids:
        try:
            try:
                cache.incr(_key(article_id))
            except ValueError:  # no number yet: any fresh one is newer than all before
                cache.set(_key(article_id), _fresh(), timeout=settings.CACHE_MAX_SECONDS)
        except Exception:  # the change is committed; a cache outage must not turn it into an error
            logger.warning("could not bump the content version of article %s", article_id, exc_info=True)


def bump_article_versions(article_ids: Iterable[int]) -> None:
    """Mark these articles' pages as changed: now, and again once the current transaction commits.

    The bump after commit is the one that matters: a page rendered before it may hold the old
    content, and is cached under a number that is then out of date. The bump now makes the
    change's own request, and anything later in the same transaction (a test's, too), render
    afresh; a rolled-back change costs one needless cache miss, never a stale page."""
    ids = {int(pk) for pk in article_ids if pk is not None}
    if ids:
        if transaction.get_connection().in_atomic_block:
            _bump(ids)
        transaction.on_commit(lambda: _bump(ids))


def bump_article_version(article_id: int) -> None:
    bump_article_versions([article_id])
