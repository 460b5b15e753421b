"""The forum's one Redis client, shared by the vote tally's coalescing, the rate limits and caches.

``forum_redis()`` is None on the embedded default, which has no Redis: each caller says what it
does without one. The timeouts are short because every caller runs while a reader waits, and
each of them treats Redis as a hint it can do without.
"""

from functools import cache

import redis
from django.conf import settings


@cache
def forum_redis() -> redis.Redis | None:
    if not settings.FORUM_REDIS_URL:
        return None
    return redis.Redis.from_url(
        settings.FORUM_REDIS_URL, socket_connect_timeout=0.25, socket_timeout=0.5, decode_responses=True
    )
