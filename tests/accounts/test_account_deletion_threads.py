"""A deleted reader's threads: their comments go, but other readers' replies to them stay under a
placeholder with neither their words nor their name; their own replies go; and their data
export names each reply's thread."""

import pytest
from django.urls import reverse

from accounts import services as accounts
from accounts.selectors import reader_data_export
from forum import services
from forum.models import Comment
from moderation import staff_edits
from tests.api.conftest import client_for, comment_url
from tests.factories import CommentFactory, UserFactory
from votes.models import Vote
from votes.services import cast_vote

pytestmark = pytest.mark.django_db


def _reply(comment, author, body="A reply.") -> Comment:
    return services.post_comment(author=author, article=comment.article, body=body, answering=comment)


@pytest.fixture
def threads(article):
    """The leaving reader's comment answered by someone else (and by themselves), a comment of
    theirs answered only by themselves, and their reply in someone else's thread."""
    leaving = UserFactory(username="leaving", display_name="Leaving Reader", country="JP")
    other = UserFactory(username="staying", country="DE")
    answered = CommentFactory(article=article, author=leaving, body="Words others answered.")
    others_reply = _reply(answered, other, "An answer that must stay.")
    own_reply = _reply(answered, leaving, "Talking to myself.")
    cast_vote(user=other, comment=answered, choice="agree")
    alone = CommentFactory(article=article, author=leaving, body="Only I answered this.")
    _reply(alone, leaving)
    theirs = CommentFactory(article=article, author=other, body="Someone else's thread.")
    leaving_reply = _reply(theirs, leaving, "My reply in their thread.")
    return locals()


def _check_threads_kept(threads) -> None:
    answered = Comment.objects.get(pk=threads["answered"].pk)
    assert answered.is_placeholder and answered.body == "" and not answered.signed
    assert answered.author.username == accounts.DEPARTED_USERNAME and not answered.author.is_active
    assert not Vote.objects.filter(comment=answered).exists()
    assert Comment.objects.readable().filter(pk=threads["others_reply"].pk).exists()
    gone = [threads[name].pk for name in ("own_reply", "alone", "leaving_reply")]
    assert not Comment.objects.filter(pk__in=gone).exists()
    assert Comment.objects.filter(pk=threads["theirs"].pk, deleted_at__isnull=True).exists()
    assert "Leaving Reader" not in str(client_for(UserFactory()).get(comment_url(answered)).json())


def test_deleting_an_account_keeps_other_readers_replies_under_a_placeholder(client, threads):
    """Through the web page, confirmed with the password: the cascade leaves others' replies."""
    client.force_login(threads["leaving"])
    response = client.post(reverse("account_delete"), {"password": "correct horse battery"})
    assert response.status_code == 302
    _check_threads_kept(threads)


def test_staff_deleting_a_reader_keeps_other_readers_replies_too(threads):
    staff_edits.delete_readers(editor=UserFactory(is_staff=True, is_superuser=True), readers=[threads["leaving"]])
    _check_threads_kept(threads)


def test_a_placeholder_whose_only_replies_were_the_leaving_readers_goes(article):
    """Someone took back their comment, and the only reply left was the leaving reader's: once
    that reply goes, nothing of the thread is left to read, so the placeholder goes too."""
    first = CommentFactory(article=article, author=UserFactory(country="GB"))
    leaving = UserFactory(country="US")
    _reply(first, leaving)
    services.delete_comment(user=first.author, comment=first)
    assert Comment.objects.get(pk=first.pk).is_placeholder

    accounts.delete_account(user=leaving, via="web")

    assert not Comment.objects.filter(pk=first.pk).exists()


def test_the_export_names_each_replys_thread(threads):
    """A reply carries its thread's comment (parent) and the comment it answers (reply_to)."""
    exported = {entry["id"]: entry for entry in reader_data_export(user=threads["leaving"])["comments"]}
    reply = exported[threads["leaving_reply"].pk]
    assert (reply["parent"], reply["reply_to"]) == (threads["theirs"].pk, threads["theirs"].pk)
    assert exported[threads["answered"].pk]["parent"] is None
    assert exported[threads["answered"].pk]["deleted_at"] is None


def test_the_export_api_shows_the_thread_fields(threads):
    body = client_for(threads["leaving"]).get("/api/v1/me/export/").json()
    reply = next(entry for entry in body["comments"] if entry["id"] == threads["leaving_reply"].pk)
    assert (reply["parent"], reply["reply_to"]) == (threads["theirs"].pk, threads["theirs"].pk)
