"""An article in English and Japanese: the reader sees their language, with a link to the other;
comments carry the language they are written in (lang), detected and correctable by the author."""

import re

import pytest
from django.urls import reverse

from forum.models import Article, Comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.page_script import PageScript
from votes.services import cast_vote

pytestmark = pytest.mark.django_db

JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def translated():
    return ArticleFactory(
        title="Supply chains get a push",
        slug="supply-chains",
        body="The English body.\n\n## Background\n",
        discussion_prompt="What do you think?",
        title_ja="供給網の強化へ",
        body_ja="日本語の本文。\n\n## 背景\n",
        discussion_prompt_ja="どう思いますか。",
    )


def _article_element(page: str) -> str:
    return re.search(r'<article class="article"[^>]*>.*?</article>', page, re.S).group(0)


def test_an_english_reader_sees_the_original_and_a_link_to_the_japanese_version(client, translated):
    page = client.get(translated.get_absolute_url(), **EN).content.decode()
    article = _article_element(page)
    assert '<html lang="en"' in page
    assert '<article class="article" lang="en">' in article
    assert "<h1>Supply chains get a push</h1>" in article and "The English body." in article
    assert "<title>Supply chains get a push" in page
    assert "供給網" not in page
    link = '<a href="/articles/supply-chains/ja/" hreflang="ja">Read this article in Japanese</a>'
    assert link in article


def test_a_japanese_reader_sees_the_japanese_version_and_a_link_to_the_original(client, translated):
    page = client.get(translated.get_absolute_url(), **JA).content.decode()
    article = _article_element(page)
    assert '<html lang="ja"' in page
    assert '<article class="article" lang="ja">' in article
    assert "<h1>供給網の強化へ</h1>" in article and "<h2>背景</h2>" in article and "どう思いますか。" in article
    assert "<title>供給網の強化へ" in page
    assert "The English body." not in page and "What do you think?" not in page
    assert '<a href="/articles/supply-chains/en/" hreflang="en">英語の原文を読む</a>' in article
    assert "編集部が原文から翻訳しました。" in article


def test_the_address_of_a_version_shows_it_whatever_the_readers_language(client, translated):
    page = client.get(reverse("article_in_language", args=[translated.slug, "en"]), **JA).content.decode()
    article = _article_element(page)
    assert '<html lang="ja"' in page  # the site still speaks Japanese around it
    assert '<article class="article" lang="en">' in article and "<h1>Supply chains get a push</h1>" in article
    assert 'href="/articles/supply-chains/ja/" hreflang="ja">この記事を日本語で読む</a>' in article
    english = client.get(reverse("article_in_language", args=[translated.slug, "ja"]), **EN).content.decode()
    assert '<article class="article" lang="ja">' in english and "Read the original in English" in english


def test_an_article_without_a_japanese_version_shows_the_original_to_everyone(client, reader):
    article = ArticleFactory(title="Only in English", slug="only-english")
    page = client.get(article.get_absolute_url(), **JA).content.decode()
    assert '<article class="article" lang="en">' in page and "<h1>Only in English</h1>" in page
    assert "article-languages" not in page and "/only-english/ja/" not in page
    missing = client.get(reverse("article_in_language", args=[article.slug, "ja"]), **JA)
    assert missing.status_code == 302 and missing["Location"] == article.get_absolute_url()
    client.force_login(reader)
    assert client.get(reverse("article_in_language", args=[article.slug, "ja"])).status_code == 302


def test_cached_signed_out_pages_are_kept_per_language(client, translated, django_assert_max_num_queries):
    """Each language's page is rendered once and kept; neither is ever served to the other."""
    url = translated.get_absolute_url()
    first_en = client.get(url, **EN)
    first_ja = client.get(url, **JA)
    assert "Accept-Language" in first_en["Vary"] and first_en["ETag"] != first_ja["ETag"]
    with django_assert_max_num_queries(0):  # both served from the page cache now
        again_en = client.get(url, **EN).content.decode()
        again_ja = client.get(url, **JA).content.decode()
        again_en_2 = client.get(url, **EN).content.decode()
    assert "<h1>Supply chains get a push</h1>" in again_en and "供給網" not in again_en
    assert "<h1>供給網の強化へ</h1>" in again_ja and "The English body." not in again_ja
    assert again_en_2 == again_en == first_en.content.decode()
    assert again_ja == first_ja.content.decode()
    # A reader with the other language's ETag is not told the page has not changed.
    other = client.get(url, HTTP_IF_NONE_MATCH=first_en["ETag"], **JA)
    assert other.status_code == 200 and "<h1>供給網の強化へ</h1>" in other.content.decode()


def test_editing_the_japanese_version_reaches_the_cached_page(client, translated):
    url = translated.get_absolute_url()
    assert "<h1>供給網の強化へ</h1>" in client.get(url, **JA).content.decode()
    translated.title_ja = "供給網の強化に官民が連携"
    translated.save()
    assert "<h1>供給網の強化に官民が連携</h1>" in client.get(url, **JA).content.decode()


def test_the_home_page_lists_the_title_in_the_readers_language(client, translated, django_assert_max_num_queries):
    ArticleFactory(title="Another story", slug="another")
    with django_assert_max_num_queries(3):
        japanese = client.get(reverse("home"), **JA).content.decode()
    assert 'lang="ja">供給網の強化へ</a>' in japanese and 'lang="en">Another story</a>' in japanese
    english = client.get(reverse("home"), **EN).content.decode()
    assert 'lang="en">Supply chains get a push</a>' in english and "供給網" not in english


def test_half_a_japanese_version_is_refused_in_the_admin(client, translated):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:forum_article_change", args=[translated.pk])
    form = {
        "title": translated.title,
        "slug": translated.slug,
        "dateline": translated.dateline.isoformat(),
        "body": translated.body,
        "discussion_prompt": translated.discussion_prompt,
        "title_ja": "新しい見出しだけ",
        "body_ja": "",
        "discussion_prompt_ja": "",
        "status": "published",
        "comments_open": "on",
        "japan_open": "on",
        "world_open": "on",
        "published_at_0": translated.published_at.strftime("%Y-%m-%d"),
        "published_at_1": translated.published_at.strftime("%H:%M:%S"),
    }
    refused = client.post(url, form, **EN)
    assert refused.status_code == 200
    assert "A Japanese version needs both a title and a body (or neither)." in refused.content.decode()
    assert "新しい見出しだけ" in refused.content.decode()  # what was typed is kept
    assert Article.objects.get(pk=translated.pk).title_ja == "供給網の強化へ"
    saved = client.post(url, {**form, "body_ja": "本文も。"}, **EN)
    assert saved.status_code == 302
    stored = Article.objects.get(pk=translated.pk)
    assert stored.title_ja == "新しい見出しだけ" and stored.body_ja_html == "<p>本文も。</p>"


# --- Comments: the language they are written in ------------------------------------------------


def _comment_body(page: str, comment: Comment) -> str:
    return re.search(rf'id="comment-{comment.pk}".*?(<p class="comment-body"[^>]*>)', page, re.S).group(1)


def test_a_posted_comment_gets_its_detected_language_on_every_page(client, article, reader):
    client.force_login(reader)
    client.post(reverse("post_comment", args=[article.slug]), {"body": "供給網の多様化は急務だと思う。"})
    client.post(reverse("post_comment", args=[article.slug]), {"body": "Diversifying supply is overdue."})
    japanese = Comment.objects.get(body__startswith="供給網")
    english = Comment.objects.get(body__startswith="Diversifying")
    assert (japanese.language, english.language) == ("ja", "en")
    page = client.get(article.get_absolute_url(), **EN).content.decode()
    assert _comment_body(page, japanese) == '<p class="comment-body" lang="ja">'
    assert _comment_body(page, english) == '<p class="comment-body" lang="en">'
    client.logout()
    signed_out = client.get(article.get_absolute_url(), **JA).content.decode()
    assert _comment_body(signed_out, japanese) == '<p class="comment-body" lang="ja">'
    assert _comment_body(signed_out, english) == '<p class="comment-body" lang="en">'
    client.force_login(reader)
    mine = client.get(reverse("my_comments"), **EN).content.decode()
    assert '<p class="comment-body" lang="ja">供給網の多様化は急務だと思う。' in mine
    assert '<p class="comment-body" lang="en">Diversifying supply is overdue.' in mine
    delete_page = client.get(reverse("delete_comment", args=[japanese.pk])).content.decode()
    assert '<blockquote class="comment-body" lang="ja">' in delete_page


def test_the_author_corrects_the_language_when_posting(client, article, reader):
    client.force_login(reader)
    page = client.get(article.get_absolute_url(), **JA).content.decode()
    assert '<option value="" selected>本文から自動判定</option>' in page
    client.post(reverse("post_comment", args=[article.slug]), {"body": "Tsunami, karaoke, emoji!", "language": "ja"})
    assert Comment.objects.get().language == "ja"


def test_an_unknown_language_is_refused_and_the_text_kept(client, article, reader):
    client.force_login(reader)
    response = client.post(
        reverse("post_comment", args=[article.slug]), {"body": "Keep these words.", "language": "fr"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Keep these words." in page and "Select a valid choice" in page
    assert not Comment.objects.exists()


def test_an_emoji_only_comment_takes_the_language_the_author_reads_the_site_in(client, article, reader):
    client.force_login(reader)
    client.post(reverse("post_comment", args=[article.slug]), {"body": "👍👍"}, **JA)
    assert Comment.objects.get().language == "ja"


def test_the_author_corrects_the_language_on_the_edit_page(client, article, reader):
    comment = CommentFactory(article=article, author=reader, body="Sushi, sake, sashimi.", language="en")
    client.force_login(reader)
    url = reverse("edit_comment", args=[comment.pk])
    form = client.get(url).content.decode()
    assert '<option value="en" selected>English</option>' in form  # the stored language, detected or chosen
    response = client.post(url, {"body": "Sushi, sake, sashimi.", "language": "ja"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.language == "ja" and not comment.is_edited  # the words did not change
    page = client.get(article.get_absolute_url()).content.decode()
    assert _comment_body(page, comment) == '<p class="comment-body" lang="ja">'


def test_a_new_wording_edited_in_place_has_its_language_detected(client, article, reader):
    comment = CommentFactory(article=article, author=reader, body="First in English.", language="en")
    answer = PageScript(reader, article).edit(comment.pk, {"body": "日本語で書き直した。"}).json()
    assert (answer["body"], answer["language"], answer["is_edited"]) == ("日本語で書き直した。", "ja", True)


def test_my_votes_and_the_report_page_mark_the_comments_language(client, article, reader):
    japanese = CommentFactory(article=article, body="備蓄は時間稼ぎに過ぎない。", language="ja")
    cast_vote(user=reader, comment=japanese, choice="agree")
    client.force_login(reader)
    votes = client.get(reverse("my_votes")).content.decode()
    assert '<blockquote class="comment-body" lang="ja">備蓄は時間稼ぎに過ぎない。' in votes
    report = client.get(reverse("report_comment", args=[japanese.pk])).content.decode()
    assert '<blockquote class="reported-comment" lang="ja">備蓄は時間稼ぎに過ぎない。' in report
