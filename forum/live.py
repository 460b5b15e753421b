"""Live counts for open article pages: what changed since the page's version, cheaply enough for
thousands of pages polling one viral article every few seconds.

A page asks ``GET /articles/<id>/live/?ids=<comments shown>&after=<newest id when rendered>`` with
``If-None-Match: "<version>"``. The ETag is the article's *live version*: its content version
(forum/caching.py) as it was when the current period of LIVE_VERSION_SECONDS began, sampled by
the first poll of the period and shared by every poll in it (``Sample``). So however many votes
arrive, an article gets at most one new live version a period, and every page in that period is
told the same thing:
- Unchanged live version: 304.
- Changed: the answer for that version and those comments, computed once (two queries, in
  forum.selectors.live_counts) and kept for ANSWER_SECONDS under the version for every page
  showing the same comments.
Both are public until the period ends (``headers_for``: Cache-Control for any shared cache,
X-Accel-Expires for deploy/'s nginx, which then answers every other poll of the period), and
both say how long the page should wait before asking again (POLL_HEADER): LIVE_POLL_SECONDS
while the article changes, LIVE_QUIET_POLL_SECONDS once it has been quiet for a while.

Only a published article is ever answered or given a cache key: the view (forum.views.live) asks
the database, and marks the live version it checked as published (``caching.live_published_key``); the
shortcut in front of Django (config/live_shortcut.py) answers only when that mark names the
period's sample, one cache round trip, so a draft or a made-up id always goes to the view, which
answers 404 and stores nothing. An article unpublished mid-period is refused from the next
period on.
"""

import json
import math
import time
from typing import NamedTuple

from django.conf import settings

from . import caching, selectors

# Two sections of 100 comments, each with its first replies shown (FORUM_THREAD_REPLIES_SHOWN, 3),
# with room to spare.
MAX_IDS = 1000
ANSWER_SECONDS = 60  # an answer outlives its version by little: the next change makes a new one
# Seconds the page's script waits before its next poll (static/js/article.js reads it).
POLL_HEADER = "X-Poll-Seconds"

# The periods' clock (time.time): one shared by every process and machine, as the periods are.
clock = time.time


class Sample(NamedTuple):
    """An article's live version for one period, and what every poll in the period is told."""

    version: int
    poll_seconds: float
    ends: int  # when the period ends, in whole seconds since the epoch (rounded up)


def parse_ids(value: str, limit: int = MAX_IDS) -> list[int]:
    """Comment ids from "1,2,3": junk dropped, at most ``limit``, sorted and unique (one key per
    set of comments, however the client wrote it)."""
    ids = {int(part) for part in value.split(",")[:limit] if part.isdigit() and len(part) < 12}
    return sorted(ids)


def parse_query(ids: str, after: str) -> tuple[list[int], int]:
    after_ids = parse_ids(after, limit=1)
    return parse_ids(ids), after_ids[0] if after_ids else 0


def _period(now: float) -> int:
    return int(now // settings.LIVE_VERSION_SECONDS)


def headers_for(sample: Sample) -> dict[str, str]:
    """A poll's headers, on the 200 and the 304 alike: public until the period ends."""
    return {
        "ETag": caching.live_etag(sample.version),
        "Cache-Control": f"public, max-age={max(1, math.ceil(settings.LIVE_VERSION_SECONDS))}",
        # nginx keeps it until the period ends, not a whole max-age from whenever it asked, so
        # what it answers is never older than the app's own sample (and it hides this header).
        # It keeps an answer through the whole second named here: the period's last second.
        "X-Accel-Expires": f"@{sample.ends - 1}",
        POLL_HEADER: f"{sample.poll_seconds:g}",
    }


def _take_sample(article_id: int, version: int, period: int, now: float) -> Sample:
    """The period's sample from the content version read before the database said the article
    is published; the first poll of the period to store one wins, and the others use it."""
    cache = caching.shared_cache()
    last = cache.get(caching.live_changed_key(article_id))  # (version, when it was first sampled)
    if last is None or last[0] != version:
        changed_at = now
        cache.set(caching.live_changed_key(article_id), (version, now), timeout=settings.CACHE_MAX_SECONDS)
    else:
        changed_at = last[1]
    quiet = now - changed_at >= settings.LIVE_QUIET_AFTER_SECONDS
    poll = settings.LIVE_QUIET_POLL_SECONDS if quiet else settings.LIVE_POLL_SECONDS
    sample = Sample(version, poll, math.ceil((period + 1) * settings.LIVE_VERSION_SECONDS))
    key = caching.live_sample_key(article_id, period)
    if not cache.add(key, tuple(sample), timeout=math.ceil(settings.LIVE_VERSION_SECONDS) + 1):
        sample = Sample(*(cache.get(key) or sample))
    return sample


def cached_sample(article_id: int) -> Sample | None:
    """The period's sample when the cache says the article is published at it (one round trip;
    the first poll of a period takes the sample, two more); None when only the database can tell.

    A poll may take the period's sample only when the published mark names the current content
    version: nothing has changed since the database was asked, not even the article's state."""
    now = clock()
    period = _period(now)
    sample_at, published_at = caching.live_sample_key(article_id, period), caching.live_published_key(article_id)
    version_at = caching.version_key(article_id)
    found = caching.shared_cache().get_many([sample_at, published_at, version_at])
    published = found.get(published_at)
    if (stored := found.get(sample_at)) is not None:
        sample = Sample(*stored)
    elif published is not None and found.get(version_at) == published:
        sample = _take_sample(article_id, published, period, now)
    else:
        return None
    return sample if published == sample.version else None


def published_sample(article_id: int) -> Sample | None:
    """The period's sample if the article is published, from the database; None (and no cache
    key written) for a draft, a scheduled article or an id that does not exist.

    The sample and the content version are read before the database: a change made meanwhile
    (unpublishing included) bumps past them, so the mark written here is never taken for a
    newer live version."""
    cache = caching.shared_cache()
    now = clock()
    period = _period(now)
    sample_at, version_at = caching.live_sample_key(article_id, period), caching.version_key(article_id)
    found = cache.get_many([sample_at, version_at])
    if not selectors.is_published(article_id):
        return None
    if (stored := found.get(sample_at)) is not None:
        sample = Sample(*stored)
    elif (before := found.get(version_at)) is not None:
        sample = _take_sample(article_id, before, period, now)
    else:  # a number made now; it is sampled and marked by the next poll, after a check
        ends = math.ceil((period + 1) * settings.LIVE_VERSION_SECONDS)
        return Sample(caching.article_version(article_id), settings.LIVE_POLL_SECONDS, ends)
    cache.set(caching.live_published_key(article_id), sample.version)
    return sample


def cached_answer(article_id: int, version: int, ids: list[int], after: int) -> bytes | None:
    return caching.shared_cache().get(
        caching.live_answer_key(article_id=article_id, version=version, comment_ids=ids, after=after)
    )


def answer(article_id: int, version: int, ids: list[int], after: int) -> bytes:
    """The answer for a published article's ``version``, computed and kept on a miss."""
    body = cached_answer(article_id, version, ids, after)
    if body is None:
        # The version was read first: a change made meanwhile is in this answer and also bumps
        # past it, so the page asks again and nothing stale is kept.
        data = selectors.live_counts(article_id=article_id, comment_ids=ids, after_id=after)
        body = json.dumps({"version": version, **data}, separators=(",", ":")).encode()
        caching.shared_cache().set(
            caching.live_answer_key(article_id=article_id, version=version, comment_ids=ids, after=after),
            body,
            timeout=ANSWER_SECONDS,
        )
    return body
