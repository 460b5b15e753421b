"""Counts never contradict the reader's own vote (issue 11 item 3): right after a vote, before any
tally has run (no worker here), the vote's answer, the page the form returns to and the counts the
script polls all include it — for a new vote, a switch and a take-back."""

import re

import pytest
from django.urls import reverse

from forum.models import Comment
from tests.api.conftest import client_for, vote_url
from tests.factories import CommentFactory, UserFactory
from tests.page_script import PageScript
from votes.counting import tally_comment
from votes.selectors import overlay_own_votes
from votes.services import cast_vote

pytestmark = pytest.mark.django_db


def form_vote(client, comment, choice):
    return client.post(reverse("vote", args=[comment.pk]), {"choice": choice})


def shown_counts(client, comment) -> dict[str, int]:
    """The counts the article page shows beside the comment, and the button shown pressed, read
    from the page's HTML (the sections come from the shared page cache with the reader's overlay)."""
    response = client.get(comment.article.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    markup = page[page.index(f'<li class="comment" id="comment-{comment.pk}"') :]
    markup = markup[: markup.index("</li>")]
    counts = {name: int(n) for name, n in re.findall(r'data-count="(\w+)">(\d+)<', markup)}
    pressed = re.findall(r'class="vote-button (agree|disagree)" aria-pressed="true"', markup)
    return {
        "agree": counts["agree"],
        "disagree": counts["disagree"],
        "agree_world": counts["agree_world"],
        "disagree_world": counts["disagree_world"],
        "my_choice": pressed[0] if pressed else None,
    }


def test_page_after_a_form_vote_counts_it_before_any_tally(client, reader, comment):
    """Without JS: vote, follow the redirect, and the count includes the vote."""
    other = UserFactory(country="US")
    cast_vote(user=other, comment=comment, choice="disagree")
    tally_comment(comment_id=comment.pk)
    client.force_login(reader)

    assert form_vote(client, comment, "agree").status_code == 302

    assert Comment.objects.get(pk=comment.pk).agree_count == 0  # nothing tallied it
    assert shown_counts(client, comment) == {
        "agree": 1,
        "disagree": 1,
        "agree_world": 1,
        "disagree_world": 1,
        "my_choice": "agree",
    }


def test_page_after_a_switch_moves_the_readers_vote(client, reader, comment):
    client.force_login(reader)
    form_vote(client, comment, "agree")
    tally_comment(comment_id=comment.pk)

    form_vote(client, comment, "disagree")

    counts = shown_counts(client, comment)
    assert (counts["agree"], counts["disagree"], counts["my_choice"]) == (0, 1, "disagree")
    assert Comment.objects.get(pk=comment.pk).agree_count == 1  # the stored counters still trail


def test_page_after_a_take_back_drops_the_readers_vote(client, reader, comment):
    client.force_login(reader)
    form_vote(client, comment, "agree")
    tally_comment(comment_id=comment.pk)

    form_vote(client, comment, "agree")  # the same button again takes it back

    counts = shown_counts(client, comment)
    assert (counts["agree"], counts["disagree"], counts["my_choice"]) == (0, 0, None)


def test_page_shows_the_stored_counts_once_the_tally_has_the_vote(client, reader, comment):
    """Once tallied, the page reads the stored counters again (no recount per view): a later vote
    by someone else, not yet tallied, is not in them, and the reader's own still is."""
    client.force_login(reader)
    form_vote(client, comment, "agree")
    tally_comment(comment_id=comment.pk)
    cast_vote(user=UserFactory(country="US"), comment=comment, choice="agree")  # not tallied

    counts = shown_counts(client, comment)
    assert (counts["agree"], counts["my_choice"]) == (1, "agree")


def test_the_scripts_answer_and_polled_counts_include_the_vote(reader, comment):
    """With JS: the API's answer's counts include the vote, and so do the counts the script then
    polls; pressing the pressed button takes the vote back (a DELETE)."""
    script = PageScript(reader, comment.article)
    for choice, expected in (("agree", (1, 0)), ("disagree", (0, 1)), (None, (0, 0))):
        body = script.vote(comment.pk, choice).json()
        assert (body["counts"]["agree"], body["counts"]["disagree"]) == expected, choice
        polled = script.client.get(reverse("vote_counts", args=[comment.pk])).json()
        assert (polled["agree"], polled["disagree"]) == expected, choice
    assert Comment.objects.get(pk=comment.pk).tallied_at is None  # no tally ran


def test_polled_counts_for_someone_else_are_the_stored_ones(client, reader, comment):
    cast_vote(user=reader, comment=comment, choice="agree")
    polled = client.get(reverse("vote_counts", args=[comment.pk])).json()
    assert polled["agree"] == 0  # signed out: the stored counters, not yet tallied


def test_api_answer_counts_the_vote_for_agree_switch_and_take_back(reader, japan_reader, comment):
    cast_vote(user=japan_reader, comment=comment, choice="agree")
    tally_comment(comment_id=comment.pk)
    api = client_for(reader)

    agreed = api.put(vote_url(comment), {"choice": "agree"}, format="json").json()["counts"]
    assert (agreed["agree"], agreed["agree_japan"], agreed["agree_world"], agreed["disagree"]) == (2, 1, 1, 0)
    switched = api.put(vote_url(comment), {"choice": "disagree"}, format="json").json()["counts"]
    assert (switched["agree"], switched["disagree"], switched["disagree_world"]) == (1, 1, 1)
    taken_back = api.delete(vote_url(comment)).json()["counts"]
    assert (taken_back["agree"], taken_back["disagree"]) == (1, 0)


def test_overlay_is_two_queries_for_a_page_at_most(reader, article, django_assert_num_queries):
    """One for the reader's votes, and one counting (the tally's breakdown) only if the counts of
    some comment are behind the reader's vote."""
    comments = [CommentFactory(article=article) for _ in range(30)]
    for voted in comments[::3]:
        cast_vote(user=reader, comment=voted, choice="agree")
    tally_comment(comment_id=comments[0].pk)
    page = list(Comment.objects.filter(pk__in=[c.pk for c in comments]))

    with django_assert_num_queries(2):
        choices = overlay_own_votes(user=reader, comments=page)
    with django_assert_num_queries(1):
        assert overlay_own_votes(user=reader, comments=[c for c in page if c.pk == comments[0].pk])

    assert choices == {c.pk: "agree" for c in comments[::3]}
    by_id = {c.pk: c for c in page}
    assert all(by_id[c.pk].agree_count == 1 for c in comments[::3])
    assert all(by_id[c.pk].agree_count == 0 for c in comments if c not in comments[::3])
