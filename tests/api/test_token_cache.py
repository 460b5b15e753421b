"""The vote API authenticates a token from a short-lived cache (accounts.authentication), and every
revocation is honoured at once: the very next vote with the token is refused."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token, TokenProxy

from accounts.authentication import CachedTokenAuthentication, forget_tokens
from accounts.services import change_password, deactivate_user, delete_account, revoke_api_tokens, update_profile
from tests.api.conftest import PASSWORD, client_for, vote_url
from tests.factories import UserFactory
from tests.redis_caches import cache_keys
from votes.models import Vote

pytestmark = pytest.mark.django_db


def put_vote(client, comment, choice="agree"):
    return client.put(vote_url(comment), {"choice": choice}, format="json")


def token_queries(client, comment) -> int:
    """The queries a vote makes to the token table: 0 when the token came from the cache."""
    with CaptureQueriesContext(connection) as queries:
        assert put_vote(client, comment).status_code == 200
    return sum(Token._meta.db_table in query["sql"] for query in queries.captured_queries)


def test_a_second_vote_authenticates_without_the_database(reader, comment):
    client = client_for(reader)
    assert token_queries(client, comment) == 1
    assert token_queries(client, comment) == 0
    assert Vote.objects.get(user=reader, comment=comment).region == reader.region


def test_the_token_cache_is_not_the_page_cache(reader, comment):
    """Tokens' readers live in their own cache: emptying the "pages" cache (whose entries are
    evicted under memory pressure) keeps them, revocation marks included."""
    client = client_for(reader)
    assert token_queries(client, comment) == 1
    caches["pages"].clear()
    assert token_queries(client, comment) == 0


@pytest.mark.parametrize(
    "revoke",
    [
        pytest.param(lambda user: revoke_api_tokens(user=user), id="revoke_api_tokens"),
        pytest.param(lambda user: deactivate_user(user=user), id="deactivation"),
        pytest.param(lambda user: change_password(user=user, password="a new long passphrase"), id="password"),
        pytest.param(lambda user: delete_account(user=user, via="api"), id="account-deletion"),
        pytest.param(lambda user: TokenProxy.objects.get(user=user).delete(), id="admin-token-proxy"),
    ],
)
def test_revocation_refuses_the_next_vote_at_once(revoke, comment):
    reader = UserFactory(password=PASSWORD)
    client = client_for(reader)
    put_vote(client, comment)
    assert token_queries(client, comment) == 0  # the token is served from the cache

    revoke(reader)

    assert put_vote(client, comment, "disagree").status_code == 401


def test_a_superuser_deleting_the_token_in_the_admin_revokes_it(client, comment):
    reader = UserFactory()
    api = client_for(reader)
    put_vote(api, comment)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(reverse("admin:authtoken_tokenproxy_delete", args=[reader.pk]), {"post": "yes"})

    assert response.status_code == 302 and not Token.objects.filter(user=reader).exists()
    assert put_vote(api, comment, "disagree").status_code == 401


def test_a_reader_deactivated_by_save_is_refused_at_once(reader, comment):
    """The admin's change form saves the reader; no token is deleted, the cache still forgets."""
    client = client_for(reader)
    put_vote(client, comment)
    reader.is_active = False
    reader.save()
    assert put_vote(client, comment, "disagree").status_code == 401


def test_a_country_change_moves_the_next_vote_at_once(reader, comment):
    client = client_for(reader)
    put_vote(client, comment)
    update_profile(user=reader, display_name="", country="JP")
    put_vote(client, comment, "disagree")
    assert Vote.objects.get(user=reader, comment=comment).region == "japan"


def test_a_request_that_read_the_token_before_its_revocation_cannot_cache_it(reader, comment):
    """The race the "revoked" mark closes: a request reads the token from the database, the token
    is revoked, then the request would cache what it read. The mark stays in place instead, so
    the token goes on being read from the database while the mark lives."""
    client = client_for(reader)
    token = Token.objects.get(user=reader)
    forget_tokens([token.key])  # what a revocation leaves behind

    user, _token = CachedTokenAuthentication().authenticate_credentials(token.key)  # still in the database

    assert user == reader
    assert token_queries(client, comment) == 1
    assert token_queries(client, comment) == 1


def test_the_cache_keys_do_not_contain_the_token(reader, comment):
    """The cache's keys are listed by anyone who can reach Redis; the tokens must not be."""
    client = client_for(reader)
    put_vote(client, comment)
    assert token_queries(client, comment) == 0  # cached
    token = Token.objects.get(user=reader).key
    keys = cache_keys()
    assert keys and not [key for key in keys if token in key]
