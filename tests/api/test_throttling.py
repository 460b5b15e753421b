"""Rate limits on posting and voting: per reader and per address, 429 with Retry-After."""

import pytest

from tests.api.conftest import client_for, comments_url, vote_url
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert set(response.json()) == {"detail"}


def test_a_reader_voting_too_fast_gets_429_with_retry_after(rates, comment, reader):
    """The third vote within a minute at 2/min is refused, with how long to wait."""
    rates(vote_user="2/min")
    client = client_for(reader)

    answers = [client.put(vote_url(comment), {"choice": "agree"}, format="json") for _ in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [200, 200]
    _assert_throttled(answers[2])
    assert client_for(UserFactory()).put(vote_url(comment), {"choice": "agree"}, format="json").status_code == 200


def test_one_address_voting_as_many_readers_gets_429(rates, comment):
    """The per-address limit counts every reader from one address, and X-Forwarded-For (no proxy
    configured) does not let a client pick another address."""
    rates(vote_anon="3/min")
    answers = [
        client_for(UserFactory()).put(
            vote_url(comment), {"choice": "agree"}, format="json", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        )
        for n in range(4)
    ]

    assert [answer.status_code for answer in answers[:3]] == [200, 200, 200]
    _assert_throttled(answers[3])


def test_posting_too_fast_gets_429_and_stores_nothing_more(rates, open_article, reader):
    """At 2 comments a minute the third post is refused and not stored."""
    rates(comment_user="2/min")
    client = client_for(reader)

    answers = [client.post(comments_url(open_article), {"body": f"Post {n}"}, format="json") for n in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [201, 201]
    _assert_throttled(answers[2])
    assert open_article.comments.count() == 2


def test_reading_is_not_throttled_by_the_posting_limit(rates, open_article, reader):
    """The comment-posting limit applies to posting only, not to reading the list."""
    rates(comment_user="1/min", comment_anon="1/min")
    CommentFactory(article=open_article)
    client = client_for(reader)

    statuses = {client.get(comments_url(open_article, section="world")).status_code for _ in range(5)}

    assert statuses == {200}
