"""A suspended reader, in a real headless Chromium against the live server: their vote (through the
page's script) and their comment (through the form) are both refused, with the date and time the
suspension ends."""

import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone
from playwright.sync_api import Page, expect

from forum.models import Comment
from moderation import sanctions
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from votes.models import Vote

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


def test_suspended_readers_vote_and_comment_are_refused_with_the_date(page: Page, live_server):
    article = ArticleFactory(title="Rare earths and supply chains")
    their_comment = CommentFactory(article=article, author=UserFactory(country="DE"), body="Worth it.")
    moderator = UserFactory(username="mod", is_staff=True)
    reader = UserFactory(username="suspended", display_name="Sam", country="US")
    sanction = sanctions.suspend_reader(moderator=moderator, reader=reader, days=7, reason="Flooding")
    until = formats.date_format(timezone.localtime(sanction.ends_at), "DATETIME_FORMAT")

    page.goto(f"{live_server.url}{reverse('login')}?next={article.get_absolute_url()}")
    page.get_by_label("Username").fill("suspended")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)

    # The vote: the script shows the refusal in place.
    theirs = page.locator(f"#comment-{their_comment.pk}")
    theirs.get_by_role("button", name=re.compile("^I agree")).click()
    expect(theirs.locator(".vote-status")).to_contain_text(f"suspended until {until}")
    assert not Vote.objects.exists()

    # The comment: the form posts, and the page says why it was refused.
    page.get_by_label("Your comment").fill("Can I still post?")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text(f"Your account is suspended until {until}")).to_be_visible()
    assert not Comment.objects.filter(author=reader).exists()
