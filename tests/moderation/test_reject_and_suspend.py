"""Reject-and-suspend: the comment is rejected and its author suspended, in one decision."""

import pytest
from django.urls import reverse  # noqa: E402

from forum.models import Comment  # noqa: E402
from moderation.models import AuditEntry  # noqa: E402
from moderation.services import reject_and_suspend  # noqa: E402
from tests.factories import CommentFactory, UserFactory  # noqa: E402

pytestmark = pytest.mark.django_db


def test_reject_and_suspend_rejects_and_sanctions_the_author(moderator):
    author = UserFactory()
    comment = CommentFactory(author=author, status=Comment.Status.PENDING)
    outcome = reject_and_suspend(moderator=moderator, comment_ids=[comment.pk], reason="abuse")
    assert [c.pk for c in outcome.decided] == [comment.pk]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {AuditEntry.Action.REJECT, AuditEntry.Action.SANCTION} <= actions


def test_reject_and_suspend_from_the_queue_row(client, moderator):
    comment = CommentFactory(status=Comment.Status.PENDING)
    client.force_login(moderator)
    url = reverse("admin:moderation_queueitem_decide", args=[comment.pk])
    response = client.post(url, {"decision": "reject_suspend", f"reason-{comment.pk}": "spam"}, follow=True)
    assert "rejected and its author suspended" in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SANCTION).exists()
