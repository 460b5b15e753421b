"""The forum's shared cache in one place: every key of the "pages" cache, the content versions
that make its entries expire, and the ETags of the answers built from them. Other modules ask
here for a key, a version or an ETag; none builds one itself.

Content versions: one number per article that changes whenever anything a reader could see on
its page changes (a tally that moved counters; a comment posted, edited, deleted, hidden, moved
or approved; an author's byline; the article edited, closed, unpublished or deleted). Cached
pages, sections, lists and live answers key on it, so a change is never served stale: whatever
was cached under the old number is simply never asked for again.

Who bumps: the service that makes the change (forum.services, moderation's services,
votes.counting's tally, accounts' byline hook ``forum.services.author_byline_changed``), with
``bump_article_versions``, which bumps now and again after the commit; a page rendered in
between is cached under the old number, which is then already out of date.
tests/forum/test_every_service_bumps.py lists every service and holds them to it. The model
receivers in forum.signals remain only for what no service sees: an article saved or deleted
from the shell or a data migration (kept pages are found by slug without a query, and must not
outlive the article), and comments deleted by a cascade (an account's deletion).

The numbers live in the "pages" cache (Redis when configured, shared by every process). A number
that is missing (expired, evicted, or Redis lost its memory) restarts from the clock, above any
number handed out before, so no page cached under an old number can come back. Numbers expire
after CACHE_MAX_SECONDS like every cache key; only an article that exists is ever given one.
The same mechanism serves other shared versions by name (``named_version``: moderation's word
lists).
"""

import hashlib
import logging
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import transaction
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"


def shared_cache() -> BaseCache:
    """The "pages" cache: shared by every process, filled by anonymous requests, evictable."""
    return caches[CACHE_ALIAS]


def _digest(text: str, size: int = 12) -> str:
    return hashlib.blake2b(text.encode(), digest_size=size).hexdigest()


def _where() -> str:
    """What every rendering depends on besides its article and version: language and time zone."""
    return f"{translation.get_language() or ''}:{timezone.get_current_timezone_name()}"


# --- Versions ---------------------------------------------------------------------------------


def version_key(article_id: int) -> str:
    """The version's key, for callers reading it with other keys in one round trip (forum.live)."""
    return f"article:{article_id}:version"


def _fresh() -> int:
    return time.time_ns()


def _current(key: str) -> int:
    cache = shared_cache()
    version = cache.get(key)
    if version is None:
        cache.add(key, _fresh(), timeout=settings.CACHE_MAX_SECONDS)
        version = cache.get(key)
    return version


def article_version(article_id: int) -> int:
    """The article's current content version, made when it has none. Only for an article that
    exists: a made-up id must not leave a number behind (see forum.live.published_version)."""
    return _current(version_key(article_id))


def article_version_and(article_id: int, key: str) -> tuple[int, object]:
    """The article's current version and another entry of the same cache, in one round trip:
    for answers kept under a key that does not name the version (they carry it inside)."""
    found = shared_cache().get_many([version_key(article_id), key])
    version = found.get(version_key(article_id))
    return (version if version is not None else article_version(article_id)), found.get(key)


def article_versions(article_ids: Iterable[int]) -> dict[int, int]:
    """Current versions of many articles in one round trip (plus one per missing number)."""
    article_ids = list(article_ids)
    found = shared_cache().get_many([version_key(pk) for pk in article_ids])
    return {pk: found.get(version_key(pk)) or article_version(pk) for pk in article_ids}


def _bump(keys: set[str]) -> None:
    cache = shared_cache()
    for key in keys:
        try:
            try:
                cache.incr(key)
            except ValueError:  # no number yet: any fresh one is newer than all before
                cache.set(key, _fresh(), timeout=settings.CACHE_MAX_SECONDS)
        except Exception:  # the change is committed; a cache outage must not turn it into an error
            logger.warning("could not bump the version %s", key, exc_info=True)


def _bump_now_and_after_commit(keys: set[str]) -> None:
    """The bump after commit is the one that matters: a page rendered before it may hold the old
    content, and is cached under a number that is then out of date. The bump now makes the
    change's own request, and anything later in the same transaction (a test's, too), render
    afresh; a rolled-back change costs one needless cache miss, never a stale page."""
    if keys:
        if transaction.get_connection().in_atomic_block:
            _bump(keys)
        transaction.on_commit(lambda: _bump(keys))


def bump_article_versions(article_ids: Iterable[int]) -> None:
    """Mark these articles' pages as changed: now, and again once the current transaction commits."""
    _bump_now_and_after_commit({version_key(int(pk)) for pk in article_ids if pk is not None})


def bump_article_version(article_id: int) -> None:
    bump_article_versions([article_id])


def _named_key(name: str) -> str:
    return f"{name}:version"


def named_version(name: str) -> int:
    """A shared version by name (e.g. "moderation:word-rules"), restarted from the clock when lost."""
    return _current(_named_key(name)) or 0


def bump_named_version(name: str) -> None:
    """Change the named version: now, and again once the current transaction commits."""
    _bump_now_and_after_commit({_named_key(name)})


# --- Keys of what is cached under a version ---------------------------------------------------


def sections_key(*, article_id: int, version: int, variant: str, sort: str, pages: dict[str, int]) -> str:
    """An article's shared comment sections (forum.page_cache), per language, zone, variant
    ("out"/"in"), sort and section pages."""
    page_part = ":".join(f"{key}={pages[key]}" for key in sorted(pages))
    return f"sections:{article_id}:{version}:{_where()}:{variant}:{sort}:{page_part}"


def perception_key(*, article_id: int, version: int) -> str:
    """The perception block as shown (forum.page_cache.perception)."""
    return f"perception-shown:{article_id}:{version}"


def section_totals_key(*, article_id: int, version: int) -> str:
    """Both sections' totals and the newest comment id (forum.selectors.article_sections)."""
    return f"article:{article_id}:v{version}:section-totals"


def editors_picks_key(*, article_id: int, version: int) -> str:
    """An article's editors' picks by section (forum.selectors.editors_picks)."""
    return f"article:{article_id}:v{version}:editors-picks"


def page_starts_key(*, article_id: int, version: int, section: str, sort: str) -> str:
    """The sort keys where a section's pages start (forum.selectors.page_starts)."""
    return f"article:{article_id}:v{version}:page-starts:{section}:{sort}"


def live_answer_key(*, article_id: int, version: int, comment_ids: list[int], after: int) -> str:
    """A live-counts answer (forum.live) for one set of comments, hashed: one key whatever its size."""
    return f"live:{article_id}:{version}:{after}:{_digest(','.join(map(str, comment_ids)))}"


# --- Keys of entries that carry their version inside ------------------------------------------


def live_sample_key(article_id: int, period: int) -> str:
    """The live version every poll of one period shares (forum.live.Sample)."""
    return f"live:{article_id}:sample:{period}"


def live_changed_key(article_id: int) -> str:
    """The article's last sampled content version and when it was first sampled (how quiet it is)."""
    return f"live:{article_id}:changed"


def live_published_key(article_id: int) -> str:
    """The version at which the database last said the article is published (forum.live)."""
    return f"live:{article_id}:published"


def page_key(*, article_id: int, full_path: str) -> str:
    """A whole signed-out page kept with its ETag (forum.page_cache.kept_page): per language,
    zone and address, hashed (the address is the reader's input)."""
    where = f"{translation.get_language()}|{timezone.get_current_timezone_name()}|{full_path}"
    return f"page:{article_id}:{_digest(where)}"


def comment_list_key(*, slug: str, section: str, sort: str, page_size: int, cursor: str | None) -> str:
    """The signed-out API comment list (forum.list_cache): one entry per article, section, sort,
    page size, cursor and language. The entry keeps its version and is compared on every read (an
    entry made under an older version is never served, and the next page made overwrites it, so
    dead versions do not pile up in Redis). The key holds the slug, not the id, so that a cached
    answer needs no query to find the article. The cursor is hashed: it is the reader's input, up
    to 1,000 characters."""
    return f"api:comments:{slug}:{section}:{sort}:{page_size}:{_digest(cursor or '')}:{translation.get_language()}"


# --- ETags ------------------------------------------------------------------------------------


def page_etag(*, version: int, full_path: str, signed_in: bool) -> str:
    """The article page's ETag: the version and everything else the page depends on. Weak: the
    same page is sent gzipped or not."""
    parts = f"{version}|{translation.get_language()}|{timezone.get_current_timezone_name()}|{full_path}|{signed_in}"
    return f'W/"{_digest(parts)}"'


def comment_list_etag(*, key: str, version: int) -> str:
    """The signed-out API comment list's ETag: its entry's key (comment_list_key) and version."""
    return f'"{_digest(f"{key}:{version}", size=16)}"'


def live_etag(version: int) -> str:
    """The live counts' ETag: the version itself, which the page also renders (live_version), so
    its first poll is conditional."""
    return f'"{version}"'
