"""Replies go through everything comments go through: the word lists, readers' reports and
holds, the queue and its decisions, sanctions and closing; and moderators judge a reply in its
thread, in the queue and in the comment admin."""

import pytest
from django.core.exceptions import PermissionDenied

from forum import services
from forum.models import Comment, Section
from moderation import closing, selectors, word_rules
from moderation.models import WordRule
from moderation.sanctions import suspend_reader
from moderation.services import approve_comments, report_comment
from tests.factories import CommentFactory, EstablishedReaderFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE_URL = "/admin/moderation/queueitem/"
COMMENTS_URL = "/admin/forum/comment/"


def _reply(comment, author=None, body="A reply.") -> Comment:
    author = author or UserFactory(country="GB")
    return services.post_comment(author=author, article=comment.article, body=body, answering=comment)


@pytest.fixture
def suspect(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        word_rules.save_word_rule(moderator=None, rule=WordRule(phrase="scamcoin", list=WordRule.List.SUSPECT))


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def test_a_reply_with_a_suspect_word_waits_for_a_moderator(comment, suspect, moderator):
    """Pending, out of its thread, in the queue; approved, it joins the thread."""
    reply = _reply(comment, body="Buy scamcoin now")

    assert reply.status == Comment.Status.PENDING
    assert not Comment.objects.readable().filter(pk=reply.pk).exists()
    approve_comments(moderator=moderator, comment_ids=[reply.pk])
    assert Comment.objects.readable().filter(pk=reply.pk).exists()


def test_readers_reports_hold_a_reply(comment, settings):
    settings.REPORTS_TO_HOLD = 2
    reply = _reply(comment)

    results = [report_comment(reporter=EstablishedReaderFactory(), comment=reply, reason="spam") for _ in range(2)]

    assert [result.held for result in results] == [False, True]
    assert Comment.objects.get(pk=reply.pk).status == Comment.Status.HELD


def test_a_suspended_reader_cannot_reply(comment, moderator):
    reader = UserFactory(country="GB")
    suspend_reader(moderator=moderator, reader=reader, days=3, reason="Spam")
    reader.refresh_from_db()
    with pytest.raises(PermissionDenied):
        _reply(comment, reader)


def test_a_closed_section_takes_no_replies_from_readers_of_the_other_region(article, moderator):
    """Japan's section closed by a moderator: a reader in Germany, whose own section is open,
    cannot reply in a Japan thread; a reader in Japan can still reply in a world thread."""
    japan_comment = CommentFactory(article=article, author=UserFactory(country="JP"))
    world_comment = CommentFactory(article=article, author=UserFactory(country="GB"))
    articles = type(article).objects.filter(pk=article.pk)
    closing.set_section_open(
        moderator=moderator, articles=articles, section=Section.JAPAN, is_open=False, via="admin_action"
    )
    article.refresh_from_db()
    japan_comment.article = world_comment.article = article

    with pytest.raises(PermissionDenied) as refused:
        _reply(japan_comment, UserFactory(country="DE"))
    assert refused.value.args[0].code == "section_closed"
    assert _reply(world_comment, UserFactory(country="JP")).section == Section.WORLD


def test_the_queue_shows_a_reply_with_its_thread(mod_client, comment):
    """The thread's comment (text and a link to it) and the reply answered, above the reply."""
    comment.body = "The comment that started it."
    comment.save()
    first = _reply(comment, body="The first answer.")
    held = _reply(first, body="The answer being judged.")
    services.set_comment_status(comments=[held], status=Comment.Status.HELD)

    page = mod_client.get(QUEUE_URL).content.decode()

    judged = page.index('lang="en">The answer being judged.</div>')
    assert page.index("The comment that started it.") < judged
    assert "The first answer." in page
    assert f"/admin/forum/comment/{comment.pk}/change/" in page


def test_the_queue_and_the_comment_admin_filter_replies_from_top_level_comments(mod_client, comment):
    top = CommentFactory(article=comment.article, status=Comment.Status.PENDING, body="Top-level waiting.")
    reply = _reply(comment, body="Reply waiting.")
    services.set_comment_status(comments=[reply], status=Comment.Status.PENDING)

    replies = mod_client.get(QUEUE_URL, {"thread": "replies"}).content.decode()
    top_level = mod_client.get(QUEUE_URL, {"thread": "top_level"}).content.decode()
    admin_replies = mod_client.get(COMMENTS_URL, {"thread": "replies"}).content.decode()

    assert "Reply waiting." in replies and top.body not in replies
    assert top.body in top_level and "Reply waiting." not in top_level
    assert "Reply waiting." in admin_replies and top.body not in admin_replies


def test_the_comment_admin_page_shows_a_replys_thread(mod_client, comment):
    reply = _reply(comment)
    page = mod_client.get(f"{COMMENTS_URL}{reply.pk}/change/").content.decode()
    assert comment.body in page and "A reply in the thread of:" in page
    assert "It starts a thread." in mod_client.get(f"{COMMENTS_URL}{comment.pk}/change/").content.decode()


def test_a_placeholder_leaves_the_queue(comment, settings):
    """Reported, then taken back by its author while it had replies: no words left to judge."""
    settings.REPORTS_TO_HOLD = 5
    _reply(comment)
    report_comment(reporter=EstablishedReaderFactory(), comment=comment, reason="spam")
    assert selectors.queue().filter(pk=comment.pk).exists()

    services.delete_comment(user=comment.author, comment=comment)

    assert not selectors.queue().filter(pk=comment.pk).exists()
