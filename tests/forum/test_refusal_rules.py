"""One refusal rule per action (forum.services comment_refusal, edit_refusal, delete_refusal,
report_refusal; votes.services.vote_refusal): what the article page offers a reader is what the
services then do for them, for every kind of reader and every state of the discussion."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from forum import services
from forum.models import Article, Comment
from moderation.services import report_comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.pages import comment_markup
from votes.models import Vote
from votes.services import cast_vote

pytestmark = pytest.mark.django_db

READERS = ["signed out", "unverified e-mail", "suspended", "banned", "too new", "author", "another reader"]
STATES = ["open", "article closed", "comment's section closed", "other section closed"]


def _reader(kind: str, settings):
    if kind == "signed out":
        return AnonymousUser()
    reader = UserFactory(country="GB")  # the world section: the comment's, and their own
    if kind == "unverified e-mail":
        settings.FORUM_REQUIRE_VERIFIED_EMAIL = True
        reader.email_verified = False
    elif kind == "suspended":
        reader.suspended_until = timezone.now() + timedelta(days=2)
    elif kind == "banned":
        reader.is_banned = True
    elif kind == "too new":
        settings.NEW_ACCOUNT_WAIT_SECONDS = 600
        reader.date_joined = timezone.now()
    reader.save()
    return reader


def _close(article: Article, state: str) -> None:
    fields = {
        "open": {},
        "article closed": {"comments_open": False},
        "comment's section closed": {"world_open": False},
        "other section closed": {"japan_open": False},
    }[state]
    Article.objects.filter(pk=article.pk).update(**fields)
    article.refresh_from_db()


def _page_offers(reader, article: Article, comment: Comment) -> dict[str, bool]:
    """What the article page offers the reader, read from its HTML as a browser would."""
    client = Client()
    if reader.is_authenticated:
        client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    markup = comment_markup(page, comment.pk)
    buttons = re.findall(r'<button type="submit" name="choice"[^>]*>', markup)
    form_button = re.search(r'<form class="comment-form".*?<button type="submit"([^>]*)>', page, re.S)
    return {
        "vote": len(buttons) == 2 and not any(" disabled" in button for button in buttons),
        "report": 'class="report-link"' in markup,
        "edit": 'class="edit-link"' in markup,
        "delete": 'class="delete-link"' in markup,
        "comment": form_button is not None and "disabled" not in form_button.group(1),
        # Signed out, Reply is a link to the thread's page, which invites to sign in: not an offer.
        "reply": reader.is_authenticated and 'class="reply-link"' in markup,
    }


def _services_do(reader, article: Article, comment: Comment) -> dict[str, bool]:
    """What the services do when the reader asks (each refusal raised as PermissionDenied)."""

    def done(action) -> bool:
        try:
            action()
        except PermissionDenied:
            return False
        return True

    return {
        "vote": done(lambda: cast_vote(user=reader, comment=comment, choice=Vote.Choice.AGREE)),
        "report": done(lambda: report_comment(reporter=reader, comment=comment, reason="spam")),
        "comment": done(lambda: services.post_comment(author=reader, article=article, body="Asked to.")),
        "reply": done(lambda: services.post_comment(author=reader, article=article, body="Re.", answering=comment)),
        "edit": done(lambda: services.edit_comment(user=reader, comment=comment, body="Reworded.")),
        "delete": done(lambda: services.delete_comment(user=reader, comment=comment)),  # last: it goes
    }


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("kind", READERS)
def test_the_page_offers_exactly_what_the_services_do(kind, state, settings):
    reader = _reader(kind, settings)
    article = ArticleFactory()
    author = reader if kind == "author" else UserFactory(country="GB")
    comment = CommentFactory(article=article, author=author)
    CommentFactory(article=article, author=UserFactory(country="JP"))  # the other section is not empty
    _close(article, state)
    comment = Comment.objects.select_related("article").get(pk=comment.pk)

    offered = _page_offers(reader, article, comment)
    done = _services_do(reader, article, comment)

    assert offered == done
    if kind == "another reader" and state in ("open", "other section closed"):
        assert offered == {"vote": True, "report": True, "comment": True, "reply": True, "edit": False, "delete": False}
    if kind in ("signed out", "unverified e-mail", "suspended", "banned", "too new"):
        assert offered == dict.fromkeys(offered, False)
    if state == "article closed":  # what was said stays reportable
        assert {action for action, yes in offered.items() if yes} <= {"report"}
    if kind == "author" and state == "open":
        assert offered == {"vote": False, "report": False, "comment": True, "reply": True, "edit": True, "delete": True}


def test_a_refused_reader_is_told_why_beside_the_disabled_form(client, article, settings):
    """The page disables what the reader may not do, and the comment form says why."""
    reader = _reader("suspended", settings)
    CommentFactory(article=article)
    client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Your account is suspended until" in page
    assert re.search(r'<form class="comment-form".*?<button type="submit" disabled>', page, re.S)


@pytest.mark.parametrize("reader_country", ["JP", "GB"])
def test_a_reply_goes_to_its_parents_section_and_is_signed_by_where_its_author_lives(reader_country, article):
    """section_for_new_comment: a top-level comment in its author's section, a reply in its
    parent's thread whichever section that is; signs_new_comment follows the author's region."""
    author = UserFactory(country=reader_country)
    home = "japan" if reader_country == "JP" else "world"
    assert services.section_for_new_comment(author=author) == home
    for parent_section in ("japan", "world"):
        parent = CommentFactory(article=article, section=parent_section)
        assert services.section_for_new_comment(author=author, parent=parent) == parent_section
    assert services.signs_new_comment(author=author) is (reader_country != "JP")
    # A reply's openness is its thread's: the parent's section closed refuses it, the author's does not.
    Article.objects.filter(pk=article.pk).update(japan_open=False)
    article.refresh_from_db()
    japan_parent, world_parent = (CommentFactory(article=article, section=key) for key in ("japan", "world"))
    assert services.comment_refusal(user=author, article=article, parent=japan_parent).code == "section_closed"
    assert services.comment_refusal(user=author, article=article, parent=world_parent) is None


def test_an_unverified_reader_is_shown_where_to_verify_beside_the_disabled_form(client, article, settings):
    reader = _reader("unverified e-mail", settings)
    client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "verify your e-mail address" in page and 'href="/accounts/email/"' in page.split('class="comment-form"')[1]
