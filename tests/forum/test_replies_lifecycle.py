"""A thread's lifecycle in the services: a comment deleted while it has visible replies stays as
a placeholder that takes nothing more, the last reply deleted takes the placeholder with it, a
thread follows its parent out of view and back, and a thread moves with its parent."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from forum import services
from forum.models import Comment, CommentRevision, Section
from forum.services import COMMENT_DELETED, delete_refusal, edit_refusal, reply_refusal, report_refusal
from moderation import staff_edits
from tests.factories import CommentFactory, UserFactory
from votes.models import Vote
from votes.selectors import comment_to_vote_on
from votes.services import cast_vote, vote_refusal

pytestmark = pytest.mark.django_db


def _reply(comment, author=None, body="A reply.") -> Comment:
    author = author or UserFactory(country="GB")
    return services.post_comment(author=author, article=comment.article, body=body, answering=comment)


def test_deleting_a_comment_with_replies_keeps_a_placeholder_without_its_words_or_votes(comment):
    """Its text, earlier texts and votes go; the row, its thread and the replies stay."""
    services.edit_comment(user=comment.author, comment=comment, body="Reworded once.")
    reply = _reply(comment)
    cast_vote(user=UserFactory(), comment=comment, choice="agree")

    services.delete_comment(user=comment.author, comment=comment)

    comment.refresh_from_db()
    assert comment.is_placeholder and comment.body == "" and comment.status == Comment.Status.VISIBLE
    assert not Vote.objects.filter(comment=comment).exists()
    assert not CommentRevision.objects.filter(comment=comment).exists()
    assert Comment.objects.readable().filter(pk=reply.pk).exists()


def test_a_comment_whose_replies_nobody_can_see_is_deleted_with_them(comment):
    """Only a pending reply: nothing for a reader to lose, so the comment goes as before."""
    pending = CommentFactory(article=comment.article, parent=comment, reply_to=comment, status="pending")

    services.delete_comment(user=comment.author, comment=comment)

    assert not Comment.objects.filter(pk__in=[comment.pk, pending.pk]).exists()


def test_the_last_reply_deleted_takes_the_placeholder_with_it(comment):
    first, second = _reply(comment), _reply(comment)
    services.delete_comment(user=comment.author, comment=comment)

    services.delete_comment(user=first.author, comment=first)
    assert Comment.objects.filter(pk=comment.pk).exists(), "a reply is still there"
    services.delete_comment(user=second.author, comment=second)

    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_deleting_a_reply_of_a_living_comment_leaves_the_comment(comment):
    reply = _reply(comment)
    services.delete_comment(user=reply.author, comment=reply)
    comment.refresh_from_db()
    assert not comment.is_placeholder and comment.body


def test_every_rule_refuses_a_placeholder(comment):
    """One rule per action, each with the same code: no vote, edit, report, reply or deletion."""
    _reply(comment)
    services.delete_comment(user=comment.author, comment=comment)
    comment.refresh_from_db()
    reader = UserFactory()

    assert vote_refusal(user=reader, comment=comment).code == "not_open_for_votes"
    assert comment_to_vote_on(comment.pk).is_placeholder  # the vote's one statement reads it too
    for refusal in (
        edit_refusal(user=comment.author, comment=comment),
        delete_refusal(user=comment.author, comment=comment),
        report_refusal(user=reader, comment=comment),
        reply_refusal(user=reader, comment=comment),
    ):
        assert refusal.code == COMMENT_DELETED
    with pytest.raises(PermissionDenied):
        services.post_comment(author=reader, article=comment.article, body="Hello?", answering=comment)


@pytest.mark.parametrize("status", [Comment.Status.HIDDEN, Comment.Status.HELD, Comment.Status.PENDING])
def test_a_thread_is_unreadable_while_its_parent_is_out_of_view_and_back_after(comment, status):
    """readable() and the vote's own statement agree: a reply under a parent out of view is not
    readable, and is again once the parent is visible."""
    reply = _reply(comment)

    services.set_comment_status(comments=[comment], status=status)
    assert not Comment.objects.readable().filter(pk=reply.pk).exists()
    with pytest.raises(Http404):
        comment_to_vote_on(reply.pk)
    with pytest.raises(PermissionDenied):
        reply = Comment.objects.get(pk=reply.pk)  # as a request reads it: its parent as it is now
        services.post_comment(author=UserFactory(), article=comment.article, body="Hm.", answering=reply)

    services.set_comment_status(comments=[comment], status=Comment.Status.VISIBLE)
    assert Comment.objects.readable().filter(pk=reply.pk).exists()
    assert comment_to_vote_on(reply.pk).pk == reply.pk


def test_the_sorts_still_read_their_partial_indexes(comment):
    """The thread condition costs the top-level sorts nothing: PostgreSQL still reads the
    section's page through the newest sort's partial index."""
    from forum.selectors import section_comments

    plan = section_comments(article=comment.article, section=comment.section)[:20].explain()
    assert "comment_newest_idx" in plan, plan


def test_a_thread_moves_with_its_parent_and_a_reply_does_not_move_alone(article):
    """A thread lives in its parent's section: moving the parent moves its replies, each keeping
    its byline (a world reader's reply stays signed in Japan); a reply selected alone stays."""
    parent = CommentFactory(article=article, author=UserFactory(country="GB"))
    reply = _reply(parent, UserFactory(country="DE"))

    assert services.move_comments(comments=Comment.objects.filter(pk=reply.pk), section=Section.JAPAN) == 0
    reply.refresh_from_db()
    assert reply.section == Section.WORLD

    services.move_comments(comments=Comment.objects.filter(pk=parent.pk), section=Section.JAPAN)
    parent.refresh_from_db()
    reply.refresh_from_db()
    assert (parent.section, parent.signed) == (Section.JAPAN, False)
    assert (reply.section, reply.signed) == (Section.JAPAN, True)


def test_staff_deleting_a_placeholders_last_reply_takes_the_placeholder_too(comment):
    """As when the reply's author deletes it: nothing of the thread is left to read."""
    reply = _reply(comment)
    services.delete_comment(user=comment.author, comment=comment)

    staff_edits.delete_comments(editor=UserFactory(is_staff=True, is_superuser=True), comments=[reply])

    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_staff_moving_a_thread_audits_its_comment_only(article):
    parent = CommentFactory(article=article, author=UserFactory(country="GB"))
    reply = _reply(parent)
    staff = UserFactory(is_staff=True, is_superuser=True)

    moved = staff_edits.move_comments(
        moderator=staff, comments=Comment.objects.filter(pk__in=[parent.pk, reply.pk]), section=Section.JAPAN
    )

    assert moved == 1
    assert Comment.objects.filter(pk__in=[parent.pk, reply.pk], section=Section.JAPAN).count() == 2


def test_reading_a_whole_article_agrees_with_reading_comment_by_comment(article):
    """readable(article=) reads the threads' parents once; it must keep the same comments as the
    lookup per reply: a reply under a held parent is left out either way."""
    shown, held = CommentFactory(article=article), CommentFactory(article=article)
    replies = [_reply(shown), _reply(held)]
    services.set_comment_status(comments=[held], status=Comment.Status.HELD)
    CommentFactory()  # another article's

    whole = set(Comment.objects.readable(article=article).values_list("pk", flat=True))

    assert whole == set(Comment.objects.readable().filter(article=article).values_list("pk", flat=True))
    assert whole == {shown.pk, replies[0].pk}
