import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from forum.models import Comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.page_script import PageScript
from votes.counting import tally_comment
from votes.models import Vote
from votes.services import VoteNotAllowed, cast_vote, retract_vote, toggle_vote

pytestmark = pytest.mark.django_db


def vote(client, comment, choice):
    return client.post(reverse("vote", args=[comment.pk]), {"choice": choice})


def test_vote_form_records_the_vote_and_returns_to_the_comment(client, reader, comment):
    """A plain form post (no JavaScript) stores the vote and redirects back to the comment."""
    client.force_login(reader)
    response = vote(client, comment, "agree")
    assert response.status_code == 302
    assert response["Location"].endswith(f"{comment.article.get_absolute_url()}#comment-{comment.pk}")
    assert Vote.objects.get(user=reader, comment=comment).choice == "agree"


def test_other_button_switches_and_same_button_takes_it_back(client, reader, comment):
    """agree → disagree switches in place; disagree again retracts; still one row."""
    client.force_login(reader)
    vote(client, comment, "agree")
    vote(client, comment, "disagree")
    assert Vote.objects.get(user=reader, comment=comment).choice == "disagree"
    vote(client, comment, "disagree")
    assert Vote.objects.filter(user=reader, comment=comment).count() == 1
    assert Vote.objects.get(user=reader, comment=comment).choice is None
    tally_comment(comment_id=comment.pk)
    comment.refresh_from_db()
    assert (comment.agree_count, comment.disagree_count) == (0, 0)


def test_the_page_script_votes_through_the_api_with_its_session_and_token(reader, comment):
    """The script PUTs the choice to the API with the page's CSRF token and gets the new choice, the
    counts with its vote and when it was answered; pressed again, it DELETEs the vote."""
    script = PageScript(reader, comment.article)
    body = script.vote(comment.pk, "agree").json()
    assert body["my_vote"] == "agree" and body["comment"] == comment.pk and body["answered_at"]
    assert body["counts"]["agree"] == 1
    body = script.vote(comment.pk, None).json()
    assert body["my_vote"] is None and body["counts"]["agree"] == 0
    assert Vote.objects.get(user=reader, comment=comment).choice is None


def test_the_vote_page_answers_html_whatever_the_script_asks(client, reader, comment):
    """The form's address has one face: asked for JSON, it still redirects back to the comment."""
    client.force_login(reader)
    response = client.post(reverse("vote", args=[comment.pk]), {"choice": "agree"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{comment.pk}")


def test_no_vote_on_your_own_comment(client, reader, article):
    """The author's vote is refused with a clear message, and nothing is stored."""
    own = CommentFactory(article=article, author=reader)
    response = PageScript(reader, article).vote(own.pk, "agree")
    assert response.status_code == 403
    assert response.json()["detail"] == "You cannot vote on your own comment."
    client.force_login(reader)
    follow = client.post(reverse("vote", args=[own.pk]), {"choice": "agree"}, follow=True)
    assert "You cannot vote on your own comment." in follow.content.decode()
    assert not Vote.objects.exists()
    with pytest.raises(VoteNotAllowed):
        cast_vote(user=reader, comment=own, choice="agree")


def test_anonymous_reader_sees_counts_and_is_invited_to_sign_in(client, comment):
    """Signed out: counts are visible, buttons disabled, a sign-in link; a forced post is redirected."""
    page = client.get(comment.article.get_absolute_url()).content.decode()
    assert "Sign in to vote" in page and 'data-count="agree">0<' in page
    response = vote(client, comment, "agree")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    assert (
        client.put(reverse("api_vote", args=[comment.pk]), {"choice": "agree"}, "application/json").status_code == 401
    )
    assert not Vote.objects.exists()


def test_bad_choice_is_a_clear_400_or_a_message(client, reader, comment):
    """A choice other than agree/disagree: the API answers 400 with a field message; the form
    comes back to the comment saying what to choose."""
    response = PageScript(reader, comment.article).vote(comment.pk, "love")
    assert response.status_code == 400 and "choice" in response.json()
    client.force_login(reader)
    page = client.post(reverse("vote", args=[comment.pk]), {"choice": "love"}, follow=True).content.decode()
    assert "Choose agree or disagree." in page
    assert not Vote.objects.exists()


def test_vote_on_hidden_or_missing_comment_is_404(client, reader, comment):
    """Hidden comments and unknown ids cannot be voted on."""
    client.force_login(reader)
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HIDDEN)
    assert vote(client, comment, "agree").status_code == 404
    assert client.post("/comments/999999/vote/", {"choice": "agree"}).status_code == 404


def test_vote_refused_when_discussion_is_closed(reader):
    """Closing comments on an article also freezes its votes."""
    comment = CommentFactory(article=ArticleFactory(comments_open=False))
    with pytest.raises(VoteNotAllowed, match="closed"):
        cast_vote(user=reader, comment=comment, choice="agree")


def test_vote_form_requires_csrf_token(reader, comment):
    """Without the CSRF token the vote is rejected."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    assert vote(client, comment, "agree").status_code == 403
    assert not Vote.objects.exists()


def test_page_shows_the_readers_own_choice_as_pressed(client, reader, comment):
    """The button of the reader's current vote carries aria-pressed="true"."""
    cast_vote(user=reader, comment=comment, choice="disagree")
    client.force_login(reader)
    page = client.get(comment.article.get_absolute_url()).content.decode()
    assert 'value="disagree" class="vote-button disagree" aria-pressed="true"' in page
    assert 'value="agree" class="vote-button agree" aria-pressed="false"' in page


def test_counts_endpoint_returns_stored_counters(client, comment, reader):
    """GET counts answers the tallied numbers the page's script polls for."""
    cast_vote(user=reader, comment=comment, choice="agree")
    tally_comment(comment_id=comment.pk)
    body = json.loads(client.get(reverse("vote_counts", args=[comment.pk])).content)
    assert body["agree"] == 1 and body["agree_world"] == 1 and body["disagree"] == 0 and body["tallied_at"]


def test_retracting_a_vote_that_is_not_there_changes_nothing(reader, comment):
    """retract_vote is idempotent."""
    retract_vote(user=reader, comment=comment)
    assert not Vote.objects.exists()
    assert toggle_vote(user=reader, comment=comment, choice="agree") == "agree"


@pytest.mark.django_db(transaction=True)
def test_one_vote_per_reader_under_concurrent_requests(comment):
    """Twenty threads posting the same reader's vote at once on PostgreSQL leave exactly one row."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency against PostgreSQL")
    reader = UserFactory(country="JP")

    def cast(choice):
        cast_vote(user=reader, comment=comment, choice=choice)
        connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(cast, ["agree", "disagree"] * 10))
    assert Vote.objects.filter(user=reader, comment=comment).count() == 1
    tally_comment(comment_id=comment.pk)
    comment.refresh_from_db()
    assert comment.agree_count + comment.disagree_count == 1


def test_database_rejects_a_second_row_for_the_same_reader_and_comment(reader, comment):
    """The one-vote rule is a database constraint, not only application code."""
    Vote.objects.create(user=reader, comment=comment, choice="agree", region="world", updated_at=comment.created_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(
            user=reader, comment=comment, choice="disagree", region="world", updated_at=comment.created_at
        )
