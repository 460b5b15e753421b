"""A refused comment gives the reader their text back, in the box, with the reason beside it:
the new-account wait, a suspension, the rate limit, a closed section or discussion, a banned word,
on the article page and on the edit form. (The browser side, with and without JavaScript and in
both languages: tests/e2e/test_refusals_keep_the_text.py.)"""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from forum.models import Article, Comment
from moderation.models import WordRule
from tests.factories import CommentFactory
from tests.page_script import PageScript

pytestmark = pytest.mark.django_db

RATE_LIMITED = "Too many comments at once. Please wait %(duration)s and try again: your text is kept below."
TEXT = "A considered reply about supply chains, with 「日本語」 too."


def box_text(response) -> str:
    """What the comment box holds on the page answered."""
    match = re.search(r"<textarea[^>]*name=\"body\"[^>]*>(.*?)</textarea>", response.content.decode(), re.S)
    assert match, "the page has no comment box"
    return html.unescape(match.group(1)).strip()


def in_new_account_wait(reader, settings):
    settings.NEW_ACCOUNT_WAIT_SECONDS = 600
    reader.date_joined = timezone.now()
    reader.save()


def suspended(reader, settings):
    reader.suspended_until = timezone.now() + timedelta(days=3)
    reader.save()


def section_closed(reader, settings):
    Article.objects.update(world_open=False)  # the reader is in the US: their section


def discussion_closed(reader, settings):
    Article.objects.update(comments_open=False)


def banned_word(reader, settings):
    WordRule.objects.create(phrase="supply", list=WordRule.List.BANNED, note="Off limits")


REFUSALS = {
    "new-account wait": (in_new_account_wait, 403, "New accounts can vote and comment"),
    "suspension": (suspended, 403, "Your account is suspended until"),
    "closed section": (section_closed, 403, "are closed"),
    "closed discussion": (discussion_closed, 403, "Comments on this article are closed."),
    "banned word": (banned_word, 400, "Off limits"),
}


@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_a_refused_post_keeps_the_text_in_the_box(client, reader, article, settings, refusal):
    make, status, reason = REFUSALS[refusal]
    make(reader, settings)
    client.force_login(reader)
    response = client.post(reverse("post_comment", args=[article.slug]), {"body": TEXT})
    assert response.status_code == status
    assert box_text(response) == TEXT
    assert reason in html.unescape(response.content.decode())
    assert not Comment.objects.exists()


@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_a_refused_edit_keeps_the_new_wording_in_the_box(client, reader, article, settings, refusal):
    comment = CommentFactory(article=article, author=reader, body="The first wording.")
    make, status, reason = REFUSALS[refusal]
    make(reader, settings)
    client.force_login(reader)
    response = client.post(reverse("edit_comment", args=[comment.pk]), {"body": TEXT})
    assert response.status_code == status
    assert box_text(response) == TEXT
    assert reason in html.unescape(response.content.decode())
    comment.refresh_from_db()
    assert comment.body == "The first wording."


def test_an_edit_after_the_window_keeps_the_new_wording(client, reader, article):
    comment = CommentFactory(article=article, author=reader, body="The first wording.")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    client.force_login(reader)
    response = client.post(reverse("edit_comment", args=[comment.pk]), {"body": TEXT})
    assert response.status_code == 403
    assert box_text(response) == TEXT
    assert "The time for editing this comment has passed." in html.unescape(response.content.decode())


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_over_the_rate_limit_the_text_stays_with_the_wait(client, reader, article, rates, lang):
    rates(comment_user="1/min")
    client.force_login(reader)
    url = reverse("post_comment", args=[article.slug])
    assert client.post(url, {"body": "The first."}, headers={"accept-language": lang}).status_code == 302
    response = client.post(url, {"body": TEXT}, headers={"accept-language": lang})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert box_text(response) == TEXT
    with override(lang):
        expected = gettext(RATE_LIMITED)
    assert expected.split("%(duration)s")[0] in html.unescape(response.content.decode())
    assert Comment.objects.count() == 1

    comment = Comment.objects.get()
    edit = client.post(reverse("edit_comment", args=[comment.pk]), {"body": TEXT}, headers={"accept-language": lang})
    assert edit.status_code == 429 and box_text(edit) == TEXT


def test_an_edit_in_place_over_the_limit_is_the_apis_429(client, reader, article, rates):
    """The in-place editor's PATCH counts against the comment limits as the edit page does: the
    API answers 429 with Retry-After, and the page's own address answers the page with the text."""
    rates(comment_user="1/min")
    comment = CommentFactory(article=article, author=reader)
    script = PageScript(reader, article)
    assert script.edit(comment.pk, {"body": "Once."}).status_code == 200
    response = script.edit(comment.pk, {"body": "Twice."})
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1 and set(response.json()) == {"detail"}
    client.force_login(reader)
    page = client.post(
        reverse("edit_comment", args=[comment.pk]), {"body": "Thrice."}, headers={"accept": "application/json"}
    )
    assert page.status_code == 429 and box_text(page) == "Thrice."
    comment.refresh_from_db()
    assert comment.body == "Once."
