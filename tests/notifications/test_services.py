"""Who is told of a reply: the thread's author and the reader it answers, never the replier,
never a reader who muted them, and never of a reply out of view until a moderator approves it."""

import pytest

from accounts.models import Mute
from forum.models import Comment
from moderation.services import approve_comments, reject_comments
from notifications import selectors, services
from notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _told(user) -> list[tuple[int, str]]:
    return list(Notification.objects.filter(recipient=user).values_list("reply_id", "kind").order_by("id"))


def test_a_reply_tells_the_author_of_the_comment_and_not_the_replier(thread, reply):
    _article, top, emma, hana, _sam = thread
    answer = reply(author=emma, answering=top, body="In Germany we see it differently.")
    assert _told(hana) == [(answer.pk, "reply")]
    assert _told(emma) == []
    assert selectors.unread_count(user=hana) == 1


def test_a_reply_to_a_reply_tells_the_answered_reader_and_the_threads_author(thread, reply):
    _article, top, emma, hana, sam = thread
    first = reply(author=emma, answering=top)
    second = reply(author=sam, answering=first, body="@Emma, not quite.")
    assert _told(emma) == [(second.pk, "answer")]
    assert _told(hana) == [(first.pk, "reply"), (second.pk, "reply")]
    assert _told(sam) == []


def test_answering_in_ones_own_thread_tells_only_the_reader_answered(thread, reply):
    _article, top, emma, hana, _sam = thread
    first = reply(author=emma, answering=top)
    back = reply(author=hana, answering=first, body="ドイツではそうなんですね。")
    assert _told(emma) == [(back.pk, "answer")]
    assert _told(hana) == [(first.pk, "reply")]  # not of her own answer


def test_one_notification_when_the_thread_author_is_also_the_one_answered(thread, reply):
    _article, top, emma, hana, _sam = thread
    hanas_reply = reply(author=hana, answering=top, body="補足です。")
    answer = reply(author=emma, answering=hanas_reply)
    assert _told(hana) == [(answer.pk, "answer")]


def test_a_muted_replier_notifies_nobody_who_muted_them(thread, reply):
    _article, top, emma, hana, sam = thread
    Mute.objects.create(reader=hana, muted=emma, signed=True)  # Emma's signed voice (she lives in Germany)
    first = reply(author=emma, answering=top)
    assert first.signed and _told(hana) == []
    second = reply(author=sam, answering=first)
    assert _told(hana) == [(second.pk, "reply")]


def test_a_mute_silences_only_the_voice_it_was_made_on(thread, reply):
    """A mute is of one voice (accounts.Mute.signed): muting someone's unsigned words does not
    silence their signed replies, or the reader would learn whose the unsigned words were."""
    _article, top, emma, hana, _sam = thread
    Mute.objects.create(reader=hana, muted=emma, signed=False)
    signed_reply = reply(author=emma, answering=top)
    assert signed_reply.signed and _told(hana) == [(signed_reply.pk, "reply")]


def test_a_held_reply_notifies_only_once_a_moderator_approves_it(
    thread, reply, moderator, django_capture_on_commit_callbacks
):
    _article, top, _emma, hana, _sam = thread
    watched = UserFactory(country="US", is_premoderated=True)
    pending = reply(author=watched, answering=top)
    assert pending.status == Comment.Status.PENDING
    assert _told(hana) == []
    with django_capture_on_commit_callbacks(execute=True):
        approve_comments(moderator=moderator, comment_ids=[pending.pk])
    assert _told(hana) == [(pending.pk, "reply")]
    assert selectors.unread_count(user=hana) == 1


def test_a_rejected_reply_notifies_nobody(thread, reply, moderator, django_capture_on_commit_callbacks):
    _article, top, _emma, hana, _sam = thread
    pending = reply(author=UserFactory(country="US", is_premoderated=True), answering=top)
    with django_capture_on_commit_callbacks(execute=True):
        reject_comments(moderator=moderator, comment_ids=[pending.pk], reason="spam")
    assert _told(hana) == []


def test_telling_is_idempotent(thread, reply):
    _article, top, emma, hana, _sam = thread
    answer = reply(author=emma, answering=top)
    assert services.replies_became_visible(reply_ids=[answer.pk, top.pk]) == []  # again: nothing new
    assert _told(hana) == [(answer.pk, "reply")]


def test_a_reply_hidden_after_it_notified_leaves_the_list_and_the_count(thread, reply):
    _article, top, emma, hana, _sam = thread
    answer = reply(author=emma, answering=top)
    Comment.objects.filter(pk=answer.pk).update(status=Comment.Status.HIDDEN)
    assert list(selectors.notifications_of(user=hana)) == []
    assert selectors.count_unread(user_id=hana.pk) == 0


def test_reading_one_and_all_updates_the_bell(thread, reply, django_capture_on_commit_callbacks):
    _article, top, emma, hana, sam = thread
    first = reply(author=emma, answering=top)
    reply(author=sam, answering=top)
    assert selectors.unread_count(user=hana) == 2
    notification = Notification.objects.get(recipient=hana, reply=first)
    assert services.mark_read(user=emma, notification_id=notification.pk) is None  # not hers
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_read(user=hana, notification_id=notification.pk).read_at is not None
    assert selectors.unread_count(user=hana) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_all_read(user=hana) == 1
    assert selectors.unread_count(user=hana) == 0


def test_an_unsigned_reply_is_from_a_reader_in_japan_and_a_signed_one_names_its_author(thread, reply):
    _article, top, emma, hana, _sam = thread
    signed = reply(author=emma, answering=top)
    unsigned = reply(author=UserFactory(display_name="Secret Name", country="JP"), answering=top)
    assert selectors.replier_name(signed) == "Emma (Germany)"
    assert selectors.replier_name(unsigned) == "A reader in Japan"
