"""Every decision is audited, the forum admin's own actions included, and shows in History; the
trail is append-only in the admin, for superusers too."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from forum.models import Article, Comment
from moderation.models import AuditEntry
from moderation.services import reject_comments
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.mark.parametrize(
    ("action", "audited"),
    [("hide", "hide"), ("restore", "restore"), ("move_to_japan", "move"), ("move_to_world", "move")],
)
def test_comment_admin_actions_are_audited(mod_client, moderator, action, audited):
    comments = CommentFactory.create_batch(2)
    response = mod_client.post(
        "/admin/forum/comment/", {"action": action, "_selected_action": [c.pk for c in comments]}, follow=True
    )
    assert response.status_code == 200
    entries = AuditEntry.objects.filter(action=audited, actor=moderator)
    assert sorted(entries.values_list("target_id", flat=True)) == sorted(str(c.pk) for c in comments)
    # And in the object's History.
    history = mod_client.get(f"/admin/forum/comment/{comments[0].pk}/history/").content.decode()
    assert "doesn’t have a change history" not in history
    assert str(AuditEntry.Action(audited).label) in history


@pytest.mark.parametrize(
    ("action", "audited", "is_open"), [("close_comments", "close", False), ("open_comments", "open", True)]
)
def test_article_close_and_open_are_audited_and_confirmed(mod_client, moderator, action, audited, is_open):
    article = ArticleFactory(comments_open=not is_open)
    response = mod_client.post(
        "/admin/forum/article/", {"action": action, "_selected_action": [article.pk]}, follow=True
    )
    page = response.content.decode()
    assert ("Comments closed on 1 article." if not is_open else "Comments opened on 1 article.") in page
    article.refresh_from_db()
    assert article.comments_open is is_open
    entry = AuditEntry.objects.get(action=audited)
    assert entry.actor == moderator and entry.target_type == "forum.article"
    log = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(Article), object_id=str(article.pk))
    assert log.user == moderator


def test_closing_from_the_article_form_is_audited(admin_client):
    article = ArticleFactory(comments_open=True)
    data = {
        "title": article.title,
        "slug": article.slug,
        "dateline": article.dateline.isoformat(),
        "body": article.body,
        "discussion_prompt": article.discussion_prompt,
        "status": article.status,
        "published_at_0": "2026-01-01",
        "published_at_1": "00:00:00",
    }  # comments_open unchecked
    response = admin_client.post(f"/admin/forum/article/{article.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditEntry.objects.filter(action="close", target_id=str(article.pk)).exists()


def test_queue_decisions_show_in_history(mod_client, moderator):
    comment = CommentFactory(status=Comment.Status.PENDING)
    reject_comments(moderator=moderator, comment_ids=[comment.pk], reason="spam")
    history = mod_client.get(f"/admin/forum/comment/{comment.pk}/history/").content.decode()
    assert "Rejected: Spam or advertising" in history


@pytest.fixture
def entry(moderator):
    comment = CommentFactory(status=Comment.Status.PENDING)
    return reject_comments(moderator=moderator, comment_ids=[comment.pk], reason="spam") and AuditEntry.objects.get()


@pytest.mark.parametrize("who", ["superuser", "moderator"])
def test_nobody_edits_or_deletes_the_audit(client, moderator, entry, who):
    user = UserFactory(is_staff=True, is_superuser=True) if who == "superuser" else moderator
    client.force_login(user)
    base = "/admin/moderation/auditentry/"
    assert client.get(base).status_code == 200
    # The change page shows the entry read-only: no form to save.
    detail = client.get(f"{base}{entry.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.post(f"{base}{entry.pk}/change/", {"reason": "rewritten"}).status_code == 403
    assert client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    response = client.post(base, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert response.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.reason == "Spam or advertising"
    assert AuditEntry.objects.count() == 1


def test_the_audit_filters_by_moderator_action_and_date(mod_client, moderator, entry):
    other = UserFactory(is_staff=True, username="other-mod")
    AuditEntry.objects.create(actor=other, action="hide", target_type="forum.comment", target_id="1", target_repr="x")
    base = "/admin/moderation/auditentry/"
    page = mod_client.get(base).content.decode()
    assert "other-mod" in page and "?actor=none" in page
    only_mine = mod_client.get(base, {"actor": moderator.pk}).context["cl"].result_list
    assert [e.pk for e in only_mine] == [entry.pk]
    rejects = mod_client.get(base, {"action__exact": "reject"}).context["cl"].result_list
    assert [e.pk for e in rejects] == [entry.pk]
    today = entry.created_at
    dated = mod_client.get(base, {"created_at__year": today.year, "created_at__month": today.month}).context["cl"]
    assert dated.result_count == 2
