"""Moderation's rules hold on the vote's fast path too: a reader whose token is cached
(accounts.authentication) is refused the moment they are sanctioned, a closed section refuses
votes through the one-statement comment lookup (votes.selectors.comment_to_vote_on), and the
counts a vote answers with leave voided votes out."""

import pytest

from forum import services as forum_services
from forum.models import Article, Section
from moderation import sanctions
from tests.api.conftest import client_for, vote_url
from tests.api.test_token_cache import token_queries
from tests.factories import CommentFactory, UserFactory
from votes.models import Vote
from votes.services import void_votes_of

pytestmark = pytest.mark.django_db


def put_vote(client, comment, choice="agree"):
    return client.put(vote_url(comment), {"choice": choice}, format="json")


@pytest.mark.parametrize(
    "sanction",
    [
        pytest.param(
            lambda mod, reader: sanctions.suspend_reader(moderator=mod, reader=reader, days=7, reason="x"), id="suspend"
        ),
        pytest.param(lambda mod, reader: sanctions.ban_reader(moderator=mod, reader=reader, reason="x"), id="ban"),
    ],
)
def test_a_sanction_refuses_the_next_api_vote_of_a_cached_token(
    sanction, moderator, comment, django_capture_on_commit_callbacks
):
    reader = UserFactory()
    client = client_for(reader)
    assert put_vote(client, comment).status_code == 200
    assert token_queries(client, comment) == 0  # the token is served from the cache

    with django_capture_on_commit_callbacks(execute=True):  # the sanction commits, as a moderator's would
        sanction(moderator, reader)

    refused = put_vote(client, comment, "disagree")
    assert refused.status_code == 403
    assert Vote.objects.get(user=reader, comment=comment).choice == "agree"


def test_a_closed_section_refuses_api_votes(article, django_capture_on_commit_callbacks):
    comment = CommentFactory(article=article, section=Section.WORLD)
    client = client_for(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        forum_services.set_section_open(
            articles=Article.objects.filter(pk=article.pk), section=Section.WORLD, is_open=False
        )
    refused = put_vote(client, comment)
    assert refused.status_code == 403
    assert not Vote.objects.filter(comment=comment).exists()


def test_the_vote_answer_leaves_voided_votes_out(moderator, comment, django_capture_on_commit_callbacks):
    spammer = UserFactory()
    assert put_vote(client_for(spammer), comment).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        void_votes_of(user=spammer, voided_by=moderator)

    answer = put_vote(client_for(UserFactory()), comment).json()

    assert answer["counts"]["agree"] == 1
