"""Readers' reports: the service, the API and the page."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from forum.models import Comment
from moderation.models import AuditEntry, Report
from moderation.services import report_comment
from tests.api.conftest import client_for
from tests.factories import CommentFactory, EstablishedReaderFactory
from tests.page_script import PageScript

pytestmark = pytest.mark.django_db


def report_url(comment) -> str:
    return f"/api/v1/comments/{comment.pk}/report/"


def test_reporting_again_changes_nothing(comment, reader):
    first = report_comment(reporter=reader, comment=comment, reason="spam", detail="Links to a shop.")
    again = report_comment(reporter=reader, comment=comment, reason="hate", detail="Changed my mind.")
    assert first.created and not again.created
    assert again.report.pk == first.report.pk
    report = Report.objects.get()
    assert (report.reason, report.detail) == ("spam", "Links to a shop.")


def test_nobody_reports_their_own_comment(comment):
    with pytest.raises(PermissionDenied):
        report_comment(reporter=comment.author, comment=comment, reason="spam")
    assert not Report.objects.exists()


def test_the_third_distinct_reader_holds_the_comment(comment, settings):
    settings.REPORTS_TO_HOLD = 3
    readers = EstablishedReaderFactory.create_batch(3)
    report_comment(reporter=readers[0], comment=comment, reason="spam")
    report_comment(reporter=readers[0], comment=comment, reason="spam")  # the same reader again
    report_comment(reporter=readers[1], comment=comment, reason="abuse")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE
    result = report_comment(reporter=readers[2], comment=comment, reason="abuse")
    assert result.held
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    hold = AuditEntry.objects.get(action=AuditEntry.Action.HOLD)
    assert hold.actor is None and hold.target_id == str(comment.pk)


def test_the_threshold_is_a_setting(comment, settings):
    settings.REPORTS_TO_HOLD = 1
    report_comment(reporter=EstablishedReaderFactory(), comment=comment, reason="other")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD


def test_holding_bumps_the_article_version(comment, settings, django_capture_on_commit_callbacks):
    from forum.caching import article_version

    settings.REPORTS_TO_HOLD = 1
    before = article_version(comment.article_id)
    with django_capture_on_commit_callbacks(execute=True):
        report_comment(reporter=EstablishedReaderFactory(), comment=comment, reason="other")
    assert article_version(comment.article_id) > before


# --- API ---------------------------------------------------------------------------------------


def test_api_report_then_again(comment, reader):
    client = client_for(reader)
    first = client.post(report_url(comment), {"reason": "spam", "detail": "Shop links."}, format="json")
    assert first.status_code == 201, first.content
    assert first.json() == {
        "comment": comment.pk,
        "reason": "spam",
        "detail": "Shop links.",
        "created_at": first.json()["created_at"],
    }
    again = client.post(report_url(comment), {"reason": "hate"}, format="json")
    assert again.status_code == 200
    assert again.json()["reason"] == "spam"
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "boring"}, "reason"),
        ({}, "reason"),
        ({"reason": "spam", "detail": "x" * 501}, "detail"),
        ({"reason": "spam", "detail": 12}, "detail"),
    ],
)
def test_api_bad_reports_are_400_with_the_field(comment, reader, body, field):
    response = client_for(reader).post(report_url(comment), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Report.objects.exists()


def test_api_own_comment_is_403(comment):
    response = client_for(comment.author).post(report_url(comment), {"reason": "spam"}, format="json")
    assert response.status_code == 403
    assert "own comment" in response.json()["detail"]


def test_api_needs_sign_in_and_a_visible_comment(comment, reader):
    assert client_for().post(report_url(comment), {"reason": "spam"}, format="json").status_code == 401
    hidden = CommentFactory(status=Comment.Status.HIDDEN)
    assert client_for(reader).post(report_url(hidden), {"reason": "spam"}, format="json").status_code == 404
    assert (
        client_for(reader).post("/api/v1/comments/999999/report/", {"reason": "spam"}, format="json").status_code == 404
    )


def test_api_reports_are_rate_limited(rates, reader):
    rates(report_user="2/min")
    comments = CommentFactory.create_batch(3)
    client = client_for(reader)
    statuses = [client.post(report_url(c), {"reason": "spam"}, format="json").status_code for c in comments]
    assert statuses == [201, 201, 429]


def test_report_is_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/comments/{comment_id}/report/"]["post"]
    assert {"200", "201", "400", "401", "403", "404", "429"} <= set(operation["responses"])
    assert "/api/v1/me/comments/" in schema["paths"]


# --- The page -----------------------------------------------------------------------------------


def test_report_link_for_other_readers_only(client, comment, reader):
    page_url = comment.article.get_absolute_url()
    link = reverse("report_comment", args=[comment.pk])
    assert link not in client.get(page_url).content.decode()  # not signed in
    client.force_login(comment.author)
    assert link not in client.get(page_url).content.decode()  # their own comment
    client.force_login(reader)
    assert link in client.get(page_url).content.decode()


def test_report_page_without_js(client, comment, reader):
    client.force_login(reader)
    url = reverse("report_comment", args=[comment.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()
    bad = client.post(url, {"reason": "boring"})
    assert bad.status_code == 400
    assert client.post(url, {"detail": "No reason chosen."}).status_code == 400  # none preselected
    assert 'value="" selected' in page.content.decode()
    done = client.post(url, {"reason": "off_topic", "detail": "About another article."})
    # Answered on this page, the confirmation on top and in view, with a link to the comment.
    assert done.status_code == 200
    assert "The moderators will look at this comment" in done.content.decode()
    assert "You reported this comment on" in done.content.decode()
    assert f'href="{comment.get_absolute_url()}"' in done.content.decode()
    assert Report.objects.get().reason == "off_topic"


def test_the_report_dialog_sends_to_the_api_and_the_page_answers_html(client, comment, reader):
    """The dialog's script POSTs to the API (201 new, 200 already reported, 403 one's own); the
    form's own address answers HTML even when asked for JSON."""
    first = PageScript(reader, comment.article).report(comment.pk, {"reason": "spam"})
    assert first.status_code == 201 and first.json()["reason"] == "spam"
    again = PageScript(reader, comment.article).report(comment.pk, {"reason": "spam"})
    assert again.status_code == 200
    own = PageScript(comment.author, comment.article).report(comment.pk, {"reason": "spam"})
    assert own.status_code == 403 and own.json()["detail"] == "You cannot report your own comment."
    missing = PageScript(reader, comment.article).report(comment.pk, {})
    assert missing.status_code == 400 and "reason" in missing.json()
    client.force_login(reader)
    page = client.post(
        reverse("report_comment", args=[comment.pk]), {"reason": "spam"}, headers={"Accept": "application/json"}
    )
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert "You have already reported this comment." in page.content.decode()
    assert Report.objects.count() == 1


def test_the_report_form_carries_the_dialogs_answers_in_the_readers_language(client, comment, reader):
    """report.js says a report was sent, or already there, in the form's own words."""
    client.force_login(reader)
    form = client.get(reverse("report_comment", args=[comment.pk]), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    with translation.override("ja"):
        sent = translation.gettext("Thank you. The moderators will look at this comment.")
        already = translation.gettext("You have already reported this comment. The moderators will look at it.")
    assert f'data-sent-text="{sent}"' in form and f'data-already-text="{already}"' in form


def test_report_page_needs_sign_in(client, comment):
    response = client.get(reverse("report_comment", args=[comment.pk]))
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
