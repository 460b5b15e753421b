"""Newsroom issue, item 4: an unusual-voting flag says what tripped it (votes, young accounts,
window), a filter separates flags from reports, and one burst on one article is one queue item.
Through the real tally (votes.counting), the services and the admin's queue."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from forum.models import Comment
from moderation import selectors
from moderation.models import AuditEntry
from moderation.services import report_comment
from tests.factories import ArticleFactory, CommentFactory, EstablishedReaderFactory, UserFactory
from votes.counting import flag_unusual_voting, tally_comments
from votes.models import VoteBurst
from votes.services import cast_vote

pytestmark = pytest.mark.django_db

QUEUE_URL = "/admin/moderation/queueitem/"


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.FORUM_UNUSUAL_VOTES = 3
    settings.FORUM_UNUSUAL_ACCOUNT_AGE_HOURS = 24
    settings.FORUM_UNUSUAL_WINDOW_MINUTES = 10
    settings.REPORTS_TO_HOLD = 10


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def burst(comments, voters: int = 4):
    """``voters`` new accounts vote on every comment; the comments are tallied a batch each, as
    the tally task would over several runs."""
    readers = UserFactory.create_batch(voters)
    for comment in comments:
        for reader in readers:
            cast_vote(user=reader, comment=comment, choice="agree")
    for comment in comments:
        tally_comments(comment_ids=[comment.pk])
    return readers


def decide_urls(page: str, comments) -> int:
    return sum(reverse("admin:moderation_queueitem_decide", args=[c.pk]) in page for c in comments)


def test_one_burst_on_one_article_is_one_item_that_says_what_tripped_it(article, mod_client):
    comments = CommentFactory.create_batch(6, article=article)
    burst(comments, voters=4)
    flagged = VoteBurst.objects.get()
    assert (flagged.article_id, flagged.votes, flagged.young_accounts) == (article.pk, 24, 4)
    assert (flagged.votes_threshold, flagged.account_age_hours, flagged.window_minutes) == (3, 24, 10)
    assert flagged.first_vote_at <= flagged.last_vote_at <= timezone.now()
    assert sorted(flagged.members.values_list("comment_id", flat=True)) == [c.pk for c in comments]

    assert len(selectors.queue()) == 1
    page = mod_client.get(QUEUE_URL).content.decode()
    assert decide_urls(page, comments) == 1
    assert "Unusual voting on 6 comments of this article:" in page
    assert "Unusual voting: 24 votes from 4 accounts younger than 24 hours" in page
    assert "(flagged at 3 such votes on a comment within 10 minutes)" in page
    assert "Approve all 6" in page
    assert "表示中 ¦ —" not in page


def test_bursts_on_two_articles_are_two_items_and_a_later_burst_is_a_new_one(mod_client):
    one, other = ArticleFactory(), ArticleFactory()
    burst(CommentFactory.create_batch(3, article=one))
    burst(CommentFactory.create_batch(3, article=other))
    assert VoteBurst.objects.count() == 2
    assert len(selectors.queue()) == 2
    # An hour later the first burst is over: a new flag on that article is a new burst.
    VoteBurst.objects.update(last_flagged_at=timezone.now() - timedelta(hours=1))
    burst([CommentFactory(article=one)])
    assert VoteBurst.objects.filter(article=one).count() == 2


def test_a_filter_separates_flags_from_reports(article, mod_client):
    flagged = CommentFactory.create_batch(3, article=article, body="Voted on by a burst")
    burst(flagged)
    reported = CommentFactory(article=article, body="Reported by a reader")
    report_comment(reporter=EstablishedReaderFactory(), comment=reported, reason="spam")
    flags = mod_client.get(QUEUE_URL, {"why": "unusual_voting"}).content.decode()
    assert decide_urls(flags, flagged) == 1 and "Reported by a reader" not in flags
    reports = mod_client.get(QUEUE_URL, {"why": "reports"}).content.decode()
    assert decide_urls(reports, flagged) == 0 and "Reported by a reader" in reports


def test_a_reported_comment_of_a_burst_stays_its_own_item(article, mod_client):
    comments = CommentFactory.create_batch(3, article=article)
    burst(comments)
    report_comment(reporter=EstablishedReaderFactory(), comment=comments[0], reason="spam")
    # The reported one on its own, the two others as the burst's item.
    assert {item.pk for item in selectors.queue()} == {comments[0].pk, comments[1].pk}
    page = mod_client.get(QUEUE_URL).content.decode()
    assert "Unusual voting on 2 comments of this article:" in page
    assert "This comment: 4 such votes." in page  # the reported one's own row


def test_approve_all_decides_the_bursts_comments_together(article, mod_client, moderator):
    comments = CommentFactory.create_batch(5, article=article)
    burst(comments)
    lead = selectors.queue().get()
    response = mod_client.post(
        reverse("admin:moderation_queueitem_decide", args=[lead.pk]), {"decision": "approve_burst"}, follow=True
    )
    assert "5 comments approved." in response.content.decode()
    assert not Comment.objects.filter(unusual_voting_at__isnull=False).exists()
    assert not selectors.queue().exists()
    assert AuditEntry.objects.filter(action="approve", actor=moderator).count() == 5


def test_the_bulk_approve_of_a_burst_item_approves_its_comments(article, mod_client):
    comments = CommentFactory.create_batch(4, article=article)
    burst(comments)
    lead = selectors.queue().get()
    response = mod_client.post(QUEUE_URL, {"action": "approve_selected", "_selected_action": [lead.pk]}, follow=True)
    assert "4 comments approved." in response.content.decode()


def test_one_by_one_lists_the_bursts_comments_to_reject_one(article, mod_client):
    comments = CommentFactory.create_batch(4, article=article)
    burst(comments)
    item = VoteBurst.objects.get()
    page = mod_client.get(QUEUE_URL, {"burst": item.pk}).content.decode()
    assert decide_urls(page, comments) == 4
    url = reverse("admin:moderation_queueitem_decide", args=[comments[2].pk])
    mod_client.post(url, {"decision": "reject", f"reason-{comments[2].pk}": "spam"})
    comments[2].refresh_from_db()
    assert comments[2].status == Comment.Status.HIDDEN
    # The burst's item now stands for the three left.
    assert "Approve all 3" in mod_client.get(QUEUE_URL).content.decode()
    # A burst id that is not a number is ignored, not a 500.
    assert mod_client.get(QUEUE_URL, {"burst": "x"}).status_code in (200, 302)


def test_the_flag_reads_in_japanese(article, mod_client):
    burst(CommentFactory.create_batch(3, article=article))
    page = mod_client.get(QUEUE_URL, headers={"Accept-Language": "ja"}).content.decode()
    assert "不自然な投票" in page
    assert "12票" in page


def test_the_queue_page_costs_the_same_for_one_burst_or_many(mod_client, django_assert_max_num_queries):
    burst(CommentFactory.create_batch(3, article=ArticleFactory()), voters=3)
    with django_assert_max_num_queries(20) as captured:
        mod_client.get(QUEUE_URL)
    few = len(captured.captured_queries)
    for _ in range(5):
        burst(CommentFactory.create_batch(3, article=ArticleFactory()), voters=3)
    assert VoteBurst.objects.count() == 6
    with django_assert_max_num_queries(few):
        page = mod_client.get(QUEUE_URL).content.decode()
    assert page.count('value="approve_burst"') == 6


def test_flagging_costs_a_fixed_number_of_statements():
    def voted_batch(articles: int, per_article: int) -> list[int]:
        ids = []
        readers = UserFactory.create_batch(3)
        for _ in range(articles):
            for comment in CommentFactory.create_batch(per_article, article=ArticleFactory()):
                for reader in readers:
                    cast_vote(user=reader, comment=comment, choice="agree")
                ids.append(comment.pk)
        return ids

    small, large = voted_batch(1, 2), voted_batch(4, 5)
    with CaptureQueriesContext(connection) as few:
        assert flag_unusual_voting(comment_ids=small) == 2
    with CaptureQueriesContext(connection) as many:
        assert flag_unusual_voting(comment_ids=large) == 20
    assert len(few) == len(many)
    with CaptureQueriesContext(connection) as nothing:
        assert flag_unusual_voting(comment_ids=large) == 0
    assert len(nothing) == 1
    assert VoteBurst.objects.count() == 5


def test_old_accounts_make_no_burst(article):
    readers = UserFactory.create_batch(4)
    User.objects.filter(pk__in=[r.pk for r in readers]).update(date_joined=timezone.now() - timedelta(days=30))
    comment = CommentFactory(article=article)
    for reader in User.objects.filter(pk__in=[r.pk for r in readers]):
        cast_vote(user=reader, comment=comment, choice="agree")
    tally_comments(comment_ids=[comment.pk])
    assert not VoteBurst.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_tallies_flagging_one_article_at_once_make_one_burst():
    """Two real transactions: the first flags a comment and holds its transaction open; the
    second, flagging another comment of the same article, waits on the article's row and then
    joins the first's burst instead of starting its own."""
    article = ArticleFactory()
    comments = CommentFactory.create_batch(2, article=article)
    for reader in UserFactory.create_batch(3):
        for comment in comments:
            cast_vote(user=reader, comment=comment, choice="agree")
    first_flagged, release_first = threading.Event(), threading.Event()
    counts = {}

    def first_tally():
        try:
            with transaction.atomic():
                counts["first"] = flag_unusual_voting(comment_ids=[comments[0].pk])
                first_flagged.set()
                release_first.wait(10)
        finally:
            connection.close()

    def second_tally():
        try:
            first_flagged.wait(10)
            counts["second"] = flag_unusual_voting(comment_ids=[comments[1].pk])
        finally:
            connection.close()

    threads = [threading.Thread(target=first_tally), threading.Thread(target=second_tally)]
    for thread in threads:
        thread.start()
    first_flagged.wait(10)
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
    assert second_waited
    assert counts == {"first": 1, "second": 1}
    only = VoteBurst.objects.get()
    assert sorted(only.members.values_list("comment_id", flat=True)) == sorted(c.pk for c in comments)
    assert (only.votes, only.young_accounts) == (6, 3)
