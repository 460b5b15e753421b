"""What one API vote costs in round trips: no database query for the token once cached, the
comment in one query, the write in one statement and its answer's counts in one; Redis twice, once
for both rate limits (before the write) and once for the dirty mark (after the commit)."""

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infra.redis_clients import forum_redis
from tests.api.conftest import client_for, vote_url
from votes import coalescing

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum_redis_round_trips(monkeypatch) -> list[int]:
    """Counts the round trips to the forum's Redis (a command on its own, or a pipeline, counts
    one); which commands they carry is the implementation's business. (Celery's sends to the
    broker, when a vote schedules a tally round, are on a client of their own.)"""
    client = forum_redis()
    if client is None:
        pytest.skip("the forum has no Redis")
    trips: list[int] = []
    execute_command = client.execute_command
    pipeline_execute = redis.client.Pipeline.execute

    def command(*args, **kwargs):
        trips.append(1)
        return execute_command(*args, **kwargs)

    def pipeline(pipe, *args, **kwargs):
        if pipe.connection_pool is client.connection_pool:
            trips.append(1)
        return pipeline_execute(pipe, *args, **kwargs)

    monkeypatch.setattr(client, "execute_command", command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", pipeline)
    return trips


def test_a_vote_is_three_queries_and_two_redis_round_trips(
    rates, comment, reader, forum_redis_round_trips, django_capture_on_commit_callbacks
):
    rates(vote_user="3/min", vote_anon="100/min")
    client = client_for(reader)
    client.put(vote_url(comment), {"choice": "agree"}, format="json")  # caches the token
    forum_redis_round_trips.clear()

    # The test's transaction never commits: run the after-commit work as a commit would.
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        response = client.put(vote_url(comment), {"choice": "disagree"}, format="json")

    assert response.status_code == 200 and response.json()["counts"]["disagree"] == 1
    assert len(queries.captured_queries) == 3, queries.captured_queries
    assert len(forum_redis_round_trips) == 2
    # What those round trips did: the comment is marked for the next tally round ...
    assert [comment.pk] in list(coalescing.pop_dirty())
    # ... and it counted against the reader's limit (three a minute: this was the second).
    assert client.put(vote_url(comment), {"choice": "agree"}, format="json").status_code == 200
    assert client.put(vote_url(comment), {"choice": "agree"}, format="json").status_code == 429


def test_both_limits_count_a_vote_refused_by_one(rates, comment, reader):
    """One round trip counts every scope, so a reader over their own limit still counts against
    their address's (as before, the address is not a way round the reader's limit)."""
    rates(vote_user="1/min", vote_anon="3/min")
    client = client_for(reader)
    answers = [client.put(vote_url(comment), {"choice": "agree"}, format="json").status_code for _ in range(3)]
    assert answers == [200, 429, 429]
    other = client_for(reader.__class__.objects.create(username="other-voter"))
    assert other.put(vote_url(comment), {"choice": "agree"}, format="json").status_code == 429


def test_the_hand_built_answer_is_the_documented_vote_output(reader, comment):
    """votes.api.vote_answer skips DRF's serializer for speed; it must give VoteOutput's data."""
    from django.utils import timezone

    from votes.api import VoteOutput, vote_answer
    from votes.counting import tally_comment
    from votes.selectors import comment_to_vote_on, counted_now
    from votes.services import cast_vote

    cast_vote(user=reader, comment=comment, choice="agree")
    for tallied in (False, True):
        if tallied:
            tally_comment(comment_id=comment.pk)
        counted = counted_now(comment=comment_to_vote_on(comment.pk))
        now = timezone.now()
        for choice in ("agree", "disagree", None):
            expected = VoteOutput({"comment": counted, "my_vote": choice, "answered_at": now}).data
            assert vote_answer(comment=counted, choice=choice, answered_at=now) == expected
