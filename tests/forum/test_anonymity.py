"""Nothing that identifies the author of an unsigned comment reaches anyone but its author and
moderators: no id, no name, no username, in any page, attribute, feed, API field or export.

A comment is signed or not from the moment it is posted (Comment.signed, from its section), and
forum.selectors.shown_author is the one rule every output asks. A moderator moving a reaction from
Japan to the world does not sign it: its author never agreed to be named.
"""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.services import update_profile
from forum import services
from forum.models import Comment, Section
from tests.api.conftest import client_for
from tests.factories import UserFactory
from tests.pages import comment_markup
from votes.counting import tally_comments
from votes.services import cast_vote

pytestmark = pytest.mark.django_db

# Distinctive enough that finding one in an answer can only mean the author leaked.
SECRET_ID = 7_654_321
SECRET_USERNAME = "hanako-unsigned"
SECRET_NAME = "Hanako Himitsu"
UNSIGNED_HINT = "(unsigned for other readers)"


@pytest.fixture
def japan_author(db):
    return UserFactory(id=SECRET_ID, username=SECRET_USERNAME, display_name=SECRET_NAME, country="JP")


@pytest.fixture
def other_reader(db):
    return UserFactory(username="kenji", display_name="Kenji", country="JP")


def _move(moderator, comments, action: str) -> None:
    """Move comments through the admin's action, as a moderator does."""
    client = Client()
    client.force_login(moderator)
    response = client.post(
        reverse("admin:forum_comment_changelist"),
        {"action": action, "_selected_action": [comment.pk for comment in comments]},
        follow=True,
    )
    assert response.status_code == 200


@pytest.fixture
def unsigned(article, japan_author, other_reader, moderator):
    """The Japan author's two unsigned comments: one in Japan, one a moderator moved to the world.
    The other reader voted on both and reported one, so they show in that reader's own pages and
    export; Japan's agreement makes the first a pick of the perception gap."""
    in_japan = services.post_comment(author=japan_author, article=article, body="Stays in Japan, unsigned.")
    moved = services.post_comment(author=japan_author, article=article, body="Moved to the world, unsigned.")
    _move(moderator, [moved], "move_to_world")
    signed_voice = services.post_comment(
        author=UserFactory(display_name="Berliner", country="DE"), article=article, body="A signed voice."
    )
    for comment in (in_japan, moved):
        cast_vote(user=other_reader, comment=comment, choice="agree")
    client = Client()
    client.force_login(other_reader)
    assert (
        client.post(reverse("report_comment", args=[in_japan.pk]), {"reason": "spam"}).status_code == 200
    )  # answered on the report page itself
    tally_comments(comment_ids=[in_japan.pk, moved.pk, signed_voice.pk])
    return in_japan, moved


def _reader_outputs(viewer, article, comments: list[Comment]) -> dict[str, str]:
    """Everything a reader can fetch that involves these comments, by name: pages (with the
    perception block), the comment's permalink, the feed, the live counts, the API's lists,
    details and perception; signed in, also the reader's own pages and exports."""
    web = Client()
    if viewer is not None:
        web.force_login(viewer)
    api = client_for(viewer)
    ids = ",".join(str(comment.pk) for comment in comments)
    pages = {
        "home": web.get(reverse("home")),
        "article": web.get(article.get_absolute_url()),
        "article, best first": web.get(article.get_absolute_url() + "?sort=best"),
        "feed": web.get(reverse("article_feed")),
        "live counts": web.get(reverse("article_live", args=[article.pk]) + f"?ids={ids}&after=0"),
        "api articles": api.get(reverse("api_articles")),
        "api article": api.get(reverse("api_article", args=[article.slug])),
        "api perception": api.get(reverse("api_article_perception", args=[article.slug])),
        **{
            f"api list {section}": api.get(reverse("api_comments", args=[article.slug]) + f"?section={section}")
            for section in Section.values
        },
    }
    for comment in comments:
        pages[f"permalink {comment.pk}"] = web.get(comment.get_absolute_url(), follow=True)
        pages[f"api comment {comment.pk}"] = api.get(reverse("api_comment", args=[comment.pk]))
    if viewer is not None:
        pages |= {
            "my votes": web.get(reverse("my_votes")),
            "my comments": web.get(reverse("my_comments")),
            "export": web.get(reverse("account_export")),
            "api export": api.get(reverse("api_me_export")),
            "api my comments": api.get(reverse("api_me_comments")),
            **{f"report page {c.pk}": web.get(reverse("report_comment", args=[c.pk])) for c in comments},
        }
    for name, response in pages.items():
        assert response.status_code == 200, name
    return {name: response.content.decode() for name, response in pages.items()}


def _leaks(outputs: dict[str, str], *secrets: str) -> dict[str, list[str]]:
    return {name: found for name, text in outputs.items() if (found := [s for s in secrets if s in text])}


@pytest.mark.parametrize("who", ["signed out", "another reader"])
def test_no_reader_output_names_the_author_of_an_unsigned_comment(who, article, unsigned, other_reader):
    viewer = other_reader if who == "another reader" else None
    outputs = _reader_outputs(viewer, article, list(unsigned))

    assert _leaks(outputs, str(SECRET_ID), SECRET_USERNAME, SECRET_NAME) == {}
    assert not any("data-author-id" in text for text in outputs.values())
    # The scan read the comments themselves: both bodies on the page, one in the perception gap.
    page = outputs["article"]
    assert "Stays in Japan, unsigned." in page and "Moved to the world, unsigned." in page
    perception = page[page.index('class="perception"') :]
    assert "Stays in Japan, unsigned." in perception
    assert "A signed voice." in page and "Berliner" in page  # a signed comment still names its author
    for name in ("api comment " + str(comment.pk) for comment in unsigned):
        answer = json.loads(outputs[name])
        assert answer["author"] is None and answer["signed"] is False


@pytest.mark.parametrize("who", ["author", "moderator"])
def test_the_author_and_moderators_still_see_who_wrote_it(who, article, unsigned, japan_author, moderator):
    """The scan above would have found the name: here it is, for those allowed to see it."""
    viewer = japan_author if who == "author" else moderator
    web = Client()
    web.force_login(viewer)
    page = web.get(article.get_absolute_url()).content.decode()
    for comment in unsigned:
        markup = comment_markup(page, comment.pk)
        assert SECRET_NAME in markup and UNSIGNED_HINT in markup
        assert 'class="country"' not in markup
        answer = client_for(viewer).get(reverse("api_comment", args=[comment.pk])).json()
        assert answer["author"] == {"display_name": SECRET_NAME, "country": None, "badge": None}
        assert answer["signed"] is False


def test_an_unsigned_reaction_is_not_linked_to_the_same_authors_signed_voice(client, article, japan_author):
    """The finding as reported: one reader's unsigned reaction and, after moving abroad, their
    signed voice carried the same data-author-id, so the byline of one named the other."""
    reaction = services.post_comment(author=japan_author, article=article, body="From Osaka, unsigned.")
    update_profile(user=japan_author, display_name=SECRET_NAME, country="DE")
    voice = services.post_comment(author=japan_author, article=article, body="From Berlin, signed.")
    assert (reaction.signed, voice.signed) == (False, True)

    for viewer in (None, UserFactory(country="GB")):
        outputs = _reader_outputs(viewer, article, [reaction, voice])
        assert _leaks(outputs, str(SECRET_ID), SECRET_USERNAME) == {}
        page = outputs["article"]
        markup = comment_markup(page, reaction.pk)
        assert "From Osaka, unsigned." in markup and SECRET_NAME not in markup
        assert not re.search(r"data-author", page)
        assert SECRET_NAME in page  # on the signed voice, where it belongs


# --- A moderator's move (the second part of finding 10) -------------------------------------------


def test_moving_a_reaction_to_the_world_keeps_it_unsigned(client, article, japan_author, moderator):
    comment = services.post_comment(author=japan_author, article=article, body="Said in Japan.")
    detail = reverse("api_comment", args=[comment.pk])
    assert client_for(None).get(detail).json()["author"] is None

    _move(moderator, [comment], "move_to_world")

    comment.refresh_from_db()
    assert (comment.section, comment.signed) == (Section.WORLD, False)
    answer = client_for(None).get(detail).json()
    assert answer["section"] == "world" and answer["author"] is None and answer["signed"] is False
    page = client.get(article.get_absolute_url()).content.decode()
    markup = comment_markup(page, comment.pk)
    assert page.index('id="section-world"') < page.index(f'id="comment-{comment.pk}"')
    assert "Said in Japan." in markup and 'class="byline"' not in markup and SECRET_NAME not in page


def test_moving_a_signed_voice_to_japan_unsigns_it_for_good(client, article, moderator):
    author = UserFactory(display_name="Traveller", country="FR")
    comment = services.post_comment(author=author, article=article, body="A voice from Lyon.")
    assert client_for(None).get(reverse("api_comment", args=[comment.pk])).json()["author"] is not None

    _move(moderator, [comment], "move_to_japan")
    _move(moderator, [comment], "move_to_world")  # and back: it does not sign it again

    comment.refresh_from_db()
    assert (comment.section, comment.signed) == (Section.WORLD, False)
    assert client_for(None).get(reverse("api_comment", args=[comment.pk])).json()["author"] is None
    assert "Traveller" not in client.get(article.get_absolute_url()).content.decode()


def test_a_superuser_moving_a_comment_in_its_form_cannot_sign_a_reaction(client, article):
    """The comment form's section field (superusers only) follows the same rule as the action."""
    superuser = UserFactory(is_staff=True, is_superuser=True)
    comment = services.post_comment(author=UserFactory(country="FR"), article=article, body="Signed words.")
    client.force_login(superuser)
    url = reverse("admin:forum_comment_change", args=[comment.pk])
    form = {
        "article": article.pk,
        "author": comment.author_id,
        "section": "japan",
        "status": "visible",
        "body": comment.body,
    }
    assert client.post(url, form).status_code == 302
    comment.refresh_from_db()
    assert (comment.section, comment.signed) == (Section.JAPAN, False)
    assert client.post(url, form | {"section": "world"}).status_code == 302
    comment.refresh_from_db()
    assert (comment.section, comment.signed) == (Section.WORLD, False)
