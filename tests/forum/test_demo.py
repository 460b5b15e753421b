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
    top_level = Comment.objects.filter(article=article).top_level()
    assert top_level.filter(section=Section.JAPAN).count() == 18
    assert top_level.filter(section=Section.WORLD).count() == 17


def test_demo_threads_cross_between_japan_and_the_world():
    """The demo's replies: a voice from Germany answers a reaction from Japan, signed, in the
    Japan section's thread; its Japan reader answers back unsigned, naming the reply it answers."""
    call_command("load_demo")
    question = Comment.objects.get(author__display_name="Sophie Mueller", parent__isnull=False)
    answer = Comment.objects.get(reply_to=question)
    assert question.section == answer.section == Section.JAPAN
    assert question.signed and not answer.signed
    assert answer.parent_id == question.parent_id and question.reply_to_id == question.parent_id
    assert answer.author_id == question.parent.author_id  # the reader who wrote the reaction
    assert all(reply.created_at > reply.reply_to.created_at for reply in Comment.objects.filter(parent__isnull=False))


def test_load_demo_twice_creates_nothing_new():
    """Running the loader again leaves the same rows."""
    call_command("load_demo")
    counts = (Article.objects.count(), Comment.objects.count())
    call_command("load_demo")
    assert (Article.objects.count(), Comment.objects.count()) == counts == (1, 41)


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


def test_the_demo_article_has_its_japanese_version():
    """The project's Japanese translation of the seed article, laid out as the English one."""
    call_command("load_demo")
    article = Article.objects.get()
    assert article.is_translated and article.title_ja == "サプライチェーン強化へ官民が連携"
    html = article.body_ja_html
    assert "<h2>背景：中国が輸出規制を強化</h2>" in html
    assert "<h3>1. 調達先の多様化</h3>" in html and "<h3>4. リサイクルの推進</h3>" in html
    assert html.count("<li>") == 5 and "<li>自動車：EVやハイブリッド車のモーターに使われるネオジム磁石</li>" in html
    # Paragraphs stay paragraphs: the Japanese full stop ends prose, not a heading.
    assert "<p>影響が懸念される主な産業は次の通り。</p>" in html
    assert html.count("<h2>") == Article.objects.get().body_html.count("<h2>")
    assert html.count("<h3>") == Article.objects.get().body_html.count("<h3>") == 4
    assert article.discussion_prompt_ja.startswith("あなたの国では")


def test_the_demo_page_in_japanese_shows_the_japanese_article(client):
    call_command("load_demo")
    article = Article.objects.get()
    page = client.get(article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<article class="article" lang="ja">' in page and "<h1>サプライチェーン強化へ官民が連携</h1>" in page
    assert f'href="{article.get_language_url("en")}" hreflang="en">英語の原文を読む</a>' in page
    # The demo's comments are in English, and marked so on the Japanese page.
    assert page.count('<p class="comment-body" lang="en">') == 41  # 35 comments and the 6 replies in their threads
    assert set(Comment.objects.values_list("language", flat=True)) == {"en"}


def test_loading_the_demo_again_gives_an_earlier_demo_article_its_japanese_version():
    call_command("load_demo")
    Article.objects.update(title_ja="", body_ja="", body_ja_html="", discussion_prompt_ja="")
    call_command("load_demo")
    article = Article.objects.get()
    assert article.is_translated and "<h2>今後の見通しと課題</h2>" in article.body_ja_html


def test_seed_text_to_markdown_reads_japanese_prose_and_headings():
    text = "最初の段落。\n\n見出し\n\n主な産業は次の通り。\n\n  • 自動車\n  • 電子機器\n\n1. 番号付きの見出し\n"
    assert seed_text_to_markdown(text) == (
        "最初の段落。\n\n## 見出し\n\n主な産業は次の通り。\n\n- 自動車\n- 電子機器\n\n### 1. 番号付きの見出し\n"
    )
