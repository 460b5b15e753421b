"""The page cache as production runs it: a Redis instance of its own with maxmemory and
allkeys-lru (FORUM_CACHE_REDIS_URL). Filling it evicts cache entries only: the broker's
messages, the rate limits and the tally's marks live in the forum Redis and are untouched, and
pages stay right when their cached versions and entries are evicted."""

import random
import string

import pytest
import redis
from django.conf import settings
from django.urls import reverse

from tests.conftest import redis_is_the_broker
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.processes import start_redis

pytestmark = pytest.mark.skipif(not redis_is_the_broker(), reason="needs the Redis broker and limits")

CACHE_PORT = 18601  # this worktree's range (18600-18699)


@pytest.fixture
def lru_page_cache(settings, process_log_dir):
    options = ("--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru", "--maxmemory-samples", "10")
    server = start_redis(port=CACHE_PORT, log_dir=process_log_dir, options=options)
    url = f"redis://127.0.0.1:{CACHE_PORT}/0"
    settings.FORUM_CACHE_REDIS_URL = url
    settings.CACHES = {**settings.CACHES, "pages": {**settings.CACHES["pages"], "LOCATION": url}}
    yield redis.Redis(port=CACHE_PORT)
    server.stop()


def _snapshot(client: redis.Redis) -> dict[bytes, bytes]:
    return {key: client.dump(key) for key in client.keys("*")}


def test_filling_the_page_cache_evicts_only_its_own_entries(client, lru_page_cache, rates, db):
    rates(comment_user="100/hour", vote_user="100/hour")  # windows outlast the test
    reader = UserFactory(country="JP")
    first = ArticleFactory()
    comment = CommentFactory(article=first, author=UserFactory(country="GB"))
    client.force_login(reader)
    # Rate-limit counts, a vote's dirty mark and its tally message: the forum Redis's own keys.
    assert client.post(reverse("post_comment", args=[first.slug]), {"body": "Before the flood."}).status_code == 302
    assert client.post(reverse("vote", args=[comment.pk]), {"choice": "agree"}).status_code in (200, 302)
    client.logout()
    forum = redis.Redis.from_url(settings.FORUM_REDIS_URL)
    broker_and_limits = _snapshot(forum)
    assert any(b"throttle" in key for key in broker_and_limits)

    rng = random.Random(3)
    for n in range(140):  # ~20 kB of kept page each (incompressible text): well past 2 MB
        body = "".join(rng.choices(string.ascii_letters, k=30_000))
        article = ArticleFactory(body=body, slug=f"flood-{n}")
        assert client.get(article.get_absolute_url()).status_code == 200

    stats = lru_page_cache.info()
    assert stats["evicted_keys"] > 0 and stats["used_memory"] <= 2 * 1024 * 1024 * 1.1
    forum_now = _snapshot(forum)
    assert {key: value for key, value in broker_and_limits.items() if forum_now.get(key) != value} == {}

    # Whatever of the first article's version and pages was evicted, it is rendered right, and
    # a change still shows on the next request.
    page = client.get(first.get_absolute_url()).content.decode()
    assert "Before the flood." in page
    client.force_login(reader)
    assert client.post(reverse("post_comment", args=[first.slug]), {"body": "After the flood."}).status_code == 302
    client.logout()
    assert "After the flood." in client.get(first.get_absolute_url()).content.decode()
