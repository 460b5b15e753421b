"""The moderation queue: what is in it, decisions on it (one by one, in bulk, two moderators at
once), and the admin page, whose query count does not grow with the queue."""

import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment
from moderation import selectors
from moderation.models import AuditEntry, Decision, Report
from moderation.services import approve_comments, reject_comments, report_comment
from tests.factories import ArticleFactory, CommentFactory, EstablishedReaderFactory, UserFactory

QUEUE_URL = "/admin/moderation/queueitem/"


def in_queue() -> set[int]:
    return set(selectors.queue().values_list("pk", flat=True))


def reported(comment, times=1, reason="spam"):
    for _ in range(times):
        report_comment(reporter=EstablishedReaderFactory(), comment=comment, reason=reason)
    return comment


@pytest.mark.django_db
def test_what_awaits_a_decision(settings):
    settings.REPORTS_TO_HOLD = 3
    plain = CommentFactory()
    once = reported(CommentFactory())
    held = CommentFactory(status=Comment.Status.HELD)
    pending = CommentFactory(status=Comment.Status.PENDING)
    flagged = CommentFactory(unusual_voting_at=timezone.now())
    hidden_reported = reported(CommentFactory())
    Comment.objects.filter(pk=hidden_reported.pk).update(status=Comment.Status.HIDDEN)
    assert plain.pk not in in_queue()
    assert in_queue() == {once.pk, held.pk, pending.pk, flagged.pk}


@pytest.mark.django_db
def test_counts_and_reasons_of_open_reports(settings):
    settings.REPORTS_TO_HOLD = 10
    comment = CommentFactory()
    reported(comment, 2, "spam")
    reported(comment, 1, "hate")
    item = selectors.with_open_reports(selectors.queue()).get(pk=comment.pk)
    assert item.open_report_count == 3
    assert selectors.report_reasons(item) == ["Spam (2)", "Hate (1)"]


@pytest.mark.django_db
def test_approve_shows_it_and_clears_reports_and_flags(moderator, settings):
    settings.REPORTS_TO_HOLD = 2
    comment = reported(CommentFactory(unusual_voting_at=timezone.now()), 2)
    outcome = approve_comments(moderator=moderator, comment_ids=[comment.pk])
    assert [c.pk for c in outcome.decided] == [comment.pk]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE and comment.unusual_voting_at is None
    assert not selectors.open_reports().exists()
    assert set(Report.objects.values_list("decision", flat=True)) == {"approved"}
    assert comment.pk not in in_queue()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.APPROVE)
    assert entry.actor == moderator and entry.target_id == str(comment.pk)


@pytest.mark.django_db
def test_reject_hides_it_with_the_reason_and_emails_the_author(moderator, django_capture_on_commit_callbacks):
    author = UserFactory(email="author@example.com")
    comment = CommentFactory(author=author, status=Comment.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        reject_comments(moderator=moderator, comment_ids=[comment.pk], reason="hate")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    decision = Decision.objects.get()
    assert (decision.outcome, decision.reason, decision.moderator) == ("rejected", "hate", moderator)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REJECT)
    assert (entry.reason_code, entry.reason_params, entry.reason) == ("reject_reason", {"reason": "hate"}, "")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["author@example.com"]
    assert "Hate speech" in mail.outbox[0].body


@pytest.mark.django_db
def test_no_email_without_an_address(moderator, django_capture_on_commit_callbacks):
    comment = CommentFactory(author=UserFactory(email=""), status=Comment.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        reject_comments(moderator=moderator, comment_ids=[comment.pk], reason="spam")
    assert mail.outbox == []


@pytest.mark.django_db
def test_reject_needs_a_reason_from_the_list(moderator):
    comment = CommentFactory(status=Comment.Status.PENDING)
    with pytest.raises(ValueError):
        reject_comments(moderator=moderator, comment_ids=[comment.pk], reason="I dislike it")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


@pytest.mark.django_db
def test_a_decided_item_is_not_decided_again(moderator):
    comment = CommentFactory(status=Comment.Status.HELD)
    approve_comments(moderator=moderator, comment_ids=[comment.pk])
    outcome = reject_comments(moderator=moderator, comment_ids=[comment.pk], reason="spam")
    assert outcome.decided == [] and outcome.already_decided == [comment.pk]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE
    assert Decision.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_moderators_at_once_one_decision(moderators_group):
    """Two real transactions on two connections: the first locks the row and decides; the second
    waits on the lock, then finds the item decided."""
    first, second = (UserFactory(is_staff=True), UserFactory(is_staff=True))
    comment = CommentFactory(status=Comment.Status.HELD)
    reported(comment)
    results = {}
    first_locked = threading.Event()
    release_first = threading.Event()

    from django.db import transaction

    def first_moderator():
        try:
            with transaction.atomic():
                # Hold the transaction open after deciding, until the second moderator is waiting.
                results["first"] = approve_comments(moderator=first, comment_ids=[comment.pk])
                first_locked.set()
                release_first.wait(10)
        finally:
            connection.close()

    def second_moderator():
        try:
            first_locked.wait(10)
            results["second"] = reject_comments(moderator=second, comment_ids=[comment.pk], reason="spam")
        finally:
            connection.close()

    threads = [threading.Thread(target=first_moderator), threading.Thread(target=second_moderator)]
    for thread in threads:
        thread.start()
    first_locked.wait(10)
    # Let the first commit only once the second moderator is waiting on its row lock.
    deadline = time.monotonic() + 10
    second_waited = False
    while time.monotonic() < deadline and not second_waited:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            second_waited = cursor.fetchone()[0] > 0
        time.sleep(0.05)
    release_first.set()
    for thread in threads:
        thread.join(20)
    assert [c.pk for c in results["first"].decided] == [comment.pk]
    assert results["second"].decided == [] and results["second"].already_decided == [comment.pk]
    assert Decision.objects.count() == 1
    assert list(AuditEntry.objects.filter(action__in=["approve", "reject"]).values_list("action", flat=True)) == [
        "approve"
    ]
    assert second_waited
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE


# --- The admin page -----------------------------------------------------------------------------


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.mark.django_db
def test_the_queue_page_lists_rows_with_buttons(mod_client, settings):
    settings.REPORTS_TO_HOLD = 5
    comment = reported(CommentFactory(body="Buy cheap watches here"), 2, "spam")
    CommentFactory(body="Nothing wrong with this one")
    page = mod_client.get(QUEUE_URL).content.decode()
    assert "Buy cheap watches here" in page
    assert "Nothing wrong with this one" not in page
    assert "Spam (2)" in page
    assert reverse("admin:moderation_queueitem_decide", args=[comment.pk]) in page
    assert comment.article.title in page and str(comment.author) in page


@pytest.mark.django_db
def test_the_queue_filters_by_article_and_section_and_sorts(mod_client, settings):
    settings.REPORTS_TO_HOLD = 10
    one, other = ArticleFactory(), ArticleFactory()
    a = reported(CommentFactory(article=one, body="first article comment"), 1)
    b = reported(CommentFactory(article=other, body="second article comment"), 3)
    page = mod_client.get(QUEUE_URL, {"article__id__exact": one.pk}).content.decode()
    assert "first article comment" in page and "second article comment" not in page
    page = mod_client.get(QUEUE_URL, {"section": "japan"}).content.decode()
    assert "first article comment" not in page  # both are world comments
    # Default: most reported first.
    page = mod_client.get(QUEUE_URL).content.decode()
    assert page.index("second article comment") < page.index("first article comment")
    # Oldest waiting first: column 3 (waiting since), ascending.
    page = mod_client.get(QUEUE_URL, {"o": "3"}).content.decode()
    assert page.index("first article comment") < page.index("second article comment")
    del a, b


@pytest.mark.django_db
def test_one_click_approve_and_reject_from_the_row(mod_client, settings):
    settings.REPORTS_TO_HOLD = 10
    keep = reported(CommentFactory(body="keep me"))
    drop = reported(CommentFactory(body="drop me"))
    url = reverse("admin:moderation_queueitem_decide", args=[keep.pk])
    response = mod_client.post(url, {"decision": "approve"}, follow=True)
    assert "1 comment approved." in response.content.decode()
    url = reverse("admin:moderation_queueitem_decide", args=[drop.pk])
    response = mod_client.post(url, {"decision": "reject", f"reason-{drop.pk}": "off_topic"}, follow=True)
    assert "1 comment rejected." in response.content.decode()
    assert in_queue() == set()
    drop.refresh_from_db()
    assert drop.status == Comment.Status.HIDDEN
    # Again: already decided.
    response = mod_client.post(url, {"decision": "reject", f"reason-{drop.pk}": "spam"}, follow=True)
    assert "already decided by another moderator" in response.content.decode()


@pytest.mark.django_db
def test_reject_without_a_reason_is_refused(mod_client):
    comment = CommentFactory(status=Comment.Status.PENDING)
    url = reverse("admin:moderation_queueitem_decide", args=[comment.pk])
    response = mod_client.post(url, {"decision": "reject", f"reason-{comment.pk}": "nonsense"}, follow=True)
    assert "Choose a reason for rejecting." in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


@pytest.mark.django_db
def test_bulk_actions(mod_client):
    comments = CommentFactory.create_batch(3, status=Comment.Status.PENDING)
    response = mod_client.post(
        QUEUE_URL,
        {"action": "reject_selected", "reason": "spam", "_selected_action": [c.pk for c in comments[:2]]},
        follow=True,
    )
    assert "2 comments rejected." in response.content.decode()
    response = mod_client.post(
        QUEUE_URL, {"action": "approve_selected", "_selected_action": [comments[2].pk]}, follow=True
    )
    assert "1 comment approved." in response.content.decode()
    statuses = sorted(Comment.objects.values_list("status", flat=True))
    assert statuses == ["hidden", "hidden", "visible"]
    assert AuditEntry.objects.filter(action="reject").count() == 2


@pytest.mark.django_db
def test_the_admin_index_leads_to_the_queue(mod_client):
    page = mod_client.get("/admin/").content.decode()
    assert page.index(QUEUE_URL) < page.index("/admin/forum/")


@pytest.mark.django_db
def test_ten_thousand_waiting_items_constant_queries(mod_client, django_assert_max_num_queries, settings):
    settings.REPORTS_TO_HOLD = 100
    article = ArticleFactory()
    author = UserFactory()
    reporters = UserFactory.create_batch(3)
    comments = Comment.objects.bulk_create(
        Comment(article=article, author=author, section="world", body=f"waiting {n}", status=Comment.Status.PENDING)
        for n in range(10_000)
    )
    Report.objects.bulk_create(
        Report(reporter=reporter, comment=comment, reason="spam")
        for comment in comments[:2000]
        for reporter in reporters
    )
    # Sessions, user, permissions, the count, the page, its reports, the filters' choices...:
    # a fixed number, measured once and bounded here, whatever the queue holds.
    with django_assert_max_num_queries(10) as captured:
        response = mod_client.get(QUEUE_URL)
    assert response.status_code == 200
    assert response.content.decode().count('name="decision" value="approve"') == 50
    small = len(captured.captured_queries)
    with django_assert_max_num_queries(small):
        mod_client.get(QUEUE_URL, {"o": "3", "p": "3"})


@pytest.mark.django_db
def test_the_queue_marks_each_comment_with_its_language(mod_client, settings):
    settings.REPORTS_TO_HOLD = 5
    reported(CommentFactory(body="安い時計はこちら", language="ja"), 1)
    reported(CommentFactory(body="Cheap watches here", language="en"), 1)
    page = mod_client.get(QUEUE_URL).content.decode()
    assert '<div class="queue-text" lang="ja">安い時計はこちら</div>' in page
    assert '<div class="queue-text" lang="en">Cheap watches here</div>' in page
