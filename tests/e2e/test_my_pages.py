"""A reader's own pages in a real Chromium, in English and in Japanese and without JavaScript:
"My comments" lists every comment with its status (a removed one says why, or that no reason was
given) and links to the shown ones; "My votes" lists what the reader agreed and disagreed with,
each linked to its comment on the article. Both are reached from the profile."""

import re

import pytest
from playwright.sync_api import Page, expect

from forum.models import Comment
from tests.e2e.i18n import tr
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from votes.services import cast_vote

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase-42"


@pytest.fixture
def readers_history(db):
    reader = UserFactory(username="kenji", display_name="Kenji", country="JP", password=PASSWORD)
    article = ArticleFactory(title="Rare earths and supply chains")
    shown = CommentFactory(article=article, author=reader, body="Stockpiles buy time.")
    removed = CommentFactory(article=article, author=reader, body="A remark a moderator removed.")
    Comment.objects.filter(pk=removed.pk).update(status=Comment.Status.HIDDEN)
    liked = CommentFactory(article=article, author=UserFactory(country="DE"), body="Recycling buys independence.")
    disliked = CommentFactory(article=article, author=UserFactory(country="US"), body="Tariffs will fix it.")
    cast_vote(user=reader, comment=liked, choice="agree")
    cast_vote(user=reader, comment=disliked, choice="disagree")
    return {"article": article, "shown": shown, "removed": removed, "liked": liked, "disliked": disliked}


def open_my_page(open_page, base_url: str, lang: str, name: str) -> Page:
    """Signs the reader in (no JavaScript), lands on the profile and follows its link ``name``."""
    page = open_page(java_script_enabled=False)
    page.goto(f"{base_url}/accounts/sign-in/?next=/accounts/profile/")
    page.locator("#id_username").fill("kenji")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form.stacked").get_by_role("button", name=tr(lang, "Sign in")).click()
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.locator("main").get_by_role("link", name=tr(lang, name), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, name))
    return page


def test_my_comments_with_their_status_and_links(open_page, lang, live_server, readers_history):
    shown, removed = readers_history["shown"], readers_history["removed"]
    page = open_my_page(open_page, live_server.url, lang, "My comments")
    expect(page.locator(".my-comment")).to_have_count(2)

    removed_item = page.locator(f"#my-comment-{removed.pk}")
    expect(removed_item.locator(".comment-body")).to_have_text(removed.body)
    expect(removed_item.locator(".comment-status")).to_have_text(tr(lang, "Removed by a moderator"))
    expect(removed_item.locator(".rejection-reason")).to_have_text(tr(lang, "No reason was given."))

    shown_item = page.locator(f"#my-comment-{shown.pk}")
    expect(shown_item.locator(".comment-status")).to_have_text(tr(lang, "Shown"))
    expect(shown_item.locator(".rejection-reason")).to_have_count(0)
    shown_item.get_by_role("link", name=readers_history["article"].title).click()
    expect(page).to_have_url(re.compile(rf"#comment-{shown.pk}$"))
    expect(page.locator(f"#comment-{shown.pk}")).to_be_in_viewport()
    expect(page.locator(f"#comment-{removed.pk}")).to_have_count(0)


def test_my_votes_say_what_the_reader_agreed_and_disagreed_with(open_page, lang, live_server, readers_history):
    liked, disliked = readers_history["liked"], readers_history["disliked"]
    page = open_my_page(open_page, live_server.url, lang, "My votes")
    votes = page.locator(".my-vote")
    expect(votes).to_have_count(2)
    title = tr(lang, "on “%(title)s”", title=readers_history["article"].title)
    for comment, said in ((liked, "You agreed with"), (disliked, "You disagreed with")):
        item = votes.filter(has_text=comment.body)
        expect(item.locator(".my-vote-choice")).to_have_text(tr(lang, said))
        expect(item.locator(".hint")).to_contain_text(title)

    votes.filter(has_text=disliked.body).get_by_role("link", name=tr(lang, "Go to the comment")).click()
    expect(page).to_have_url(re.compile(rf"#comment-{disliked.pk}$"))
    mine = page.locator(f"#comment-{disliked.pk}")
    expect(mine).to_be_in_viewport()
    expect(mine.locator(".vote-button.disagree")).to_have_attribute("aria-pressed", "true")
