"""Every edit of a comment keeps the text it replaced: moderators read the earlier versions on the
comment's admin page (read-only), readers see only "edited", the author finds them in their data
export, and a report keeps the text as the reporter read it."""

import json

import pytest
from django.urls import reverse

from forum.models import Comment, CommentRevision
from forum.services import edit_comment, save_comment_in_admin
from moderation.models import Report
from moderation.services import report_comment
from tests.api.conftest import client_for
from tests.factories import CommentFactory, EstablishedReaderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(article, reader):
    return CommentFactory(article=article, author=reader, body="First words.", language="en")


def change_url(comment: Comment) -> str:
    return reverse("admin:forum_comment_change", args=[comment.pk])


def test_the_authors_edit_keeps_the_earlier_text(own, reader):
    edit_comment(user=reader, comment=own, body="Second words.")
    edit_comment(user=reader, comment=own, body="日本語で書き直した。")
    own.refresh_from_db()
    assert own.body == "日本語で書き直した。"
    revisions = list(own.revisions.all())  # newest first
    assert [(r.body, r.language) for r in revisions] == [("Second words.", "en"), ("First words.", "en")]
    assert all(r.edited_by == reader and not r.by_moderator for r in revisions)
    assert revisions[0].edited_at == own.edited_at


def test_correcting_only_the_language_or_saving_the_same_words_keeps_no_revision(own, reader):
    edit_comment(user=reader, comment=own, language="ja")
    edit_comment(user=reader, comment=own, body="First words.")
    assert not CommentRevision.objects.exists()


def test_the_edit_page_and_the_api_keep_the_earlier_text(client, own, reader):
    client.force_login(reader)
    assert client.post(reverse("edit_comment", args=[own.pk]), {"body": "From the page."}).status_code == 302
    response = client_for(reader).patch(f"/api/v1/comments/{own.pk}/", {"body": "From the app."}, format="json")
    assert response.status_code == 200, response.content
    assert list(own.revisions.values_list("body", flat=True)) == ["From the page.", "First words."]


def test_a_superusers_rewrite_keeps_the_readers_words(own):
    boss = UserFactory(is_staff=True, is_superuser=True)
    own.body = "Rewritten by staff."
    save_comment_in_admin(editor=boss, comment=own)
    [revision] = own.revisions.all()
    assert (revision.body, revision.edited_by, revision.by_moderator) == ("First words.", boss, True)


def test_readers_see_edited_but_never_the_earlier_text(client, own, reader):
    edit_comment(user=reader, comment=own, body="Second words.")
    page = client.get(own.article.get_absolute_url()).content.decode()
    assert "Second words." in page and "First words." not in page
    answer = client_for().get(f"/api/v1/comments/{own.pk}/").json()
    assert answer["is_edited"] is True and "First words." not in json.dumps(answer)


def test_moderators_read_the_revisions_and_cannot_change_or_delete_them(client, moderator, own, reader):
    edit_comment(user=reader, comment=own, body="Second words.")
    client.force_login(moderator)
    page = client.get(change_url(own)).content.decode()
    assert 'class="comment-revisions"' in page and "First words." in page
    assert 'name="revisions' not in page  # a list to read, no form
    # The revisions have no admin of their own to change or delete them through.
    assert client.get("/admin/forum/commentrevision/").status_code == 404


def test_a_comment_never_reworded_says_so(client, moderator, own):
    client.force_login(moderator)
    page = client.get(change_url(own)).content.decode()
    assert "its text was never changed" in page and 'class="comment-revisions"' not in page


def test_a_superusers_rewrite_shows_by_whom_on_the_comments_page(client, own):
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    own.body = "Rewritten by staff."
    save_comment_in_admin(editor=boss, comment=own)
    client.force_login(boss)
    page = client.get(change_url(own)).content.decode()
    assert "First words." in page and "boss" in page and "(by a moderator)" in page


def test_the_admin_page_reads_the_revisions_in_one_query(client, moderator, article, django_assert_max_num_queries):
    """The same queries for one revision as for ten, each by another editor."""
    few = CommentFactory(article=article)
    many = CommentFactory(article=article)
    CommentRevision.objects.create(comment=few, body="Once.", language="en", edited_by=few.author)
    for number in range(10):
        CommentRevision.objects.create(comment=many, body=f"Version {number}.", language="en", edited_by=UserFactory())
    client.force_login(moderator)
    client.get(change_url(few))  # the session and permissions, once
    with django_assert_max_num_queries(30) as one:
        assert client.get(change_url(few)).status_code == 200
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(change_url(many))
    assert "Version 9." in page.content.decode()


def test_revisions_go_with_the_comment_and_with_the_authors_account(own, reader):
    edit_comment(user=reader, comment=own, body="Second words.")
    other = CommentFactory(article=own.article, author=reader)
    edit_comment(user=reader, comment=other, body="Changed.")
    own.delete()
    assert list(CommentRevision.objects.values_list("comment", flat=True)) == [other.pk]
    reader.delete()
    assert not CommentRevision.objects.exists()


def test_a_moderator_leaving_keeps_the_readers_earlier_text(own):
    boss = UserFactory(is_staff=True, is_superuser=True)
    own.body = "Rewritten by staff."
    save_comment_in_admin(editor=boss, comment=own)
    boss.delete()
    revision = own.revisions.get()
    assert (revision.body, revision.edited_by, revision.by_moderator) == ("First words.", None, True)


def test_the_export_holds_the_readers_earlier_texts_and_nobody_elses(client, own, reader):
    edit_comment(user=reader, comment=own, body="Second words.")
    others = CommentFactory(article=own.article, body="Theirs.")
    edit_comment(user=others.author, comment=others, body="Theirs, changed.")
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    own.body = "Rewritten by staff."
    save_comment_in_admin(editor=boss, comment=own)
    client.force_login(reader)
    data = client.get(reverse("account_export")).json()
    assert [(r["comment"], r["body"], r["by_moderator"]) for r in data["comment_revisions"]] == [
        (own.pk, "First words.", False),
        (own.pk, "Second words.", True),
    ]
    assert "Theirs." not in json.dumps(data) and "boss" not in json.dumps(data)


def test_a_report_keeps_the_text_as_reported_and_the_queue_shows_it_once_edited(client, moderator, own, reader):
    reporter = EstablishedReaderFactory()
    report_comment(reporter=reporter, comment=own, reason="abuse")
    assert Report.objects.get().reported_body == "First words."
    client.force_login(moderator)
    queue = client.get("/admin/moderation/queueitem/").content.decode()
    assert "The text when reported" not in queue  # unchanged: nothing to compare
    edit_comment(user=reader, comment=own, body="Softer words.")
    queue = client.get("/admin/moderation/queueitem/").content.decode()
    assert "Softer words." in queue and "The text when reported" in queue and "First words." in queue
