"""The Moderators group's permission matrix for the moderation desk.

Staff accounts stay out of a moderator's reach whatever the group holds: that is proven by
tests/accounts/test_user_admin.py, which runs with the group as the migrations leave it,
these permissions included (tests/conftest.py's moderators_group re-runs every grant).
"""

import pytest
from django.urls import reverse

from forum.models import Comment
from moderation.models import AuditEntry
from tests.factories import CommentFactory, UserFactory
from votes.models import Vote

pytestmark = pytest.mark.django_db

QUEUE_URL = "/admin/moderation/queueitem/"
EXPECTED = {
    ("forum", "add_article"),
    ("forum", "change_article"),
    ("forum", "view_article"),
    ("forum", "change_comment"),
    ("forum", "view_comment"),
    ("accounts", "change_user"),
    ("accounts", "view_user"),
    ("accounts", "view_accountdeletion"),
    ("votes", "view_vote"),
    ("moderation", "view_queueitem"),
    ("moderation", "change_queueitem"),
    ("moderation", "view_auditentry"),
}


def test_the_group_has_exactly_what_the_desk_needs(moderators_group):
    held = set(moderators_group.permissions.values_list("content_type__app_label", "codename"))
    # Other parts of the desk (sanctions, word lists, voids) add their own; nothing here is missing
    # and nothing of the moderation app beyond these and theirs.
    assert held >= EXPECTED
    mine = {codename for app, codename in held if app == "moderation"}
    assert {"view_queueitem", "change_queueitem", "view_auditentry"} <= mine
    assert not {codename for codename in mine if codename.startswith(("delete_", "add_"))} - {
        "add_wordrule",  # task B's word lists, managed by moderators
        "delete_wordrule",
    }
    assert ("moderation", "change_auditentry") not in held


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def test_a_moderator_can_do_every_queue_action(mod_client):
    page = mod_client.get(QUEUE_URL)
    assert page.status_code == 200
    actions = {value for value, _label in page.context["action_form"].fields["action"].choices if value}
    assert {"approve_selected", "reject_selected", "reject_and_suspend_selected"} <= actions
    assert "delete_selected" not in actions
    for decision, reason in [("approve", ""), ("reject", "spam")]:
        comment = CommentFactory(status=Comment.Status.PENDING)
        url = reverse("admin:moderation_queueitem_decide", args=[comment.pk])
        mod_client.post(url, {"decision": decision, f"reason-{comment.pk}": reason})
        comment.refresh_from_db()
        assert comment.status == ("visible" if decision == "approve" else "hidden")


def test_a_moderator_cannot_add_or_delete_queue_items(mod_client):
    comment = CommentFactory(status=Comment.Status.PENDING)
    assert mod_client.get(f"{QUEUE_URL}add/").status_code == 403
    assert mod_client.post(f"{QUEUE_URL}{comment.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_the_queue_does_not_reword_comments(mod_client):
    comment = CommentFactory(status=Comment.Status.PENDING, body="The reader's words.")
    page = mod_client.get(f"{QUEUE_URL}{comment.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = mod_client.post(f"{QUEUE_URL}{comment.pk}/change/", {"body": "Rewritten.", "status": "visible"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("The reader's words.", "pending")


def test_a_moderator_cannot_edit_the_audit(mod_client):
    entry = AuditEntry.objects.create(action="hide", target_type="forum.comment", target_id="1", target_repr="x")
    assert mod_client.post(f"/admin/moderation/auditentry/{entry.pk}/change/", {"reason": "x"}).status_code == 403
    assert mod_client.post(f"/admin/moderation/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403


def test_votes_are_view_only_for_moderators(mod_client, comment):
    vote = Vote.objects.create(
        comment=comment, user=UserFactory(), choice="agree", region="world", updated_at=comment.created_at
    )
    assert mod_client.get("/admin/votes/vote/").status_code == 200
    change = mod_client.get(f"/admin/votes/vote/{vote.pk}/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert mod_client.post(f"/admin/votes/vote/{vote.pk}/change/", {"choice": "disagree"}).status_code == 403
    assert mod_client.post(f"/admin/votes/vote/{vote.pk}/delete/", {"post": "yes"}).status_code == 403
    vote.refresh_from_db()
    assert vote.choice == "agree"


def test_a_moderator_cannot_open_a_staff_account(mod_client):
    boss = UserFactory(is_staff=True, is_superuser=True)
    assert mod_client.get(f"/admin/accounts/user/{boss.pk}/change/").status_code == 404


@pytest.mark.parametrize("who", ["reader", "staff_without_group"])
def test_others_cannot_reach_the_queue(client, who):
    user = UserFactory(is_staff=(who == "staff_without_group"))
    client.force_login(user)
    comment = CommentFactory(status=Comment.Status.PENDING)
    response = client.get(QUEUE_URL)
    assert response.status_code in (302, 403)
    client.post(reverse("admin:moderation_queueitem_decide", args=[comment.pk]), {"decision": "approve"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
