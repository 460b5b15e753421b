"""Every decision is audited, the forum admin's own actions included, and shows in History; the
trail is append-only in the admin, for superusers too."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from rest_framework.authtoken.models import Token

from forum.models import Article, Comment
from moderation import closing
from moderation.audit import what_text
from moderation.models import AuditEntry
from moderation.services import reject_comments, report_comment
from tests.factories import ArticleFactory, CommentFactory, EstablishedReaderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.mark.parametrize(
    ("action", "audited", "before"),
    [
        ("hide", "hide", {}),
        ("restore", "restore", {"status": Comment.Status.HIDDEN}),
        ("move_to_japan", "move", {}),
        ("move_to_world", "move", {"section": "japan"}),
    ],
)
def test_comment_admin_actions_are_audited(mod_client, moderator, action, audited, before):
    comments = CommentFactory.create_batch(2, **before)
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
    assert (entry.reason_code, entry.reason_params) == ("reject_reason", {"reason": "spam"})
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


# --- Reasons stored as codes, worded in the viewer's language ---------------------------------


def audit_page(client, language: str) -> str:
    return client.get("/admin/moderation/auditentry/", HTTP_ACCEPT_LANGUAGE=language).content.decode()


@pytest.mark.parametrize(
    ("language", "held", "timed", "section"),
    [
        ("en", "Reported by 3 readers.", "Closed by itself 14 days after publication.", "Reactions in Japan"),
        ("ja", "3人の読者が通報しました。", "公開から14日後に自動で締め切りました。", "日本の反応"),
    ],
)
def test_site_reasons_are_codes_worded_in_the_viewers_language(
    settings, client, moderator, language, held, timed, section
):
    """A hold after reports and a timed closing, recorded while English was active, read in
    the viewer's language; one section's closing names the section, unlike the whole discussion's."""
    settings.REPORTS_TO_HOLD = 3
    settings.FORUM_COMMENTS_CLOSE_AFTER_DAYS = 14
    comment = CommentFactory()
    with translation.override("en"):
        for _ in range(3):
            report_comment(reporter=EstablishedReaderFactory(), comment=comment, reason="spam")
        ArticleFactory(published_at=comment.article.published_at - timedelta(days=20))
        closing.close_old_discussions()
        closing.set_section_open(
            moderator=moderator,
            articles=Article.objects.filter(pk=comment.article_id),
            section="japan",
            is_open=False,
            via="admin_action",
        )
    hold = AuditEntry.objects.get(action="hold")
    assert (hold.reason_code, hold.reason_params, hold.reason) == ("reported", {"count": 3}, "")
    client.force_login(moderator)
    page = audit_page(client, language)
    assert held in page and timed in page and section in page
    assert "Reported by" not in page if language == "ja" else "人の読者" not in page
    with translation.override(language):
        section_entry = AuditEntry.objects.get(action="close_section")
        timed_entry = AuditEntry.objects.get(action="close")
        assert what_text(section_entry) != what_text(timed_entry)
        assert section in what_text(section_entry) and section not in what_text(timed_entry)


def test_history_words_the_audit_in_the_viewers_language(mod_client, moderator):
    comment = CommentFactory(status=Comment.Status.PENDING)
    reject_comments(moderator=moderator, comment_ids=[comment.pk], reason="spam")
    url = f"/admin/forum/comment/{comment.pk}/history/"
    assert "Rejected: Spam or advertising" in mod_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    japanese = mod_client.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "スパム・宣伝" in japanese and "Spam or advertising" not in japanese


def test_closing_the_article_and_one_section_read_differently(mod_client, moderator):
    """Newsroom 6: the whole discussion and one section, by action, form and list, each say
    what closed and how."""
    article = ArticleFactory()
    base = "/admin/forum/article/"
    mod_client.post(base, {"action": "close_world", "_selected_action": [article.pk]}, follow=True)
    mod_client.post(base, {"action": "close_comments", "_selected_action": [article.pk]}, follow=True)
    entries = {entry.action: entry for entry in AuditEntry.objects.all()}
    assert set(entries) == {"close_section", "close"}
    assert entries["close_section"].details == {"section": "world"}
    assert entries["close"].reason_code == entries["close_section"].reason_code == "admin_action"
    page = audit_page(mod_client, "ja")
    assert "世界の声" in page and "Voices from Around the World" not in page


# --- Old entries: recognised text becomes a code, the rest stays as written -------------------


def test_old_entries_are_migrated_to_codes_where_recognised(moderator):
    migration = importlib.import_module("moderation.migrations.0010_audit_reasons_as_codes")
    rows = {
        "held_en": ("hold", "Reported by 3 readers.", {}),
        "held_ja": ("hold", "5人の読者が通報しました。", {}),
        "timed_ja": ("close", "公開から14日後に自動で締め切りました。", {"timed": True, "days": 14}),
        "reject": ("reject", "スパム・宣伝", {"reason": "spam"}),
        "suspend": ("sanction", "Hate speech", {"kind": "suspend"}),
        "typed": ("sanction", "Posted the same link forty times", {"kind": "ban"}),
        "section": ("close", "", {"section": "japan", "section_name": "日本の反応"}),
    }
    for key, (action, reason, details) in rows.items():
        AuditEntry.objects.create(
            action=action, reason=reason, details=details, target_type="x", target_id=key, target_repr=key
        )
    migration.to_codes(apps, None)
    got = {e.target_id: (e.action, e.reason_code, e.reason_params, e.reason) for e in AuditEntry.objects.all()}
    assert got["held_en"] == ("hold", "reported", {"count": 3}, "")
    assert got["held_ja"] == ("hold", "reported", {"count": 5}, "")
    assert got["timed_ja"] == ("close", "timed", {"days": 14}, "")
    assert got["reject"] == ("reject", "reject_reason", {"reason": "spam"}, "")
    assert got["suspend"] == ("sanction", "reject_reason", {"reason": "hate"}, "")
    assert got["typed"] == ("sanction", "", {}, "Posted the same link forty times")  # kept as written
    assert got["section"][:2] == ("close_section", "")
    assert AuditEntry.objects.get(target_id="section").details == {"section": "japan"}


# --- Security 6: the paths that used to leave no entry -----------------------------------------


def comment_form(comment: Comment, **changes) -> dict:
    data = {
        "article": comment.article_id,
        "author": comment.author_id,
        "section": comment.section,
        "status": comment.status,
        "body": comment.body,
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("before", "after", "audited"),
    [("visible", "hidden", "hide"), ("hidden", "visible", "restore"), ("held", "visible", "release")],
)
def test_a_status_changed_in_the_comment_form_is_audited(mod_client, moderator, before, after, audited):
    comment = CommentFactory(status=before)
    response = mod_client.post(f"/admin/forum/comment/{comment.pk}/change/", comment_form(comment, status=after))
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.target_id) == (audited, moderator, str(comment.pk))
    assert entry.details == {"from_status": before, "to_status": after} and entry.reason_code == "admin_form"


def test_a_superusers_rewrite_is_audited_with_the_words_before_and_after(client):
    boss = UserFactory(is_staff=True, is_superuser=True)
    comment = CommentFactory(body="What the reader wrote.")
    client.force_login(boss)
    client.post(f"/admin/forum/comment/{comment.pk}/change/", comment_form(comment, body="What staff wrote."))
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor) == ("rewrite", boss)
    assert entry.details == {"before": "What the reader wrote.", "after": "What staff wrote."}


def user_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "date_joined_0": user.date_joined.astimezone().strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.astimezone().strftime("%H:%M:%S"),
        "display_name": user.display_name,
        "country": str(user.country),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_moderator_deactivating_a_reader_is_audited(mod_client, moderator):
    reader = UserFactory()
    Token.objects.create(user=reader)
    response = mod_client.post(f"/admin/accounts/user/{reader.pk}/change/", user_form(reader, is_active=None))
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.target_id) == ("deactivate", moderator, str(reader.pk))
    assert not Token.objects.filter(user=reader).exists()


def test_a_superuser_changing_a_readers_email_and_date_joined_is_audited_without_the_address(client):
    boss = UserFactory(is_staff=True, is_superuser=True)
    reader = UserFactory(email="old-address@example.org")
    client.force_login(boss)
    response = client.post(
        f"/admin/accounts/user/{reader.pk}/change/",
        user_form(reader, email="new-address@example.org", date_joined_0="2020-01-01", date_joined_1="00:00:00"),
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor) == ("account_changed", boss)
    assert set(entry.details["fields"]) == {"email", "date_joined"}
    assert entry.details["after"]["date_joined"].startswith("2020-01-01")
    assert "address@example.org" not in str(entry.details)  # moderators read the trail


def test_the_trail_lists_in_a_fixed_number_of_queries(mod_client, moderator, django_assert_max_num_queries):
    """Wording an entry reads no rows: the list costs the same for 60 entries of every kind."""
    articles = [ArticleFactory() for _ in range(3)]
    for article in articles:
        closing.set_section_open(
            moderator=moderator,
            articles=Article.objects.filter(pk=article.pk),
            section="world",
            is_open=False,
            via="admin_action",
        )
    comments = CommentFactory.create_batch(20, status=Comment.Status.PENDING)
    reject_comments(moderator=moderator, comment_ids=[c.pk for c in comments], reason="spam")
    with django_assert_max_num_queries(12):
        page = mod_client.get("/admin/moderation/auditentry/", HTTP_ACCEPT_LANGUAGE="ja")
    assert page.context["cl"].result_count == 23 and "スパム・宣伝" in page.content.decode()
