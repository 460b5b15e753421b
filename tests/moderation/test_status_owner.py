"""Moderation owns moderators' decisions on comments, and forum the one write of a comment's
status: every decision (the queue's approve and reject, a hold by readers' reports, the admin's
hide and restore and change form) writes it through forum.services.set_comment_status, marks the
article's page as changed, and is audited with an AuditEntry.Action in the same transaction."""

import pytest
from django.db import transaction

from forum.caching import article_version
from forum.models import Comment
from forum.services import set_comment_status
from moderation import staff_edits
from moderation.audit import record
from moderation.models import AuditEntry
from moderation.services import approve_comments, reject_comments, report_comment
from tests.factories import CommentFactory, EstablishedReaderFactory

pytestmark = pytest.mark.django_db


def _held(article) -> Comment:
    return CommentFactory(article=article, status=Comment.Status.HELD)


@pytest.mark.parametrize(
    ("decide", "status", "action"),
    [
        (lambda mod, c: approve_comments(moderator=mod, comment_ids=[c.pk]), "visible", "approve"),
        (lambda mod, c: reject_comments(moderator=mod, comment_ids=[c.pk], reason="spam"), "hidden", "reject"),
        (
            lambda mod, c: staff_edits.hide_comments(moderator=mod, comments=Comment.objects.filter(pk=c.pk)),
            "hidden",
            "hide",
        ),
        (
            lambda mod, c: staff_edits.restore_comments(moderator=mod, comments=Comment.objects.filter(pk=c.pk)),
            "visible",
            "release",
        ),
    ],
    ids=["approve", "reject", "admin-hide", "admin-restore"],
)
def test_each_decision_writes_the_status_bumps_the_page_and_audits(
    moderator, article, decide, status, action, django_capture_on_commit_callbacks
):
    comment = _held(article)
    before = article_version(article.pk)
    with django_capture_on_commit_callbacks(execute=True):
        decide(moderator, comment)
    comment.refresh_from_db()
    assert comment.status == status
    assert article_version(article.pk) > before
    entry = AuditEntry.objects.get(target_id=str(comment.pk))
    assert (entry.action, entry.actor) == (action, moderator)


def test_a_hold_by_reports_is_written_and_audited_with_no_actor(article, settings, django_capture_on_commit_callbacks):
    settings.REPORTS_TO_HOLD = 2
    comment = CommentFactory(article=article)
    before = article_version(article.pk)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            report_comment(reporter=EstablishedReaderFactory(), comment=comment, reason="spam")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert article_version(article.pk) > before
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.reason_params) == (AuditEntry.Action.HOLD, None, {"count": 2})


def test_a_decision_and_its_audit_roll_back_together(moderator, article):
    """The audit is written in the decision's transaction: a failure after it leaves neither."""
    comment = _held(article)
    with pytest.raises(RuntimeError), transaction.atomic():
        approve_comments(moderator=moderator, comment_ids=[comment.pk])
        raise RuntimeError("the request failed after the decision")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert not AuditEntry.objects.exists()


def test_the_status_write_refuses_an_unknown_status(article):
    comment = CommentFactory(article=article)
    with pytest.raises(ValueError, match="unknown comment status"):
        set_comment_status(comments=[comment], status="shadowbanned")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE


def test_the_audit_refuses_an_action_it_does_not_know(moderator, article):
    """Actions are AuditEntry.Action members: a misspelt name fails instead of adding a new kind."""
    comment = CommentFactory(article=article)
    with pytest.raises(ValueError):
        record(actor=moderator, action="hid", targets=[comment])
    assert not AuditEntry.objects.exists()
