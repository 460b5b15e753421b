"""DELETE /api/v1/me/ (confirmed with the password) and GET /api/v1/me/export/."""

import pytest
from rest_framework.test import APIClient

from accounts.models import AccountDeletion, User
from forum.models import Comment
from moderation.services import report_comment
from tests.api.conftest import PASSWORD, client_for
from tests.factories import CommentFactory, UserFactory
from tests.faults.helpers import wrong_counters
from votes.counting import reconcile_vote_counters, tally_comments
from votes.models import Vote
from votes.services import cast_vote

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
EXPORT = "/api/v1/me/export/"


@pytest.fixture
def leaving(article):
    reader = UserFactory(username="leaving", country="US")
    CommentFactory(article=article, author=reader, body="Mine.")
    others = CommentFactory.create_batch(2, article=article)
    for comment in others:
        cast_vote(user=reader, comment=comment, choice="agree")
    tally_comments(comment_ids=[c.pk for c in others])
    return reader


def test_delete_me_without_a_password_is_a_400_naming_the_field(leaving):
    response = client_for(leaving).delete(ME, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}
    assert User.objects.filter(pk=leaving.pk).exists()


def test_delete_me_with_a_wrong_password_is_a_403_and_deletes_nothing(leaving):
    response = client_for(leaving).delete(ME, {"password": "guess"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "The password is not right; your account is not deleted."}
    assert User.objects.filter(pk=leaving.pk).exists() and not AccountDeletion.objects.exists()


def test_delete_me_anonymous_is_a_401(anonymous_client):
    assert anonymous_client.delete(ME, {"password": PASSWORD}, format="json").status_code == 401


def test_delete_me_erases_the_reader_ends_the_token_and_counts_their_votes_out(leaving):
    """204; the token answers 401 from then on; comments go; the deletion is recorded as "api"
    without a name; the next reconciliation makes the counters exact."""
    voted_on = list(Vote.objects.filter(user=leaving).values_list("comment_id", flat=True))
    client = client_for(leaving)
    response = client.delete(ME, {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    assert client.get(ME).status_code == 401
    assert not User.objects.filter(username="leaving").exists()
    assert not Comment.objects.filter(body="Mine.").exists()
    assert AccountDeletion.objects.get().via == "api"
    reconcile_vote_counters()
    assert wrong_counters(voted_on) == {}


def test_delete_me_through_the_session_signs_it_out(leaving):
    """The site's own JavaScript may use the session: the session ends with the account."""
    client = APIClient()
    client.force_login(leaving)
    assert client.delete(ME, {"password": PASSWORD}, format="json").status_code == 204
    assert "_auth_user_id" not in client.session


def test_export_returns_the_readers_data(leaving):
    reported = leaving.votes.first().comment
    report_comment(reporter=leaving, comment=reported, reason="off_topic")
    response = client_for(leaving).get(EXPORT)
    assert response.status_code == 200
    data = response.json()
    assert data["profile"]["username"] == "leaving"
    assert [c["body"] for c in data["comments"]] == ["Mine."]
    assert [v["choice"] for v in data["votes"]] == ["agree", "agree"]
    assert [(r["comment"], r["reason"], r["resolved_at"]) for r in data["reports"]] == [
        (reported.pk, "off_topic", None)
    ]
    assert data["sanctions"] == []


def test_export_anonymous_is_a_401(anonymous_client):
    assert anonymous_client.get(EXPORT).status_code == 401
