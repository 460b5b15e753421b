"""A reader deletes their own account on the website (confirmed with the password) or downloads
their data first. Moderators see that an account was deleted, never whose."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import AccountDeletion, User
from forum.models import Comment
from moderation.sanctions import lift_sanction, suspend_reader
from moderation.services import report_comment
from tests.factories import CommentFactory, UserFactory
from tests.faults.helpers import wrong_counters
from votes.counting import reconcile_vote_counters, tally_comments
from votes.models import Vote
from votes.services import cast_vote, retract_vote

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

PASSWORD = "correct horse battery"  # the factories' password


@pytest.fixture
def leaving(article):
    """A reader with a comment (voted on by another) and votes on two others' comments, tallied."""
    reader = UserFactory(username="leaving", display_name="Leaving Reader", email="leaving@example.org", country="JP")
    own = CommentFactory(article=article, author=reader, body="My own words.")
    others = CommentFactory.create_batch(2, article=article)
    cast_vote(user=UserFactory(), comment=own, choice="agree")
    cast_vote(user=reader, comment=others[0], choice="agree")
    cast_vote(user=reader, comment=others[1], choice="disagree")
    cast_vote(user=UserFactory(country="DE"), comment=others[1], choice="agree")
    tally_comments(comment_ids=[own.pk, *(c.pk for c in others)])
    Token.objects.create(user=reader)
    return reader


def test_account_deletion_page_needs_a_signed_in_reader(client):
    """Anonymous visitors are sent to sign in, not shown the form."""
    response = client.get(reverse("account_delete"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_wrong_password_deletes_nothing(client, leaving):
    """A mistaken or forged confirmation shows an error on the form and keeps everything."""
    client.force_login(leaving)
    response = client.post(reverse("account_delete"), {"password": "not my password"})
    assert response.status_code == 200
    assert "The password is not right" in response.content.decode()
    assert User.objects.filter(pk=leaving.pk).exists()
    assert not AccountDeletion.objects.exists()


def test_empty_password_is_a_form_error(client, leaving):
    client.force_login(leaving)
    response = client.post(reverse("account_delete"), {})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert User.objects.filter(pk=leaving.pk).exists()


def test_deleting_the_account_erases_the_reader_and_counts_their_votes_out(client, leaving):
    """Account, comments, token and every session go; the deletion is recorded anonymously; the
    next reconciliation makes the counters of the comments they voted on exact again."""
    voted_on = list(Vote.objects.filter(user=leaving).values_list("comment_id", flat=True))
    elsewhere = type(client)()
    elsewhere.force_login(leaving)  # the reader is also signed in on another device
    client.force_login(leaving)
    assert client.get(reverse("account_delete")).status_code == 200

    response = client.post(reverse("account_delete"), {"password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Your account, comments and votes are deleted." in response.content.decode()
    assert not User.objects.filter(username="leaving").exists()
    assert not Comment.objects.filter(body="My own words.").exists()
    assert not Token.objects.filter(user_id=leaving.pk).exists()
    for device in (client, elsewhere):
        assert device.get(reverse("profile")).status_code == 302, "the session still signs the reader in"
    deletion = AccountDeletion.objects.get()
    assert deletion.via == "web"
    assert "leaving" not in str(deletion).lower()

    assert set(wrong_counters(voted_on)) == set(voted_on)  # until the reconciliation runs
    reconcile_vote_counters()
    assert wrong_counters(voted_on) == {}


def test_export_downloads_the_readers_data_and_nobody_elses(client, leaving, article, moderator):
    """One JSON file: profile, the reader's comments and votes (a taken-back vote too), the reports
    they made and their sanctions, without the moderator's name."""
    retract_vote(user=leaving, comment=Vote.objects.filter(user=leaving, choice="disagree").get().comment)
    others_words = CommentFactory(article=article, body="Someone else's words.")
    report_comment(reporter=leaving, comment=others_words, reason="spam", detail="Links to a shop.")
    report_comment(reporter=UserFactory(), comment=others_words, reason="hate")
    suspension = suspend_reader(moderator=moderator, reader=leaving, days=7, reason="Insults in three comments.")
    lift_sanction(moderator=moderator, sanction=suspension, reason="Apologised.")
    client.force_login(leaving)
    response = client.get(reverse("account_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert set(data) == {
        "exported_at",
        "profile",
        "comments",
        "comment_revisions",
        "votes",
        "reports",
        "sanctions",
        "badge",
        "mutes",
    }
    assert data["badge"] is None
    assert data["profile"]["username"] == "leaving" and data["profile"]["email"] == "leaving@example.org"
    assert [c["body"] for c in data["comments"]] == ["My own words."]
    assert data["comments"][0]["article"] == article.slug
    assert sorted(v["choice"] or "taken back" for v in data["votes"]) == ["agree", "taken back"]
    assert [(r["comment"], r["reason"], r["detail"], r["resolved_at"]) for r in data["reports"]] == [
        (others_words.pk, "spam", "Links to a shop.", None)
    ]
    [sanction] = data["sanctions"]
    assert (sanction["kind"], sanction["reason"], sanction["lift_reason"]) == (
        "suspend",
        "Insults in three comments.",
        "Apologised.",
    )
    assert sanction["lifted_at"] is not None
    assert moderator.username not in response.content.decode()


def test_export_needs_a_signed_in_reader(client):
    assert client.get(reverse("account_export")).status_code == 302


def test_moderators_see_that_an_account_was_deleted_but_not_whose(client, leaving, moderators_group):
    """The admin lists account deletions read-only, with date and channel and no name."""
    leaving_client = type(client)()
    leaving_client.force_login(leaving)
    leaving_client.post(reverse("account_delete"), {"password": PASSWORD})
    moderator = UserFactory(is_staff=True)
    moderator.user_permissions.add(Permission.objects.get(codename="view_accountdeletion"))
    client.force_login(moderator)
    page = client.get(reverse("admin:accounts_accountdeletion_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Account deletion #" in text and "the website" in text
    assert "leaving" not in text.lower() and "Leaving Reader" not in text
    deletion = AccountDeletion.objects.get()
    assert client.post(reverse("admin:accounts_accountdeletion_delete", args=[deletion.pk])).status_code == 403
    assert client.get(reverse("admin:accounts_accountdeletion_add")).status_code == 403


def test_profile_page_links_to_export_and_deletion(client, leaving):
    client.force_login(leaving)
    page = client.get(reverse("profile")).content.decode()
    assert f'href="{reverse("account_export")}"' in page and f'href="{reverse("account_delete")}"' in page


def test_export_runs_the_same_few_queries_however_much_the_reader_did(
    client, leaving, article, django_assert_max_num_queries
):
    """Session, user, then one query per list (comments, their earlier texts, votes, reports,
    sanctions, mutes) and the badge."""
    for comment in CommentFactory.create_batch(5, article=article):
        cast_vote(user=leaving, comment=comment, choice="agree")
        report_comment(reporter=leaving, comment=comment, reason="spam")
    CommentFactory.create_batch(3, article=article, author=leaving)
    client.force_login(leaving)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("account_export"))
    data = json.loads(response.content)
    assert (len(data["comments"]), len(data["votes"]), len(data["reports"])) == (4, 7, 5)


def test_deleting_the_account_deletes_its_votes_in_one_statement(client, leaving, article):
    """The votes go in one DELETE, never loaded and deleted row by row: nothing listens to a vote's
    deletion, so Django fast-deletes them however many there are (a receiver connected with no
    sender used to listen to every model's and made every cascade go row by row)."""
    others = CommentFactory.create_batch(30, article=article)
    for other in others:
        cast_vote(user=leaving, comment=other, choice="agree")
    client.force_login(leaving)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("account_delete"), {"password": PASSWORD})
    assert response.status_code == 302
    vote_table = Vote._meta.db_table
    statements = [query["sql"] for query in queries.captured_queries if f'"{vote_table}"' in query["sql"]]
    assert [sql for sql in statements if sql.startswith("DELETE")], statements
    assert not [sql for sql in statements if sql.startswith("SELECT")], statements
    assert not Vote.objects.filter(comment__in=others).exists()
