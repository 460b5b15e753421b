"""The counter backend is chosen in settings: the product tallies from the rows, and the
benchmark's baseline (bench/baseline_counters.py) counts in the request through the same services."""

import pytest

from forum.models import COUNT_FIELDS, Comment
from tests.factories import CommentFactory, UserFactory
from votes.services import cast_vote, retract_vote, toggle_vote

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def counts(comment: Comment) -> tuple[int, ...]:
    return Comment.objects.filter(pk=comment.pk).values_list(*COUNT_FIELDS).get()


def test_the_baseline_backend_keeps_counters_exact_in_the_request(settings):
    settings.VOTES_COUNTER_BACKEND = "bench.baseline_counters.CountInRequest"
    comment = CommentFactory()
    japan, world = UserFactory(country="JP"), UserFactory(country="US")
    cast_vote(user=japan, comment=comment, choice="agree")
    cast_vote(user=world, comment=comment, choice="agree")
    assert counts(comment) == (2, 0, 1, 1, 0, 0), "counted before the request answered"
    assert toggle_vote(user=japan, comment=comment, choice="disagree") == "disagree"
    assert toggle_vote(user=world, comment=comment, choice="agree") is None
    retract_vote(user=world, comment=comment)  # nothing left to take back
    assert counts(comment) == (0, 1, 0, 0, 1, 0)


def test_the_products_backend_leaves_the_counters_to_the_tally(settings):
    comment = CommentFactory()
    cast_vote(user=UserFactory(), comment=comment, choice="agree")
    assert counts(comment) == (0,) * 6, "no counter is written in the request"
