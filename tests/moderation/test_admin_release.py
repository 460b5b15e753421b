"""A held comment released in the admin (its change form, or the Restore action) is a decision
as the queue's Approve is: its open reports are closed and the decision recorded, so it leaves
the queue and only new qualifying reports can hold it again. Before, the release was audited but
the reports stayed open: the comment stayed in the queue, and one more report held it again."""

import pytest
from django.utils import timezone

from forum.models import Comment
from moderation import selectors
from moderation.models import AuditEntry, Decision, Report
from moderation.services import report_comment
from tests.factories import CommentFactory, EstablishedReaderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def held(settings):
    """A comment held by two readers' reports, and flagged for unusual voting as well."""
    settings.REPORTS_TO_HOLD = 2
    comment = CommentFactory(unusual_voting_at=timezone.now())
    reporters = [EstablishedReaderFactory() for _ in range(2)]
    results = [report_comment(reporter=reader, comment=comment, reason="spam") for reader in reporters]
    assert results[-1].held
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    return comment, reporters


def _release_in_form(client, comment: Comment):
    data = {
        "article": comment.article_id,
        "author": comment.author_id,
        "section": comment.section,
        "status": Comment.Status.VISIBLE,
        "body": comment.body,
    }
    return client.post(f"/admin/forum/comment/{comment.pk}/change/", data)


def _release_by_action(client, comment: Comment):
    return client.post("/admin/forum/comment/", {"action": "restore", "_selected_action": [comment.pk]})


@pytest.mark.parametrize("release", [_release_in_form, _release_by_action], ids=["form", "restore_action"])
def test_a_release_in_the_admin_decides_the_comment(mod_client, moderator, held, release):
    comment, reporters = held

    assert release(mod_client, comment).status_code == 302

    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE and comment.unusual_voting_at is None
    assert comment.pk not in set(selectors.queue().values_list("pk", flat=True))
    assert not selectors.open_reports().filter(comment=comment).exists()
    assert set(Report.objects.filter(comment=comment).values_list("decision", flat=True)) == {"approved"}
    decision = Decision.objects.get(comment=comment)
    assert (decision.moderator, decision.outcome) == (moderator, Decision.Outcome.APPROVED)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RELEASE, target_id=str(comment.pk)).count() == 1

    # The reports already decided do not hold it again, nor do their authors reporting again;
    # as many new qualifying reporters as the first hold took do.
    for reader in reporters:
        assert not report_comment(reporter=reader, comment=comment, reason="spam").held
    assert not report_comment(reporter=EstablishedReaderFactory(), comment=comment, reason="spam").held
    assert report_comment(reporter=EstablishedReaderFactory(), comment=comment, reason="spam").held


def test_a_form_save_that_keeps_the_comment_held_decides_nothing(mod_client, held):
    comment, _reporters = held
    data = {
        "article": comment.article_id,
        "author": comment.author_id,
        "section": "japan" if comment.section == "world" else "world",
        "status": Comment.Status.HELD,
        "body": comment.body,
    }
    assert mod_client.post(f"/admin/forum/comment/{comment.pk}/change/", data).status_code == 302
    assert selectors.open_reports().filter(comment=comment).count() == 2
    assert not Decision.objects.exists()
    assert comment.pk in set(selectors.queue().values_list("pk", flat=True))
