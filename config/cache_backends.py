"""Cache backends whose every entry expires.

A ``timeout=None`` ("keep forever") given by any caller, or a timeout longer than the cache's
``MAX_TIMEOUT``, is cut to ``MAX_TIMEOUT``: no key written through these caches lives without a
TTL, so what anonymous requests leave behind is bounded in time even where no eviction policy
bounds it in size (the forum Redis, whose broker and rate limits must never be evicted).
"""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

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


class _OneClientPerPool(RedisCacheClient):
    """Django's client makes a new redis.Redis around its pool for every cache call; redis-py 8's
    constructor builds its response-callback table each time, which cost a vote more CPU than
    the Redis round trip itself (≈ 0.3 ms in process, measured with bench/vote_cost.py --profile).
    A redis.Redis is safe to share between threads (each command takes a connection from the
    pool), so one per pool is kept."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ExpiringRedisCache(_Expiring, RedisCache):
    """Django's RedisCache with a TTL on every key, and one client per connection pool."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _OneClientPerPool


class ExpiringFileBasedCache(_Expiring, FileBasedCache):
    """Django's FileBasedCache (the embedded default) with an expiry on every entry."""
