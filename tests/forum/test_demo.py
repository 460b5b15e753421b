import pytest
from django.core.management import call_command

from forum.demo import seed_text_to_markdown
from forum.models import Article, Comment, Section

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
