"""Cache backends whose every entry expires.

A ``timeout=None`` ("keep forever") given by any caller, or a timeout longer than the cache's
``MAX_TIMEOUT``, is cut to ``MAX_TIMEOUT``: no key written through these caches lives without a
TTL, so what anonymous requests leave behind is bounded in time even where no eviction policy
bounds it in size (the forum Redis, whose broker and rate limits must never be evicted).
"""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache

DEFAULT_MAX_TIMEOUT = 24 * 60 * 60


class _Expiring:
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self.max_timeout = int(params.get("MAX_TIMEOUT", DEFAULT_MAX_TIMEOUT))

    def get_backend_timeout(self, timeout=DEFAULT_TIMEOUT):
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        if timeout is None or timeout > self.max_timeout:
            timeout = self.max_timeout
        return super().get_backend_timeout(timeout)


class ExpiringRedisCache(_Expiring, RedisCache):
    """Django's RedisCache with a TTL on every key."""


class ExpiringFileBasedCache(_Expiring, FileBasedCache):
    """Django's FileBasedCache (the embedded default) with an expiry on every entry."""
