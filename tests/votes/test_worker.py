"""A real Celery worker process, fed by the real broker, tallies votes cast through the web endpoint."""

import pytest
from django.urls import reverse

from forum.models import Comment
from tests.factories import CommentFactory, UserFactory
from tests.processes import wait_for
from votes.models import Vote

# slow: a real worker process (make test runs it, in both runs; make test-fast does not)
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded, pytest.mark.slow]


def counters(comment_id: int) -> tuple[int, int, int, int]:
    c = Comment.objects.get(pk=comment_id)
    return c.agree_count, c.disagree_count, c.agree_japan_count, c.disagree_world_count


def test_worker_tallies_votes_cast_through_the_web(client, celery_worker):
    """Votes posted to /comments/<id>/vote/ show in the counters once the worker has run the tally."""
    comment = CommentFactory(author=UserFactory(country="GB"))
    japan = UserFactory.create_batch(3, country="JP")
    world = UserFactory.create_batch(2, country="US")
    for user in japan:
        client.force_login(user)
        assert client.post(reverse("vote", args=[comment.pk]), {"choice": "agree"}).status_code == 302
    for user in world:
        client.force_login(user)
        client.post(reverse("vote", args=[comment.pk]), {"choice": "disagree"})
    assert Vote.objects.filter(comment=comment).count() == 5  # stored before the request answered
    wait_for(lambda: counters(comment.pk) == (3, 2, 3, 2), timeout=20, what="the worker's tally")

    # Switching and retracting are tallied the same way.
    client.force_login(japan[0])
    client.post(reverse("vote", args=[comment.pk]), {"choice": "disagree"})
    client.force_login(world[0])
    client.post(reverse("vote", args=[comment.pk]), {"choice": "disagree"})
    wait_for(lambda: counters(comment.pk)[:2] == (2, 2), timeout=20, what="the tally after switching")
    assert "succeeded" in celery_worker.log()
