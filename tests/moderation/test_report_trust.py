"""Security issue, findings 2 and 15: reports count toward a hold only from readers in good
standing; an approved comment needs new qualifying reporters to be held again; a burst of reports
from new accounts shows in the queue as a brigade; the queue shows each report's reason and detail.
Through the API's report endpoint, the service and the admin's queue."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ReportingStanding
from accounts.selectors import reporting_standing
from forum.models import Comment
from moderation import selectors
from moderation.models import Report
from moderation.services import report_comment
from tests.api.conftest import client_for
from tests.factories import CommentFactory, EstablishedReaderFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE_URL = "/admin/moderation/queueitem/"


@pytest.fixture(autouse=True)
def rules(settings):
    settings.REPORTS_TO_HOLD = 3
    settings.FORUM_REPORT_TRUST_ACCOUNT_AGE_DAYS = 3
    settings.FORUM_REPORT_BRIGADE_REPORTS = 3
    settings.FORUM_REPORT_BRIGADE_WINDOW_MINUTES = 60
    settings.NEW_ACCOUNT_WAIT_SECONDS = 600  # the production wait: the sign-ups below sat it out


def signed_up(minutes_ago: int = 11, count: int = 3):
    """Accounts made for the purpose: past the 10-minute wait, far from 3 days old."""
    return UserFactory.create_batch(count, date_joined=timezone.now() - timedelta(minutes=minutes_ago))


def api_report(reader, comment, reason="abuse", detail=""):
    response = client_for(reader).post(
        f"/api/v1/comments/{comment.pk}/report/", {"reason": reason, "detail": detail}, format="json"
    )
    assert response.status_code in (200, 201), response.content
    return response


def status_of(comment) -> str:
    comment.refresh_from_db()
    return comment.status


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


# --- Who counts -------------------------------------------------------------------------------


def test_three_fresh_sign_ups_do_not_hide_a_comment(comment):
    for reader in signed_up():
        api_report(reader, comment)
    assert status_of(comment) == Comment.Status.VISIBLE
    assert set(Report.objects.values_list("reporter_standing", flat=True)) == {ReportingStanding.NEW_ACCOUNT}
    # Their reports still reach the queue.
    assert comment.pk in set(selectors.queue().values_list("pk", flat=True))


def test_three_readers_in_good_standing_hold_it(comment):
    for reader in EstablishedReaderFactory.create_batch(3):
        api_report(reader, comment)
    assert status_of(comment) == Comment.Status.HELD


def test_only_the_qualifying_reports_are_counted(comment):
    for reader in [*EstablishedReaderFactory.create_batch(2), *signed_up(count=5)]:
        api_report(reader, comment)
    assert status_of(comment) == Comment.Status.VISIBLE
    api_report(EstablishedReaderFactory(), comment)
    assert status_of(comment) == Comment.Status.HELD


def test_the_age_is_a_setting(comment, settings):
    settings.FORUM_REPORT_TRUST_ACCOUNT_AGE_DAYS = 0
    for reader in signed_up():
        api_report(reader, comment)
    assert status_of(comment) == Comment.Status.HELD


def test_good_standing_in_one_place():
    now = timezone.now()
    assert reporting_standing(user=EstablishedReaderFactory()) == ReportingStanding.GOOD
    assert reporting_standing(user=UserFactory(date_joined=now - timedelta(days=2))) == ReportingStanding.NEW_ACCOUNT
    banned = EstablishedReaderFactory(is_banned=True)
    assert reporting_standing(user=banned) == ReportingStanding.SANCTIONED
    suspended = EstablishedReaderFactory(suspended_until=now + timedelta(days=1))
    assert reporting_standing(user=suspended) == ReportingStanding.SANCTIONED
    served = EstablishedReaderFactory(suspended_until=now - timedelta(days=1))
    assert reporting_standing(user=served) == ReportingStanding.GOOD


def test_a_report_made_under_a_sanction_does_not_count(comment):
    """A sanction imposed while the report is being made (the refusal passed, the standing not):
    the report is kept, marked, and does not count."""
    readers = EstablishedReaderFactory.create_batch(2)
    for reader in readers:
        api_report(reader, comment)
    Report.objects.create(
        reporter=EstablishedReaderFactory(), comment=comment, reason="spam", reporter_standing="sanctioned"
    )
    assert selectors.reporters_toward_hold(comment) == 2
    assert status_of(comment) == Comment.Status.VISIBLE


# --- After an approval ----------------------------------------------------------------------------


def test_an_approved_comment_needs_as_many_new_qualifying_reporters_again(comment, mod_client):
    first = EstablishedReaderFactory.create_batch(3)
    for reader in first:
        api_report(reader, comment)
    assert status_of(comment) == Comment.Status.HELD
    url = reverse("admin:moderation_queueitem_decide", args=[comment.pk])
    assert "1 comment approved." in mod_client.post(url, {"decision": "approve"}, follow=True).content.decode()
    assert status_of(comment) == Comment.Status.VISIBLE

    # The same three report again: their decided reports never hold it again, nor do they.
    for reader in first:
        assert api_report(reader, comment).status_code == 201
    assert status_of(comment) == Comment.Status.VISIBLE
    assert selectors.reporters_toward_hold(comment) == 0
    # It is back in the queue, though: a moderator sees that it is reported again.
    assert comment.pk in set(selectors.queue().values_list("pk", flat=True))

    # As many new qualifying reporters as the first hold took hold it again.
    fresh = EstablishedReaderFactory.create_batch(3)
    api_report(fresh[0], comment)
    api_report(fresh[1], comment)
    assert status_of(comment) == Comment.Status.VISIBLE
    api_report(fresh[2], comment)
    assert status_of(comment) == Comment.Status.HELD


# --- Brigades -----------------------------------------------------------------------------------


def test_a_burst_from_new_accounts_shows_as_a_brigade(comment, mod_client):
    quiet = CommentFactory(body="Reported once by a new account")
    api_report(signed_up(count=1)[0], quiet)
    for reader in signed_up():
        api_report(reader, comment, reason="hate")
    assert set(Report.objects.filter(comment=comment).values_list("brigade", flat=True)) == {True}
    assert not Report.objects.get(comment=quiet).brigade

    page = mod_client.get(QUEUE_URL).content.decode()
    assert "Brigade of new accounts" in page
    assert page.count('class="queue-badge"') == 1
    assert "(New account)" in page
    brigades = mod_client.get(QUEUE_URL, {"why": "brigade"}).content.decode()
    assert comment.body in brigades and quiet.body not in brigades
    others = mod_client.get(QUEUE_URL, {"why": "other_reports"}).content.decode()
    assert comment.body in others and quiet.body in others
    trusted = mod_client.get(QUEUE_URL, {"why": "reports"}).content.decode()
    assert comment.body not in trusted and quiet.body not in trusted


def test_reports_spread_beyond_the_window_are_no_brigade(comment):
    readers = signed_up(count=3)
    for reader in readers[:2]:
        api_report(reader, comment)
    Report.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    api_report(readers[2], comment)
    assert not Report.objects.filter(brigade=True).exists()


def test_reports_from_readers_in_good_standing_are_no_brigade(comment, settings):
    settings.REPORTS_TO_HOLD = 10
    for reader in EstablishedReaderFactory.create_batch(4):
        report_comment(reporter=reader, comment=comment, reason="spam")
    assert not Report.objects.filter(brigade=True).exists()


# --- What the queue shows ---------------------------------------------------------------------


def test_the_queue_shows_each_reports_reason_and_detail(comment, mod_client):
    api_report(EstablishedReaderFactory(), comment, reason="spam", detail="Links to <b>a shop</b> in every line.")
    api_report(EstablishedReaderFactory(), comment, reason="misinformation", detail="The figure is from 2019.")
    api_report(signed_up(count=1)[0], comment, reason="other")
    page = mod_client.get(QUEUE_URL).content.decode()
    assert "Links to &lt;b&gt;a shop&lt;/b&gt; in every line." in page  # escaped, never markup
    assert "The figure is from 2019." in page
    assert "<strong>Spam</strong>" in page and "<strong>Misinformation</strong>" in page
    assert "<strong>Other</strong> <span" in page
    assert "3 open reports, 2 from readers in good standing" in page


def test_reports_from_readers_in_good_standing_come_first(comment, mod_client):
    brigaded = CommentFactory(body="Five reports from new accounts")
    for reader in signed_up(count=5):
        api_report(reader, brigaded)
    api_report(EstablishedReaderFactory(), comment)
    page = mod_client.get(QUEUE_URL).content.decode()
    assert page.index(comment.body) < page.index(brigaded.body)
