"""A reader's own pages and export name an article only as readers could see it.

An article taken out of view (back to draft) and retitled in the admin keeps, for the readers who
commented, voted or reported under it, the title and slug it last had while published
(Article.last_public_title / last_public_slug, noted on every save); one never published is
named by nothing but that.
"""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forum import services
from forum.models import Article
from moderation.services import report_comment
from tests.api.conftest import client_for
from tests.factories import ArticleFactory, UserFactory
from votes.services import cast_vote

pytestmark = pytest.mark.django_db

PUBLIC_TITLE = "Budget passes the lower house"
PUBLIC_SLUG = "budget-passes"
DRAFT_TITLE = "EMBARGOED Minister to resign"
DRAFT_SLUG = "minister-to-resign"


def _edit_in_admin(moderator, article: Article, **changes) -> None:
    """Save the article's change form as an editor does, with these fields changed."""
    local = timezone.localtime(article.published_at) if article.published_at else None
    form = {
        "title": article.title,
        "slug": article.slug,
        "dateline": article.dateline.isoformat(),
        "body": article.body,
        "discussion_prompt": article.discussion_prompt,
        "status": article.status,
        "comments_open": "on",
        "japan_open": "on",
        "world_open": "on",
        "published_at_0": local.date().isoformat() if local else "",
        "published_at_1": local.time().strftime("%H:%M:%S") if local else "",
    } | changes
    client = Client()
    client.force_login(moderator)
    response = client.post(reverse("admin:forum_article_change", args=[article.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]


def _own_outputs(reader) -> dict[str, str]:
    """The reader's own pages and exports, by name."""
    web = Client()
    web.force_login(reader)
    api = client_for(reader)
    answers = {
        "my comments": web.get(reverse("my_comments")),
        "my votes": web.get(reverse("my_votes")),
        "export": web.get(reverse("account_export")),
        "api export": api.get(reverse("api_me_export")),
        "api my comments": api.get(reverse("api_me_comments")),
    }
    for name, response in answers.items():
        assert response.status_code == 200, name
    return {name: response.content.decode() for name, response in answers.items()}


def _mentions(outputs: dict[str, str], *words: str) -> dict[str, list[str]]:
    return {name: found for name, text in outputs.items() if (found := [w for w in words if w in text])}


def test_a_draft_retitled_after_readers_took_part_shows_them_only_its_published_title(moderator):
    article = ArticleFactory(title=PUBLIC_TITLE, slug=PUBLIC_SLUG)
    author, voter = UserFactory(country="FR"), UserFactory(country="JP")
    comment = services.post_comment(author=author, article=article, body="My words on the budget.")
    cast_vote(user=voter, comment=comment, choice="agree")
    report_comment(reporter=voter, comment=comment, reason="spam")

    _edit_in_admin(moderator, article, status="draft", title=DRAFT_TITLE, slug=DRAFT_SLUG)

    for reader in (author, voter):
        outputs = _own_outputs(reader)
        assert _mentions(outputs, DRAFT_TITLE, DRAFT_SLUG) == {}
    author_outputs = _own_outputs(author)
    assert PUBLIC_TITLE in author_outputs["my comments"]
    assert reverse("article", args=[PUBLIC_SLUG]) not in author_outputs["my comments"]  # it leads nowhere now
    [exported] = json.loads(author_outputs["export"])["comments"]
    assert (exported["article"], exported["article_title"]) == (PUBLIC_SLUG, PUBLIC_TITLE)
    [listed] = json.loads(author_outputs["api my comments"])["results"]
    assert (listed["article"], listed["article_title"]) == (PUBLIC_SLUG, PUBLIC_TITLE)
    voter_export = json.loads(_own_outputs(voter)["api export"])
    assert [vote["article"] for vote in voter_export["votes"]] == [PUBLIC_SLUG]
    assert [report["article"] for report in voter_export["reports"]] == [PUBLIC_SLUG]

    # Published again under the new title, that title is public: readers see it from then on.
    article.refresh_from_db()
    _edit_in_admin(moderator, article, status="published")
    outputs = _own_outputs(author)
    assert DRAFT_TITLE in outputs["my comments"] and f'href="{comment.get_absolute_url()}"' in outputs["my comments"]
    assert PUBLIC_TITLE not in outputs["my comments"]


def test_an_article_that_went_public_at_its_scheduled_time_keeps_that_title(moderator):
    """Nothing saved the article when its time came: the save that takes it back to draft notes
    the title it had until then, not the one it is given."""
    article = ArticleFactory(title=PUBLIC_TITLE, slug=PUBLIC_SLUG, published_at=timezone.now() + timedelta(hours=1))
    assert article.last_public_title == ""  # scheduled: not seen yet
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(minutes=1))  # time passes
    author = UserFactory(country="FR")
    services.post_comment(author=author, article=article, body="Said while it was out.")
    article.refresh_from_db()

    _edit_in_admin(moderator, article, status="draft", title=DRAFT_TITLE, slug=DRAFT_SLUG)

    outputs = _own_outputs(author)
    assert _mentions(outputs, DRAFT_TITLE, DRAFT_SLUG) == {}
    [exported] = json.loads(outputs["export"])["comments"]
    assert (exported["article"], exported["article_title"]) == (PUBLIC_SLUG, PUBLIC_TITLE)


def test_an_article_never_published_is_named_by_nothing(client, article):
    """A superuser moved the comment under a draft in its form: no title was ever public."""
    draft = ArticleFactory(title=DRAFT_TITLE, slug=DRAFT_SLUG, status=Article.Status.DRAFT)
    author = UserFactory(country="FR")
    comment = services.post_comment(author=author, article=article, body="Moved under a draft.")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = {"article": draft.pk, "author": author.pk, "section": "world", "status": "visible", "body": comment.body}
    assert client.post(reverse("admin:forum_comment_change", args=[comment.pk]), form).status_code == 302

    outputs = _own_outputs(author)
    assert _mentions(outputs, DRAFT_TITLE, DRAFT_SLUG) == {}
    assert "An article that is not published" in outputs["my comments"]
    [exported] = json.loads(outputs["export"])["comments"]
    assert (exported["article"], exported["article_title"]) == (None, None)
    [listed] = json.loads(outputs["api my comments"])["results"]
    assert (listed["article"], listed["article_title"]) == (None, None)
