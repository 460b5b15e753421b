"""Voiding a reader's votes: rows kept and marked, the tally, the reconciliation and
recount_votes leave them out, voting again does not un-void, and it is audited."""

import pytest
from django.urls import reverse

from forum.models import Comment
from moderation.models import AuditEntry
from moderation.vote_voids import void_votes
from tests.factories import CommentFactory, UserFactory
from votes.counting import reconcile_vote_counters, recount_all_votes, tally_comments
from votes.models import Vote
from votes.services import cast_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def spammer(db):
    return UserFactory(username="spammer", country="US")


def counts(comment: Comment) -> tuple[int, int]:
    comment.refresh_from_db()
    return comment.agree_count, comment.disagree_count


def test_void_keeps_the_rows_and_the_tally_leaves_them_out(
    moderator, spammer, article, django_capture_on_commit_callbacks
):
    comments = CommentFactory.create_batch(2, article=article)
    honest = UserFactory()
    for comment in comments:
        cast_vote(user=spammer, comment=comment, choice="agree")
        cast_vote(user=honest, comment=comment, choice="disagree")
    tally_comments(comment_ids=[c.pk for c in comments])
    assert counts(comments[0]) == (1, 1)

    with django_capture_on_commit_callbacks() as callbacks:
        assert void_votes(moderator=moderator, reader=spammer, reason="Spam ring") == 2
    assert callbacks  # the re-tally is sent once the void commits
    assert Vote.objects.filter(user=spammer, voided_at__isnull=False, voided_by=moderator).count() == 2
    assert tally_comments(comment_ids=[c.pk for c in comments]) == 2
    assert [counts(c) for c in comments] == [(0, 1), (0, 1)]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.VOID_VOTES)
    assert (entry.actor, entry.reason, entry.target_id) == (moderator, "Spam ring", str(spammer.pk))


def test_reconciliation_and_recount_honour_voids(moderator, spammer, comment):
    cast_vote(user=spammer, comment=comment, choice="agree")
    tally_comments(comment_ids=[comment.pk])
    void_votes(moderator=moderator, reader=spammer, reason="Spam")
    # No tally task ran (the test has no worker): the reconciliation finds the voided row by its
    # new updated_at and corrects the counter.
    assert reconcile_vote_counters() == 1
    assert counts(comment) == (0, 0)
    Comment.objects.filter(pk=comment.pk).update(agree_count=1)
    summary = recount_all_votes()
    assert summary.wrong == 1
    assert counts(comment) == (0, 0)


def test_voting_again_does_not_unvoid(moderator, spammer, comment):
    cast_vote(user=spammer, comment=comment, choice="agree")
    void_votes(moderator=moderator, reader=spammer, reason="Spam")
    cast_vote(user=spammer, comment=comment, choice="disagree")
    vote = Vote.objects.get(user=spammer)
    assert vote.voided_at is not None and vote.choice == "disagree"
    tally_comments(comment_ids=[comment.pk])
    assert counts(comment) == (0, 0)


def test_voiding_twice_changes_nothing_more(moderator, spammer, comment):
    cast_vote(user=spammer, comment=comment, choice="agree")
    void_votes(moderator=moderator, reader=spammer, reason="Spam")
    first = Vote.objects.get(user=spammer).voided_at
    assert void_votes(moderator=moderator, reader=spammer, reason="Again") == 0
    assert Vote.objects.get(user=spammer).voided_at == first


def test_admin_action_voids_with_a_reason_and_nobody_unvoids_by_hand(client, moderator, spammer, comment):
    cast_vote(user=spammer, comment=comment, choice="agree")
    client.force_login(moderator)
    url = reverse("admin:accounts_user_changelist")
    form = client.post(url, {"action": "void_votes", "_selected_action": [spammer.pk]})
    assert form.status_code == 200 and not Vote.objects.filter(voided_at__isnull=False).exists()
    done = client.post(
        url, {"action": "void_votes", "_selected_action": [spammer.pk], "apply": "1", "reason": "Spam"}, follow=True
    )
    assert "Votes voided for 1 reader" in done.content.decode()
    vote = Vote.objects.get()
    assert vote.voided_at is not None
    # The vote admin offers no change (nor add) to anyone: voids cannot be undone by hand.
    change = client.post(reverse("admin:votes_vote_change", args=[vote.pk]), {"choice": "agree"})
    assert change.status_code == 403
    vote.refresh_from_db()
    assert vote.voided_at is not None


def test_vote_list_shows_and_filters_voided_votes(client, moderator, spammer, comment):
    cast_vote(user=spammer, comment=comment, choice="agree")
    cast_vote(user=UserFactory(), comment=comment, choice="agree")
    void_votes(moderator=moderator, reader=spammer, reason="Spam")
    client.force_login(moderator)
    url = reverse("admin:votes_vote_changelist")
    voided = client.get(url, {"voided_at__isempty": "0"})
    assert voided.status_code == 200
    assert voided.context["cl"].result_count == 1
    assert client.get(url, {"voided_at__isempty": "1"}).context["cl"].result_count == 1
