"""The keys the configured caches hold in Redis, read from the databases their settings name
(whichever those are), for tests of what is kept and what a key may show."""

import pytest
import redis
from django.conf import settings


def cache_keys(match: str = "*") -> list[str]:
    """Every key matching ``match`` in the Redis databases of settings.CACHES; skips the test when
    no cache is on Redis (the embedded default keeps them in files)."""
    urls = {
        str(cache["LOCATION"])
        for cache in settings.CACHES.values()
        if str(cache.get("LOCATION", "")).startswith(("redis://", "rediss://"))
    }
    if not urls:
        pytest.skip("no cache on Redis")
    return [key.decode() for url in sorted(urls) for key in redis.Redis.from_url(url).scan_iter(match=match)]
