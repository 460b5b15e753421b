"""Live counts a shared cache can answer (forum/live.py): one live version per article and period
however many votes arrive, public until the period ends, and a poll interval that follows how
busy the article is."""

import pytest
from django.urls import reverse

from forum.caching import bump_article_version
from forum.live import POLL_HEADER
from tests.conftest import redis_is_the_broker
from tests.factories import CommentFactory, UserFactory
from tests.forum.live_wsgi import LiveWsgi
from votes.counting import tally_comment
from votes.services import cast_vote

pytestmark = pytest.mark.skipif(not redis_is_the_broker(), reason="the shortcut reads the Redis page cache")


@pytest.fixture
def poll(client, article):
    """Polls of one page shape, the way gunicorn sends them (through config.live_shortcut)."""
    comment = CommentFactory(article=article)
    wsgi = LiveWsgi(client)
    path, query = reverse("article_live", args=[article.pk]), f"ids={comment.pk}&after={comment.pk}"

    def send(**headers):
        return wsgi.get(path, query, **headers)

    send.comment, send.wsgi = comment, wsgi
    return send


def test_votes_within_a_period_leave_one_live_version_and_the_next_period_shows_them(
    poll, live_clock, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """Ten tallied votes in one period change the content version ten times, and the live answer
    not once: every poller of the period is told the same; the next period counts all ten."""
    first = poll()
    for voter in UserFactory.create_batch(10, country="JP"):
        with django_capture_on_commit_callbacks(execute=True):
            cast_vote(user=voter, comment=poll.comment, choice="agree")
            tally_comment(comment_id=poll.comment.pk)
    with django_assert_num_queries(0):
        same = poll()
        not_modified = poll(if_none_match=first.headers["ETag"])
    assert (same.status, same.headers["ETag"], same.body) == (200, first.headers["ETag"], first.body)
    assert not_modified.status == 304 and not not_modified.by_django

    live_clock.next_period()
    fresh = poll(if_none_match=first.headers["ETag"])
    assert fresh.status == 200 and fresh.headers["ETag"] != first.headers["ETag"]
    assert b'"agree":10' in fresh.body


def test_live_answers_are_public_until_the_period_ends(poll, live_clock, settings):
    """The 200 and the 304, from the view and from the shortcut, may be kept by a shared cache
    until the period ends (nginx reads X-Accel-Expires, any other cache Cache-Control), and
    carry no cookie and nothing that varies with the reader."""
    ends = int(live_clock.now // settings.LIVE_VERSION_SECONDS + 1) * settings.LIVE_VERSION_SECONDS
    by_view = poll()
    by_shortcut = poll()
    not_modified = poll(if_none_match=by_view.headers["ETag"])
    assert by_view.by_django and not by_shortcut.by_django and not_modified.status == 304
    for answer in (by_view, by_shortcut, not_modified):
        assert answer.headers["Cache-Control"] == "public, max-age=1"
        assert answer.headers["X-Accel-Expires"] == f"@{int(ends) - 1}"  # nginx keeps it through that second
        assert answer.headers["ETag"] == by_view.headers["ETag"]
        assert "Set-Cookie" not in answer.headers
        assert "Cookie" not in answer.headers.get("Vary", "")


def test_a_period_without_changes_keeps_the_live_version(poll, live_clock):
    first = poll()
    live_clock.next_period()
    again = poll(if_none_match=first.headers["ETag"])
    assert again.status == 304 and not again.by_django  # the shortcut samples an unchanged article itself


def test_pages_are_told_to_poll_less_often_once_the_article_is_quiet(poll, live_clock, settings):
    """LIVE_POLL_SECONDS while it changes; LIVE_QUIET_POLL_SECONDS after LIVE_QUIET_AFTER_SECONDS
    without a change; busy again from the first change."""
    assert poll().headers[POLL_HEADER] == "3.5"
    live_clock.now += settings.LIVE_QUIET_AFTER_SECONDS / 2
    assert poll().headers[POLL_HEADER] == "3.5"
    live_clock.now += settings.LIVE_QUIET_AFTER_SECONDS / 2
    quiet = poll()
    assert quiet.headers[POLL_HEADER] == "15" and poll(if_none_match=quiet.headers["ETag"]).headers[POLL_HEADER] == "15"
    bump_article_version(poll.comment.article_id)  # a new comment, a tally, an edit ...
    live_clock.next_period()
    assert poll().headers[POLL_HEADER] == "3.5"


def test_an_unknown_article_gets_no_sample(client, db, live_clock):
    """A made-up id is a 404 from the view, every time: nothing is sampled or marked for it."""
    wsgi = LiveWsgi(client)
    path = reverse("article_live", args=[987654])
    assert [wsgi.get(path, "ids=1").status for _ in range(2)] == [404, 404]
    assert wsgi.reached_django == [path, path]
