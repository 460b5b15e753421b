"""Per-section and timed closing: a closed section refuses comments, votes, edits and deletes
(web, API, services), says so on the page; the timed closing runs once per article, audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from forum.caching import article_version
from forum.models import Article, Section
from forum.services import delete_comment, edit_comment, post_comment, set_section_open
from moderation import closing
from moderation.closing import close_old_discussions
from moderation.models import AuditEntry
from tests.api.conftest import client_for
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from votes.services import VoteNotAllowed, cast_vote

pytestmark = pytest.mark.django_db


def close_world(article: Article, actor=None) -> int:
    """Close the world section: as a moderator in the admin does (audited), or as the site."""
    articles = Article.objects.filter(pk=article.pk)
    if actor is None:
        return len(set_section_open(articles=articles, section=Section.WORLD, is_open=False))
    return len(
        closing.set_section_open(
            moderator=actor, articles=articles, section=Section.WORLD, is_open=False, via="admin_action"
        )
    )


def test_a_closed_section_refuses_while_the_other_stays_open(article, reader, japan_reader, moderator):
    world_comment = CommentFactory(article=article, author=UserFactory(country="GB"))
    own = CommentFactory(article=article, author=reader)
    assert close_world(article, moderator) == 1
    article.refresh_from_db()
    with pytest.raises(PermissionDenied, match="Voices from Around the World"):
        post_comment(author=reader, article=article, body="Closed?")
    with pytest.raises(VoteNotAllowed):
        cast_vote(user=japan_reader, comment=world_comment, choice="agree")
    own.article = article
    with pytest.raises(PermissionDenied):
        edit_comment(user=reader, comment=own, body="Changed")
    with pytest.raises(PermissionDenied):
        delete_comment(user=reader, comment=own)
    # Reactions in Japan stays open.
    assert post_comment(author=japan_reader, article=article, body="Still open here").pk
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.details["section"]) == (
        AuditEntry.Action.CLOSE_SECTION,
        moderator,
        "world",
    )


def test_closing_bumps_the_version_and_twice_changes_nothing(article, moderator, django_capture_on_commit_callbacks):
    before = article_version(article.pk)
    with django_capture_on_commit_callbacks(execute=True):
        close_world(article, moderator)
    assert article_version(article.pk) > before
    assert close_world(article, moderator) == 0
    assert AuditEntry.objects.count() == 1


def test_api_refuses_in_a_closed_section(article, reader):
    comment = CommentFactory(article=article, author=UserFactory(country="GB"))
    close_world(article)
    api = client_for(reader)
    assert api.post(reverse("api_comments", args=[article.slug]), {"body": "x"}, format="json").status_code == 403
    assert api.put(reverse("api_vote", args=[comment.pk]), {"choice": "agree"}, format="json").status_code == 403


def test_page_says_the_section_is_closed_and_disables_its_form_and_buttons(client, article, reader, japan_reader):
    CommentFactory(article=article, author=UserFactory(country="GB"), body="World comment")
    close_world(article)
    client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "This section is closed: no new comments or votes." in page
    assert "Your section of this discussion is closed." in page
    assert '<textarea name="body"' in page and "disabled" in page.split('<textarea name="body"')[1].split(">")[0]
    client.force_login(japan_reader)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Your section of this discussion is closed." not in page
    world_votes = page.split('id="section-world"')[1]
    assert 'value="agree" class="vote-button agree" aria-pressed="false" disabled' in world_votes


def test_admin_section_actions_confirm_what_they_did(client, moderator, article):
    client.force_login(moderator)
    url = reverse("admin:forum_article_changelist")
    done = client.post(url, {"action": "close_japan", "_selected_action": [article.pk]}, follow=True)
    assert "“Reactions in Japan” closed on 1 article." in done.content.decode()
    article.refresh_from_db()
    assert (article.japan_open, article.world_open) == (False, True)
    done = client.post(url, {"action": "open_japan", "_selected_action": [article.pk]}, follow=True)
    assert "“Reactions in Japan” opened on 1 article." in done.content.decode()
    done = client.post(url, {"action": "close_comments", "_selected_action": [article.pk]}, follow=True)
    assert "Comments closed on 1 article." in done.content.decode()
    done = client.post(url, {"action": "open_comments", "_selected_action": [article.pk]}, follow=True)
    assert "Comments opened on 1 article." in done.content.decode()


def test_timed_closing_closes_old_discussions_once(settings, django_capture_on_commit_callbacks):
    settings.FORUM_COMMENTS_CLOSE_AFTER_DAYS = 14
    old = ArticleFactory(published_at=timezone.now() - timedelta(days=15))
    fresh = ArticleFactory(published_at=timezone.now() - timedelta(days=13))
    before = article_version(old.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert close_old_discussions() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.comments_open, fresh.comments_open) == (False, True)
    assert article_version(old.pk) > before
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id) == (None, AuditEntry.Action.CLOSE, str(old.pk))
    assert (entry.reason_code, entry.reason_params) == ("timed", {"days": 14})
    # Idempotent, and a moderator who reopens is not overruled by the next run.
    assert close_old_discussions() == 0
    Article.objects.filter(pk=old.pk).update(comments_open=True)
    assert close_old_discussions() == 0
    old.refresh_from_db()
    assert old.comments_open


def test_timed_closing_off_with_zero(settings):
    settings.FORUM_COMMENTS_CLOSE_AFTER_DAYS = 0
    ArticleFactory(published_at=timezone.now() - timedelta(days=400))
    assert close_old_discussions() == 0


def test_the_beat_task_runs_it(settings):
    from moderation.tasks import close_old_discussions as task

    settings.FORUM_COMMENTS_CLOSE_AFTER_DAYS = 1
    ArticleFactory(published_at=timezone.now() - timedelta(days=2))
    assert task.apply().get() == 1
    assert "moderation.tasks.close_old_discussions" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
