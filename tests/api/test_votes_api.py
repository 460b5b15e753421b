"""Voting through the API: idempotent PUT, DELETE to retract, refusals with reasons."""

import pytest

from forum.models import Comment
from tests.api.conftest import client_for, vote_url
from votes.counting import tally_comment
from votes.models import Vote

pytestmark = pytest.mark.django_db


def test_voting_twice_is_one_vote_and_switching_changes_it(comment, reader):
    """PUT is idempotent: the same choice twice is one row; the other choice switches it."""
    client = client_for(reader)

    first = client.put(vote_url(comment), {"choice": "agree"}, format="json")
    again = client.put(vote_url(comment), {"choice": "agree"}, format="json")
    assert first.status_code == again.status_code == 200
    assert again.json()["my_vote"] == "agree"
    assert Vote.objects.get(user=reader, comment=comment).choice == "agree"

    switched = client.put(vote_url(comment), {"choice": "disagree"}, format="json")
    assert switched.json()["my_vote"] == "disagree"
    assert list(Vote.objects.filter(comment=comment).values_list("choice", flat=True)) == ["disagree"]


def test_retracting_a_vote_clears_it_and_is_idempotent(comment, reader):
    """DELETE takes the vote back; doing it again changes nothing."""
    client = client_for(reader)
    client.put(vote_url(comment), {"choice": "agree"}, format="json")

    first = client.delete(vote_url(comment))
    again = client.delete(vote_url(comment))

    assert first.status_code == again.status_code == 200
    assert first.json()["my_vote"] is None and again.json()["my_vote"] is None
    assert Vote.objects.get(user=reader, comment=comment).choice is None


def test_vote_answer_carries_the_stored_counts_with_the_regional_split(comment, reader, japan_reader):
    """The answer gives the comment's stored counters and when they were tallied."""
    client_for(japan_reader).put(vote_url(comment), {"choice": "disagree"}, format="json")
    tally_comment(comment_id=comment.pk)

    body = client_for(reader).put(vote_url(comment), {"choice": "agree"}, format="json").json()

    assert body["comment"] == comment.pk and body["my_vote"] == "agree"
    assert body["counts"]["disagree"] == body["counts"]["disagree_japan"] == 1
    assert body["counts"]["tallied_at"] is not None and body["answered_at"] >= body["counts"]["tallied_at"]
    tally_comment(comment_id=comment.pk)
    comment.refresh_from_db()
    assert (comment.agree_world_count, comment.disagree_japan_count) == (1, 1)


def test_voting_on_your_own_comment_is_refused(authored_comment, author):
    """The author cannot vote on their own comment: 403 with the reason, nothing stored."""
    response = client_for(author).put(vote_url(authored_comment), {"choice": "agree"}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "You cannot vote on your own comment.", "code": "own_comment"}
    assert not Vote.objects.exists()


def test_voting_on_a_hidden_or_unknown_comment_is_not_found(comment, reader):
    """Hidden comments and unknown ids answer 404 in the one error shape."""
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HIDDEN)
    client = client_for(reader)

    for url in (vote_url(comment), vote_url(comment.pk + 1000)):
        response = client.put(url, {"choice": "agree"}, format="json")
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("payload", [{}, {"choice": "maybe"}, {"choice": 1}, {"choice": None}, ["agree"]])
def test_an_invalid_choice_is_a_field_error(comment, reader, payload):
    """Anything but "agree" or "disagree" is a 400 and no vote."""
    response = client_for(reader).put(vote_url(comment), payload, format="json")

    assert response.status_code == 400
    assert set(response.json()) <= {"choice", "non_field_errors"} and response.json()
    assert not Vote.objects.exists()
