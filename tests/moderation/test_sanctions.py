"""Sanctions on readers: suspend, ban, pre-moderate and lift; enforced in the services for the web
and the API alike, with the date; audited; and kept off the vote path's query count."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import formats, timezone

from accounts.models import Sanction
from accounts.services import taking_part_refusal
from forum.models import Comment
from forum.services import post_comment
from moderation import sanctions
from moderation.models import AuditEntry
from tests.api.conftest import client_for
from tests.factories import UserFactory
from votes.services import VoteNotAllowed, cast_vote

pytestmark = pytest.mark.django_db


def shown(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def test_suspended_reader_cannot_comment_or_vote_until_the_date(moderator, reader, article, comment):
    sanction = sanctions.suspend_reader(moderator=moderator, reader=reader, days=7, reason="Flooding")
    assert sanction.ends_at == pytest.approx(timezone.now() + timedelta(days=7), abs=timedelta(seconds=5))
    reader.refresh_from_db()
    assert reader.suspended_until == sanction.ends_at
    with pytest.raises(PermissionDenied) as refused:
        post_comment(author=reader, article=article, body="Still here")
    assert shown(sanction.ends_at) in str(refused.value)
    with pytest.raises(VoteNotAllowed) as refused:
        cast_vote(user=reader, comment=comment, choice="agree")
    assert shown(sanction.ends_at) in str(refused.value)
    assert not Comment.objects.filter(author=reader).exists()


def test_a_suspension_ends_by_itself(moderator, reader, article):
    sanctions.suspend_reader(moderator=moderator, reader=reader, days=1, reason="Cool off")
    reader.refresh_from_db()
    reader.suspended_until = timezone.now() - timedelta(seconds=1)  # as it will read tomorrow
    assert taking_part_refusal(user=reader) is None


def test_custom_suspension_end(moderator, reader):
    until = timezone.now() + timedelta(days=3, hours=5)
    sanction = sanctions.suspend_reader(moderator=moderator, reader=reader, until=until, reason="Custom")
    assert sanction.ends_at == until
    with pytest.raises(ValidationError):
        sanctions.suspend_reader(
            moderator=moderator, reader=reader, until=timezone.now() - timedelta(days=1), reason="x"
        )
    with pytest.raises(ValidationError):
        sanctions.suspend_reader(moderator=moderator, reader=reader, reason="neither days nor until")
    with pytest.raises(ValidationError):
        sanctions.suspend_reader(moderator=moderator, reader=reader, days=2, reason="   ")


def test_banned_reader_is_refused(moderator, reader, article):
    sanctions.ban_reader(moderator=moderator, reader=reader, reason="Spam bot")
    reader.refresh_from_db()
    with pytest.raises(PermissionDenied, match="banned"):
        post_comment(author=reader, article=article, body="Buy now")


def test_premoderated_readers_comments_wait_for_review(moderator, reader, article):
    sanctions.premoderate_reader(moderator=moderator, reader=reader, reason="New and noisy")
    reader.refresh_from_db()
    assert post_comment(author=reader, article=article, body="Hello").status == Comment.Status.PENDING


def test_lifting_restores_the_reader_and_is_recorded_once(moderator, reader, article):
    ban = sanctions.ban_reader(moderator=moderator, reader=reader, reason="Spam bot")
    premod = sanctions.premoderate_reader(moderator=moderator, reader=reader, reason="Watch")
    assert sanctions.lift_sanction(moderator=moderator, sanction=ban, reason="Appeal accepted") is True
    assert sanctions.lift_sanction(moderator=moderator, sanction=ban, reason="Again") is False
    reader.refresh_from_db()
    assert (reader.is_banned, reader.is_premoderated) == (False, True)
    assert post_comment(author=reader, article=article, body="Back").status == Comment.Status.PENDING
    sanctions.lift_sanction(moderator=moderator, sanction=premod, reason="Behaving")
    reader.refresh_from_db()
    assert post_comment(author=reader, article=article, body="Free").status == Comment.Status.VISIBLE
    ban.refresh_from_db()
    assert (ban.lifted_by, ban.lift_reason) == (moderator, "Appeal accepted")
    entries = list(AuditEntry.objects.order_by("id").values_list("action", "reason"))
    assert entries == [
        (AuditEntry.Action.SANCTION, "Spam bot"),
        (AuditEntry.Action.SANCTION, "Watch"),
        (AuditEntry.Action.LIFT_SANCTION, "Appeal accepted"),
        (AuditEntry.Action.LIFT_SANCTION, "Behaving"),
    ]
    assert Sanction.objects.filter(user=reader).count() == 2  # history kept


def test_staff_cannot_be_sanctioned(moderator):
    other_staff = UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied):
        sanctions.ban_reader(moderator=moderator, reader=other_staff, reason="Nope")
    with pytest.raises(PermissionDenied):
        sanctions.suspend_reader(moderator=moderator, reader=UserFactory(is_superuser=True), days=1, reason="Nope")
    assert not Sanction.objects.exists()
    assert not AuditEntry.objects.exists()


def test_api_answers_403_with_the_date_and_me_shows_the_standing(moderator, reader, comment):
    sanction = sanctions.suspend_reader(moderator=moderator, reader=reader, days=30, reason="Abuse")
    api = client_for(reader)
    vote = api.put(reverse("api_vote", args=[comment.pk]), {"choice": "agree"}, format="json")
    assert vote.status_code == 403
    assert shown(sanction.ends_at) in vote.json()["detail"]
    posted = api.post(reverse("api_comments", args=[comment.article.slug]), {"body": "Hi"}, format="json")
    assert posted.status_code == 403
    assert shown(sanction.ends_at) in posted.json()["detail"]
    me = api.get(reverse("api_me")).json()["standing"]
    assert me["status"] == "suspended"
    assert me["suspended_until"] is not None
    assert shown(sanction.ends_at) in me["message"]


def test_profile_page_shows_the_standing(client, moderator, reader):
    sanctions.premoderate_reader(moderator=moderator, reader=reader, reason="Watch")
    reader.refresh_from_db()
    client.force_login(reader)
    assert "reviewed by a moderator" in client.get(reverse("profile")).content.decode()


def test_checking_a_sanction_costs_no_query(moderator, reader, django_assert_num_queries):
    sanctions.suspend_reader(moderator=moderator, reader=reader, days=1, reason="x")
    reader.refresh_from_db()
    with django_assert_num_queries(0):
        assert taking_part_refusal(user=reader) is not None


def _action(client, action: str, users, **fields):
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": action, "_selected_action": [u.pk for u in users], **fields},
        follow=True,
    )


def test_admin_suspend_shows_a_form_then_suspends_with_a_message(client, moderator):
    readers = UserFactory.create_batch(2)
    client.force_login(moderator)
    page = _action(client, "suspend_readers", readers)
    assert page.status_code == 200
    assert "Reason" in page.content.decode() and not Sanction.objects.exists()
    done = _action(client, "suspend_readers", readers, apply="1", period="7", reason="Flooding")
    assert "2 readers suspended." in done.content.decode()
    assert Sanction.objects.filter(kind=Sanction.Kind.SUSPEND, reason="Flooding").count() == 2
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SANCTION).count() == 2


def test_admin_custom_period_needs_a_date(client, moderator, reader):
    client.force_login(moderator)
    page = _action(client, "suspend_readers", [reader], apply="1", period="custom", reason="x")
    assert "Give the date and time" in page.content.decode()
    assert not Sanction.objects.exists()


def test_admin_ban_premoderate_and_lift(client, moderator, reader):
    client.force_login(moderator)
    assert "1 reader banned." in _action(client, "ban_readers", [reader], apply="1", reason="Spam").content.decode()
    ban = Sanction.objects.get()
    lifted = client.post(
        reverse("admin:accounts_sanction_changelist"),
        {"action": "lift", "_selected_action": [ban.pk], "apply": "1", "reason": "Appeal"},
        follow=True,
    )
    assert "1 sanction lifted." in lifted.content.decode()
    reader.refresh_from_db()
    assert not reader.is_banned
    # The history itself is read-only, even for a moderator who may lift.
    assert client.get(reverse("admin:accounts_sanction_change", args=[ban.pk])).status_code == 200
    assert client.post(reverse("admin:accounts_sanction_delete", args=[ban.pk]), {"post": "yes"}).status_code == 403


def test_moderators_cannot_reach_staff_through_the_actions(client, moderator):
    staff = UserFactory(is_staff=True)
    client.force_login(moderator)
    _action(client, "ban_readers", [staff], apply="1", reason="x")
    assert not Sanction.objects.exists()


def test_user_change_page_shows_the_standing(client, moderator, reader, django_user_model):
    sanctions.ban_reader(moderator=moderator, reader=reader, reason="Spam")
    client.force_login(moderator)
    page = client.get(reverse("admin:accounts_user_change", args=[reader.pk]))
    assert page.status_code == 200
    assert "Standing" in page.content.decode()
    assert "Spam" in page.content.decode()  # the sanction, with its reason, in the inline history
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get(reverse("admin:accounts_user_change", args=[reader.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
