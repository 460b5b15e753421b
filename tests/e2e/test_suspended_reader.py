"""A suspended reader, in a real headless Chromium against the live server: the article page
offers them nothing the services would refuse (the vote buttons and the comment form are disabled,
no Report link), and says why beside the form, with the date and time the suspension ends."""

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


def test_a_suspended_reader_is_offered_nothing_and_told_until_when(page: Page, live_server):
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

    # The page says why, beside the form it disables (forum.services.comment_refusal).
    expect(page.get_by_text(f"Your account is suspended until {until}")).to_be_visible()
    expect(page.get_by_label("Your comment")).to_be_disabled()
    expect(page.get_by_role("button", name="Post comment")).to_be_disabled()
    # The vote buttons are disabled by the rule the vote service raises (votes.services.vote_refusal).
    theirs = page.locator(f"#comment-{their_comment.pk}")
    expect(theirs.get_by_role("button", name=re.compile("^I agree"))).to_be_disabled()
    expect(theirs.get_by_role("button", name=re.compile("^I disagree"))).to_be_disabled()
    expect(theirs.locator(".report-link")).to_have_count(0)
    assert not Vote.objects.exists() and not Comment.objects.filter(author=reader).exists()
