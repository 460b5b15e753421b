"""Rate limits for the API's writes: per reader and per address, rates from settings.

The counters live in Redis when the forum has one (FORUM_REDIS_URL), so every web process shares
them, at one round trip per throttle; on the embedded default they live in the process's cache.
A throttle that cannot reach Redis lets the request through: a vote must not fail because the
rate limiter is down.
"""

import logging
import math

import redis
from django.conf import settings
from django.core.cache import cache as default_cache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .outages import REDIS, dependency_of, tracker
from .redis_clients import forum_redis

logger = logging.getLogger(__name__)


def count_in_window(key: str, window_seconds: int) -> int:
    """Count one more request under ``key`` (which names the window) and return the count."""
    client = forum_redis()
    if client is None:
        # The embedded default: one machine, so the process's cache is enough.
        default_cache.add(key, 0, window_seconds + 1)
        try:
            return default_cache.incr(key)
        except ValueError:  # the key expired between add and incr
            default_cache.set(key, 1, window_seconds + 1)
            return 1
    # One round trip: the count and, for the window's first request, its expiry.
    with client.pipeline(transaction=False) as pipe:
        pipe.incr(f"{settings.TALLY_KEY_PREFIX}:throttle:{key}")
        pipe.expire(f"{settings.TALLY_KEY_PREFIX}:throttle:{key}", window_seconds + 1, nx=True)
        count, _ = pipe.execute()
    return count


class _RateThrottle(SimpleRateThrottle):
    """A fixed-window counter: one atomic INCR per request, whatever the rate.

    DRF's own throttles keep a list of every request's timestamp in the window and rewrite it on
    each request, which costs as much as the rate allows and loses counts under concurrency. A
    fixed window can let up to twice the rate through across a window boundary, which is fine
    for what these limits are for (stopping floods, not metering).
    """

    per_user: bool

    def __init__(self):
        self.wait_seconds: float | None = None
        super().__init__()

    def get_rate(self) -> str | None:
        # Read the rates on each request (not once at import) so that settings overrides apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str | None:
        if self.per_user:
            if not request.user.is_authenticated:
                return None
            ident = request.user.pk
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        try:
            count = count_in_window(f"{key}:{window}", self.duration)
        except (redis.RedisError, OSError) as error:
            if dependency_of(error) is None:
                logger.warning("Rate limit %s not applied, its store failed: %s", self.scope, error)
            else:  # an outage: logged once as it begins, not once per request
                tracker.failed(REDIS, error)
            return True
        if settings.FORUM_REDIS_URL:
            tracker.ok(REDIS)
        if count <= self.num_requests:
            return True
        self.wait_seconds = max(1, math.ceil((window + 1) * self.duration - now))
        return False

    def wait(self) -> float | None:
        return self.wait_seconds


class CommentReaderThrottle(_RateThrottle):
    scope, per_user = "comment_user", True


class CommentAddressThrottle(_RateThrottle):
    scope, per_user = "comment_anon", False


class VoteReaderThrottle(_RateThrottle):
    scope, per_user = "vote_user", True


class VoteAddressThrottle(_RateThrottle):
    scope, per_user = "vote_anon", False


class AuthAddressThrottle(_RateThrottle):
    """Sign-up and sign-in: guessing passwords or minting accounts in bulk."""

    scope, per_user = "auth_anon", False


COMMENT_THROTTLES = [CommentReaderThrottle, CommentAddressThrottle]
VOTE_THROTTLES = [VoteReaderThrottle, VoteAddressThrottle]
AUTH_THROTTLES = [AuthAddressThrottle]
