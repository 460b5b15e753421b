"""The live-counts shortcut in front of Django (config/live_shortcut.py) keeps the site's rules:
ALLOWED_HOSTS, the HTTPS redirect, the security headers and the article's published state."""

import pytest
from django.test import Client
from django.urls import reverse

from forum.models import Article
from tests.conftest import redis_is_the_broker
from tests.factories import CommentFactory
from tests.forum.live_wsgi import LiveWsgi

pytestmark = pytest.mark.skipif(not redis_is_the_broker(), reason="the shortcut reads the Redis page cache")

SECURITY_HEADERS = (
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Content-Security-Policy",
    "Strict-Transport-Security",
)


@pytest.fixture
def polled(client, article):
    """An article whose poll the shortcut answers: the view has answered it once (and marked the
    version it checked as published)."""
    comment = CommentFactory(article=article)
    wsgi = LiveWsgi(client)
    path, query = reverse("article_live", args=[article.pk]), f"ids={comment.pk}&after=0"
    assert wsgi.get(path, query, https=True).by_django
    answer = wsgi.get(path, query, https=True)
    assert not answer.by_django and answer.status == 200
    return wsgi, path, query


def test_a_host_not_allowed_is_refused(polled):
    wsgi, path, query = polled
    answer = wsgi.get(path, query, host="evil.example", https=True)
    assert answer.status == 400


def test_plain_http_is_redirected_under_secure_ssl_redirect(polled, settings):
    wsgi, path, query = polled
    settings.SECURE_SSL_REDIRECT = True
    answer = wsgi.get(path, query)
    assert answer.status == 301 and answer.headers["Location"] == f"https://testserver{path}?{query}"
    assert not answer.by_django  # the shortcut applies the rule itself, as SecurityMiddleware
    assert wsgi.get(path, query, https=True).status == 200


@pytest.mark.parametrize("etag", [False, True], ids=["answer", "not modified"])
def test_the_shortcuts_answers_carry_the_security_headers_django_sends(polled, settings, etag):
    settings.SECURE_HSTS_SECONDS = 3600
    wsgi, path, query = polled
    headers = {"if_none_match": wsgi.get(path, query, https=True).headers["ETag"]} if etag else {}
    fast = wsgi.get(path, query, https=True, **headers)
    assert not fast.by_django and fast.status == (304 if etag else 200)
    django = Client().get(f"{path}?{query}", secure=True, headers={"If-None-Match": headers.get("if_none_match", "")})
    for name in SECURITY_HEADERS:
        assert django.headers.get(name) and fast.headers.get(name) == django.headers[name], name


def test_a_drafts_live_counts_are_not_answered(polled, article, django_capture_on_commit_callbacks, live_clock):
    """From the period after it was unpublished (within the period, pollers share its sample)."""
    wsgi, path, query = polled
    etag = wsgi.get(path, query, https=True).headers["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        article.status = Article.Status.DRAFT
        article.save()
    live_clock.next_period()
    assert wsgi.get(path, query, https=True).status == 404
    assert wsgi.get(path, query, https=True, if_none_match=etag).status == 404
