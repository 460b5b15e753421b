import pytest
from django.urls import reverse

from accounts.models import User
from forum.models import Article, Comment, Section
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def run_action(client, action, comments):
    return client.post(
        reverse("admin:forum_comment_changelist"),
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


def test_moderators_group_has_exactly_the_needed_permissions(moderators_group):
    """The data migrations give the group article, comment, reader and vote rights, a view of
    account deletions, the moderation queue and audit trail, sanctions (view; lifting is
    "change") the word lists, the sign-in lock-outs, editors' picks and badges, only."""
    codenames = set(moderators_group.permissions.values_list("codename", flat=True))
    assert codenames == {
        "add_article",
        "change_article",
        "view_article",
        "change_comment",
        "view_comment",
        "change_user",
        "view_user",
        "view_vote",
        "view_accountdeletion",
        # the disposable e-mail domains that sign-up refuses (accounts/0011)
        "add_disposableemaildomain",
        "change_disposableemaildomain",
        "delete_disposableemaildomain",
        "view_disposableemaildomain",
        # the moderation desk (moderation/0004): decide on the queue, read the audit trail
        "view_queueitem",
        "change_queueitem",
        "view_auditentry",
        "view_sanction",
        "change_sanction",
        "add_wordrule",
        "change_wordrule",
        "delete_wordrule",
        "view_wordrule",
        # sign-in lock-outs (moderation/0008): see and clear them
        "view_accessattempt",
        "delete_accessattempt",
        # editors' picks and readers' badges (moderation/0013)
        "pick_comment",
        "add_badge",
        "change_badge",
        "delete_badge",
        "view_badge",
    }


def test_moderator_hides_and_restores_comments(client, moderator, article):
    """Bulk hide removes comments from the page; restore brings them back."""
    comments = CommentFactory.create_batch(2, article=article, body="Rude remark")
    client.force_login(moderator)
    response = run_action(client, "hide", comments)
    assert "2 comments hidden." in response.content.decode()
    assert set(Comment.objects.values_list("status", flat=True)) == {"hidden"}
    assert "Rude remark" not in client.get(article.get_absolute_url()).content.decode()
    run_action(client, "restore", comments[:1])
    assert Comment.objects.visible().count() == 1


def test_moderator_moves_a_comment_between_sections(client, moderator, article):
    comment = CommentFactory(article=article, author=UserFactory(country="US"))
    client.force_login(moderator)
    run_action(client, "move_to_japan", [comment])
    comment.refresh_from_db()
    assert comment.section == Section.JAPAN


def test_comment_changelist_filters_and_searches(client, moderator, article, django_assert_max_num_queries):
    """Filter by section and status, search by author; the list does not query per row."""
    CommentFactory.create_batch(30, article=article, author=UserFactory(username="someone", country="FR"))
    target = CommentFactory(article=article, author=UserFactory(username="needle", country="JP"), body="Find me")
    client.force_login(moderator)
    url = reverse("admin:forum_comment_changelist")
    with django_assert_max_num_queries(12):
        page = client.get(url, {"section__exact": "japan", "status__exact": "visible", "q": "needle"})
    assert page.status_code == 200
    assert "Find me" in page.content.decode()
    assert "Comment number" not in page.content.decode()
    assert target.pk


def test_moderator_writes_and_publishes_an_article(client, moderator):
    """Moderators add articles (draft first), then publish and close comments."""
    client.force_login(moderator)
    response = client.post(
        reverse("admin:forum_article_add"),
        {
            "title": "New story",
            "slug": "new-story",
            "dateline": "2026-11-28",
            "body": "Text.\n\n## Sub\n\n- a\n- b",
            "discussion_prompt": "Thoughts?",
            "status": "draft",
            "comments_open": "on",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(slug="new-story")
    assert "<h2>Sub</h2>" in article.body_html and not Article.objects.published().exists()
    client.post(reverse("admin:forum_article_changelist"), {"action": "publish", "_selected_action": [article.pk]})
    client.post(
        reverse("admin:forum_article_changelist"), {"action": "close_comments", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    assert article.status == "published" and article.published_at and not article.comments_open


def test_moderator_cannot_delete_comments_or_grant_powers(client, moderator):
    """No delete right on comments, and staff/superuser fields are read-only for moderators."""
    comment = CommentFactory()
    client.force_login(moderator)
    assert client.get(reverse("admin:forum_comment_delete", args=[comment.pk])).status_code == 403
    reader = UserFactory(username="plain")
    page = client.get(reverse("admin:accounts_user_change", args=[reader.pk])).content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page
    assert 'name="display_name"' in page


def test_readers_cannot_reach_the_admin(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_markdown_body_is_sanitised(moderator):
    """Raw HTML in an article body cannot inject script."""
    article = Article.objects.create(
        title="x", slug="x", dateline="2026-01-01", body="Hi <script>alert(1)</script> [a](javascript:alert(1))"
    )
    assert "<script" not in article.body_html and "javascript:" not in article.body_html
    assert isinstance(User.objects.get(pk=moderator.pk), User)
