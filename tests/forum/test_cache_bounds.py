"""What anonymous requests can leave in the caches (forum/page_cache.py, forum/live.py,
forum/list_cache.py, config/live_shortcut.py): only answers for articles that exist and addresses the
site itself links to, every key with a TTL, and nothing a reader did not see (no account rows)."""

import gzip
import pickle
import random
import re
import string

import pytest
import redis
from django.urls import reverse
from rest_framework.authtoken.models import Token

from forum.models import Article, Section
from infra.redis_clients import forum_redis
from tests.conftest import page_cache_redis, redis_is_the_broker
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.forum.live_wsgi import LiveWsgi

pytestmark = pytest.mark.skipif(not redis_is_the_broker(), reason="reads the Redis caches")


def _all_keys() -> set[tuple[str, bytes]]:
    """Every key in the page cache's database and in the forum Redis's (broker, limits, tokens)."""
    return {("pages", key) for key in page_cache_redis().keys("*")} | {
        ("forum", key.encode()) for key in forum_redis().keys("*")
    }


def _live_path(article_id: int) -> str:
    return reverse("article_live", args=[article_id])


# --- 7. Anonymous requests cannot grow the caches ------------------------------------------------


def test_made_up_article_ids_and_drafts_on_the_live_endpoint_store_nothing(client, article):
    draft = ArticleFactory(status=Article.Status.DRAFT)
    CommentFactory(article=article)
    before = _all_keys()
    wsgi = LiveWsgi(client)
    for made_up in range(10**9, 10**9 + 40):
        assert client.get(_live_path(made_up), {"ids": "1,2", "after": "0"}).status_code == 404
        assert wsgi.get(_live_path(made_up), "ids=1,2&after=0").status == 404
    assert client.get(_live_path(draft.pk), {"ids": "", "after": "0"}).status_code == 404
    assert _all_keys() == before


def _random_query(rng: random.Random) -> str:
    word = "".join(rng.choices(string.ascii_lowercase, k=8))
    return rng.choice(
        [
            f"?{word}=1",
            f"?sort=newest&{word}=x",
            f"?sort={word}",
            f"?japan_page={rng.randint(2, 999_999)}",
            f"?world_page=0{rng.randint(1, 9)}",
            f"?world_page=1&japan_page={rng.randint(1, 9)}",  # not the order the site writes
            "?sort=best&sort=newest",
            f"?%73ort=newest&{word}",  # the sections are keyed by the parsed sort: one entry
        ]
    )


def test_random_query_strings_on_the_article_page_store_no_pages(client, article):
    CommentFactory(article=article, author=UserFactory(country="JP"))
    url = article.get_absolute_url()
    assert client.get(url).status_code == 200  # the plain address: kept
    before = _all_keys()
    rng = random.Random(7)
    for _ in range(60):
        assert client.get(url + _random_query(rng)).status_code == 200
    assert _all_keys() == before
    # An address the site links to is kept, so the rule costs the real pages nothing.
    assert client.get(url + "?sort=best").status_code == 200
    kept = {key for where, key in _all_keys() - before if where == "pages" and b":page:" in key}
    assert len(kept) == 1


def test_every_key_written_by_pages_polls_and_lists_has_a_ttl(client, article, reader):
    comment = CommentFactory(article=article, author=UserFactory(country="JP"))
    CommentFactory(article=article, author=reader)
    client.get(article.get_absolute_url())  # signed out: sections, perception, page, versions
    client.get(_live_path(article.pk), {"ids": str(comment.pk), "after": "0"})
    client.get(_live_path(article.pk), {"ids": str(comment.pk), "after": "0"})  # marks it published
    client.get(f"/api/v1/articles/{article.slug}/comments/", {"section": Section.JAPAN})
    token = Token.objects.create(user=reader)
    client.post(
        f"/api/v1/comments/{comment.pk}/vote/",
        {"choice": "agree"},
        content_type="application/json",
        headers={"Authorization": f"Token {token.key}"},
    )  # the token's reader cached
    client.force_login(reader)
    client.get(article.get_absolute_url())  # signed in: the shared "in" rendering
    pages, forum = page_cache_redis(), forum_redis()
    written = {key.decode(): pages.ttl(key) for key in pages.keys("*")}
    assert any(":live:" in key for key in written) and any(":page:" in key for key in written)
    assert any(":version" in key for key in written) and any(":sections:" in key for key in written)
    tokens = {key: forum.ttl(key) for key in forum.keys("forum:api-tokens:*")}
    assert tokens, "the token's reader is cached in its own cache, beside the limits"
    assert not [key for key in pages.keys("*") if b"api-token" in key]
    without_ttl = {key: ttl for key, ttl in {**written, **tokens}.items() if ttl <= 0}
    assert without_ttl == {}


# --- 11. The cache holds only what is shown ----------------------------------------------------

EMAIL = re.compile(rb"[\w.+-]+@[\w-]+\.[\w.-]+")
HASHES = (b"pbkdf2", b"md5$", b"argon2", b"bcrypt", b"scrypt")


def _readable_values(client: redis.Redis) -> dict[bytes, bytes]:
    """Each key's stored bytes, with any gzipped page inside it unpacked."""
    found = {}
    for key in client.keys("*"):
        raw = client.get(key)
        texts = [raw]
        try:
            value = pickle.loads(raw)  # noqa: S301 - our own cache, written by this test
        except Exception:
            value = None
        for part in value if isinstance(value, tuple) else (value,):
            if isinstance(part, bytes) and part[:2] == b"\x1f\x8b":
                texts.append(gzip.decompress(part))
        found[key] = b"\n".join(texts)
    return found


def test_a_page_views_cache_entries_hold_no_email_or_password_hash(client, article, settings):
    settings.PERCEPTION_MIN_VOTES_PER_REGION = 1
    author = UserFactory(country="JP", email="author.jp@example.com")
    world_author = UserFactory(country="GB", email="author.gb@example.com")
    counts = {"agree_japan_count": 4, "disagree_japan_count": 1, "agree_world_count": 1, "disagree_world_count": 3}
    CommentFactory(article=article, author=author, **counts, agree_count=5, disagree_count=4)
    CommentFactory(article=article, author=world_author, agree_japan_count=2, agree_world_count=5, agree_count=7)
    reader = UserFactory(country="JP", email="reader@example.com")
    CommentFactory(article=article, author=reader)

    page = client.get(article.get_absolute_url()).content.decode()
    assert 'class="perception-pick' in page  # the perception gap is shown, and cached
    client.force_login(reader)
    client.get(article.get_absolute_url())

    values = _readable_values(page_cache_redis())
    assert any(b"perception" in key for key in values)
    leaks = {
        key: [match.decode() for match in EMAIL.findall(text)] + [h.decode() for h in HASHES if h in text]
        for key, text in values.items()
    }
    assert {key: found for key, found in leaks.items() if found} == {}
