import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from forum.demo import seed_text_to_markdown
from forum.models import Article, Comment, Section
from moderation.tasks import close_old_discussions

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_load_demo_creates_the_article_with_18_japan_and_17_world_comments():
    """The demo loader brings in the seed article and every one of its 35 comments."""
    call_command("load_demo")
    article = Article.objects.get()
    assert article.title == "Government-Business Alliance Forms to Strengthen Supply Chains"
    assert article.status == Article.Status.PUBLISHED
    assert Comment.objects.filter(article=article, section=Section.JAPAN).count() == 18
    assert Comment.objects.filter(article=article, section=Section.WORLD).count() == 17


def test_load_demo_twice_creates_nothing_new():
    """Running the loader again leaves the same rows."""
    call_command("load_demo")
    counts = (Article.objects.count(), Comment.objects.count())
    call_command("load_demo")
    assert (Article.objects.count(), Comment.objects.count()) == counts == (1, 35)


def test_demo_body_keeps_subheadings_and_bullets():
    """The seed's short lines become subheadings and its bullet lines a list."""
    call_command("load_demo")
    html = Article.objects.get().body_html
    assert "<h2>Background: China's Escalating Export Restrictions</h2>" in html
    assert "<h3>1. Supply Source Diversification</h3>" in html
    assert html.count("<li>") == 5
    assert "<li>Automotive: Neodymium magnets in EV and hybrid vehicle motors</li>" in html


def test_world_voices_keep_their_names_and_known_countries():
    """World voices are signed with the writer's name; the country only where the text says it."""
    call_command("load_demo")
    chen = Comment.objects.get(author__display_name="Michael Chen")
    assert chen.section == Section.WORLD and chen.author.country == "US"
    assert Comment.objects.get(author__display_name="Thomas Anderson").author.country == ""


def test_seed_text_to_markdown_marks_headings_and_lists():
    text = "First paragraph ends here.\n\nA Heading\n\nKey points:\n\n  • one\n  • two\n"
    assert seed_text_to_markdown(text) == "First paragraph ends here.\n\n## A Heading\n\nKey points:\n\n- one\n- two\n"


def test_the_demo_is_published_when_loaded_so_the_timed_closing_leaves_it_open(settings):
    """The seed is dated months back, but the demo article is published at loading: the timed
    closing (beat's first run comes minutes after `make run`) must not close a newcomer's demo."""
    settings.FORUM_COMMENTS_CLOSE_AFTER_DAYS = 14
    call_command("load_demo")
    article = Article.objects.get()
    assert article.dateline.isoformat() == "2026-01-19"  # the news keeps its date
    assert timezone.now() - article.published_at < timedelta(hours=1)
    assert Comment.objects.filter(created_at__gt=timezone.now()).count() == 0  # none from the future
    assert close_old_discussions.apply().get() == 0
    article.refresh_from_db()
    assert article.discussion_open
    # ... and it closes like any article once its 14 days are over.
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(days=14, minutes=1))
    assert close_old_discussions.apply().get() == 1


@pytest.mark.parametrize(("seconds", "told"), [(600, "10 minutes after signing up"), (0, "at once")])
def test_load_demo_tells_the_console_about_the_new_account_wait(settings, seconds, told):
    """`make run` prints what load_demo says: a newcomer learns that a new account waits, and how long."""
    settings.NEW_ACCOUNT_WAIT_SECONDS = seconds
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert told in out.getvalue()
    assert f"FORUM_NEW_ACCOUNT_WAIT_SECONDS={seconds}" in out.getvalue()
