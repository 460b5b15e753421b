"""The article page's shared comment sections (forum/page_cache.py): every reader sees exactly what
a page rendered for them alone would show, every visible change shows on the next request, and
the page answers conditional requests and says who may keep it."""

import gzip
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.utils import timezone, translation

from accounts.services import update_profile
from forum import page_cache, selectors, services
from forum.caching import article_version
from forum.models import Article, Comment, Section
from moderation import services as moderation_services
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.pages import comment_markup
from tests.redis_caches import cache_keys
from votes.counting import tally_comment, tally_comments
from votes.selectors import choices_of
from votes.services import cast_vote

PAGES = {"japan": 1, "world": 1}


def _sections(page: str) -> str:
    """The page's comment sections, from the first section to the end of the comments."""
    start = page.index('<section class="comment-section')
    return page[start : page.rindex("</section>")]


def _without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value="T"', html)


@pytest.fixture
def busy_article(db):
    """Comments in both sections by several authors; the reader under test (in Japan) wrote some
    in each section and voted on others; a second page in the world section."""
    article = ArticleFactory()
    japan_author, world_author = UserFactory(country="JP"), UserFactory(country="FR")
    me = UserFactory(country="JP", display_name="Me In Tokyo")
    comments = []
    for i in range(12):
        author = me if i in (2, 7) else (japan_author if i % 2 else world_author)
        comments.append(
            CommentFactory(article=article, author=author, section=Section.JAPAN if i % 3 else Section.WORLD)
        )
    for i, comment in enumerate(comments):
        if comment.author_id != me.pk and i % 2 == 0:
            cast_vote(user=me, comment=comment, choice="agree" if i % 4 else "disagree")
    # The reader reported one comment they voted on and one they did not (one report holds none).
    for reported in (comments[0], comments[1]):
        moderation_services.report_comment(reporter=me, comment=reported, reason="spam")
    # Counted, as they are a moment after a vote: until then the overlay recounts the reader's
    # voted comments (tests/votes/test_own_votes.py), which a rendering for the reader alone does not.
    tally_comments(comment_ids=[comment.pk for comment in comments])
    return article, me, comments


def _fresh(article: Article, viewer) -> str:
    """The sections rendered for this viewer alone, nothing shared."""
    rendered, _ = page_cache.render_sections(
        article=article,
        sort="newest",
        pages=PAGES,
        viewer=viewer,
        choices_for=lambda ids: choices_of(user=viewer, comment_ids=ids) if viewer.is_authenticated else {},
    )
    return rendered.html


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("who", ["signed out", "voter and author in Japan", "other reader", "staff"])
def test_shared_sections_with_the_overlay_equal_a_rendering_for_the_reader_alone(busy_article, who, language):
    article, me, comments = busy_article
    viewer = {
        "signed out": AnonymousUser(),
        "voter and author in Japan": me,
        "other reader": UserFactory(country="GB"),
        "staff": UserFactory(country="GB", is_staff=True),
    }[who]
    with translation.override(language):
        version = article_version(article.pk)
        first = page_cache.reader_sections(article=article, version=version, sort="newest", pages=PAGES, user=viewer)
        second = page_cache.reader_sections(article=article, version=version, sort="newest", pages=PAGES, user=viewer)
        assert first.html == second.html == _fresh(article, viewer)
    if who == "voter and author in Japan":
        html = first.html
        assert html.count('aria-pressed="true"') == len(choices_of(user=me, comment_ids=[c.pk for c in comments]))
        assert html.count("Me In Tokyo") == 2 and html.count('class="delete-link"') == 2
        assert html.count('class="report reported"') == 2
    if who in ("other reader", "staff"):
        assert 'class="report reported"' not in first.html  # another reader's reports are not theirs
    if who == "signed out":
        assert "Me In Tokyo" not in first.html and "csrfmiddlewaretoken" not in first.html


@pytest.fixture
def threaded(monkeypatch):
    """Pages whose sections show threads: every second comment nested as a reply inside the one
    before it (as replies will be, inside their parent's <li>). The reader parts are per comment,
    so the overlay must lay in a reply's parts and its parent's without touching the other's."""
    article_sections = selectors.article_sections

    def threads(**kwargs):
        sections = article_sections(**kwargs)
        for section in sections:
            parents = section.comments[::2]
            for parent, reply in zip(parents, section.comments[1::2], strict=False):
                parent.shown_replies = [reply]
            section.comments[:] = parents
        return sections

    monkeypatch.setattr(selectors, "article_sections", threads)


@pytest.mark.parametrize("who", ["signed out", "voter and author in Japan", "other reader", "staff"])
def test_shared_threads_with_the_overlay_equal_a_rendering_for_the_reader_alone(busy_article, threaded, who):
    article, me, comments = busy_article
    viewer = {
        "signed out": AnonymousUser(),
        "voter and author in Japan": me,
        "other reader": UserFactory(country="GB"),
        "staff": UserFactory(country="GB", is_staff=True),
    }[who]
    version = article_version(article.pk)
    first = page_cache.reader_sections(article=article, version=version, sort="newest", pages=PAGES, user=viewer)
    second = page_cache.reader_sections(article=article, version=version, sort="newest", pages=PAGES, user=viewer)
    assert first.html == second.html == _fresh(article, viewer)
    html = first.html
    assert html.count('<ol class="replies">') >= 4 and set(first.comment_ids) == {c.pk for c in comments}
    if who == "voter and author in Japan":
        # Their comments and votes show whether they are parents or replies.
        mine = [c for c in comments if c.author_id == me.pk]
        for comment in mine:
            markup = comment_markup(html, comment.pk)
            assert "Me In Tokyo" in markup and 'class="delete-link"' in markup
        assert html.count('aria-pressed="true"') == len(choices_of(user=me, comment_ids=[c.pk for c in comments]))


@pytest.fixture
def real_threads(busy_article):
    """busy_article's comments answered for real (forum.services.post_comment): replies by the
    reader under test (unsigned, in Japan) and by others, replies to replies, the reader's votes
    on replies, threads longer than the page shows, and a placeholder with its replies."""
    article, me, comments = busy_article
    world, japan = UserFactory(country="DE", display_name="Emma"), UserFactory(country="JP")
    replies = []
    for n, parent in enumerate(comments[:6]):
        for k, author in enumerate((world, me, japan, world, me)[: 2 + n % 4]):
            answering = replies[-1] if k and k % 2 == 0 else parent
            replies.append(services.post_comment(author=author, article=article, body=f"R{n}.{k}", answering=answering))
    for reply in replies:
        if reply.author_id != me.pk and reply.pk % 2:
            cast_vote(user=me, comment=reply, choice="agree")
    Comment.objects.filter(pk=comments[5].pk).update(deleted_at=timezone.now(), body="")
    tally_comments(comment_ids=[reply.pk for reply in replies])
    article.save()
    return article, me, comments, replies


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("who", ["signed out", "voter and author in Japan", "other reader", "staff"])
def test_shared_real_threads_with_the_overlay_equal_a_rendering_for_the_reader_alone(real_threads, who, language):
    article, me, comments, replies = real_threads
    viewer = {
        "signed out": AnonymousUser(),
        "voter and author in Japan": me,
        "other reader": UserFactory(country="GB"),
        "staff": UserFactory(country="GB", is_staff=True),
    }[who]
    with translation.override(language):
        version = article_version(article.pk)
        first = page_cache.reader_sections(article=article, version=version, sort="newest", pages=PAGES, user=viewer)
        second = page_cache.reader_sections(article=article, version=version, sort="newest", pages=PAGES, user=viewer)
        assert first.html == second.html == _fresh(article, viewer)
    html = first.html
    shown = [reply for reply in replies if f'id="comment-{reply.pk}"' in html]
    assert len(shown) >= 10 and "more-replies" in html and 'class="comment placeholder"' in html
    if who == "voter and author in Japan":
        mine = [reply for reply in shown if reply.author_id == me.pk]
        assert mine and all("Me In Tokyo" in comment_markup(html, reply.pk) for reply in mine)
        voted = [reply for reply in shown if reply.author_id != me.pk and reply.pk % 2]
        assert voted and all('aria-pressed="true"' in comment_markup(html, reply.pk) for reply in voted)
    else:
        assert "Me In Tokyo" not in html or who == "staff"


def test_a_reader_never_sees_another_readers_state(client, busy_article):
    """The first reader fills the cache; the next one sees none of the first one's state."""
    article, me, _ = busy_article
    client.force_login(me)
    mine = client.get(article.get_absolute_url()).content.decode()
    assert "Me In Tokyo" in mine and 'aria-pressed="true"' in mine
    other = Client()
    other.force_login(UserFactory(country="GB"))
    theirs = other.get(article.get_absolute_url()).content.decode()
    assert "Me In Tokyo" not in theirs and 'aria-pressed="true"' not in theirs and "delete-link" not in theirs
    assert 'class="report reported"' in mine and 'class="report reported"' not in theirs
    signed_out = Client().get(article.get_absolute_url()).content.decode()
    assert "Me In Tokyo" not in signed_out and "disabled" in signed_out


def test_the_csrf_token_and_the_sign_in_address_are_the_readers_own(client, busy_article):
    article, me, _ = busy_article
    client.force_login(me)
    page = client.get(article.get_absolute_url() + "?sort=best").content.decode()
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', _sections(page)))
    assert len(tokens) == 1 and re.fullmatch(r"[A-Za-z0-9]{64}", next(iter(tokens)))
    assert "<!--csrf-->" not in page and "<!--next-->" not in page
    anonymous = Client().get(article.get_absolute_url() + "?sort=best").content.decode()
    assert f"?next={article.get_absolute_url()}%3Fsort%3Dbest%23comment-" in anonymous


def test_a_comment_cannot_forge_a_slot(client, article, reader):
    """Texts are escaped, so a comment containing a slot's text shows it as text."""
    CommentFactory(article=article, body="<!--csrf--> and <!--next-->")
    client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "&lt;!--csrf--&gt; and &lt;!--next--&gt;" in page


# --- Every visible change shows on the next request ---------------------------------------------


def _tally(comment, reader):
    cast_vote(user=UserFactory(country="JP"), comment=comment, choice="agree")
    tally_comment(comment_id=comment.pk)
    return 'data-count="agree">1<', 'data-count="agree">0<'


def _post(comment, reader):
    services.post_comment(author=reader, article=comment.article, body="A fresh reply.")
    return "A fresh reply.", None


def _edit(comment, reader):
    services.edit_comment(user=comment.author, comment=comment, body="Reworded, later.")
    return "Reworded, later.", "First words."


def _delete(comment, reader):
    services.delete_comment(user=comment.author, comment=comment)
    return None, "First words."


def _hide(comment, reader):
    services.set_comment_status(comments=list(Comment.objects.filter(pk=comment.pk)), status=Comment.Status.HIDDEN)
    return None, "First words."


def _move(comment, reader):
    services.move_comments(comments=Comment.objects.filter(pk=comment.pk), section=Section.JAPAN)
    return 'id="section-japan"', None  # checked below: the comment now sits in the Japan section


def _approve(comment, reader):
    pending = CommentFactory(article=comment.article, body="Waited for a moderator.", status=Comment.Status.PENDING)
    moderation_services.approve_comments(moderator=UserFactory(is_staff=True), comment_ids=[pending.pk])
    return "Waited for a moderator.", None


def _rename_author(comment, reader):
    author = comment.author
    update_profile(user=author, display_name="A New Byline", country=str(author.country))
    return "A New Byline", None


def _close_section(comment, reader):
    articles = Article.objects.filter(pk=comment.article_id)
    services.set_section_open(articles=articles, section=Section.WORLD, is_open=False)
    return "section-closed", None


def _edit_article(comment, reader):
    article = comment.article
    article.title = "A corrected headline"
    article.save()
    return "A corrected headline", None


def _close(comment, reader):
    services.set_comments_open(articles=Article.objects.filter(pk=comment.article_id), is_open=False)
    return "closed", None


CHANGES = {
    "tally": _tally,
    "posted": _post,
    "edited": _edit,
    "deleted": _delete,
    "hidden": _hide,
    "moved": _move,
    "approved": _approve,
    "section closed": _close_section,
    "author renamed": _rename_author,
    "article edited": _edit_article,
    "article closed": _close,
}


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("signed_in", [False, True], ids=["signed out", "signed in"])
@pytest.mark.parametrize("change", CHANGES)
def test_the_next_request_shows_every_change(change, signed_in, language, db, django_capture_on_commit_callbacks):
    article = ArticleFactory()
    comment = CommentFactory(article=article, author=UserFactory(country="GB"), body="First words.")
    reader = UserFactory(country="GB")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if signed_in:
        client.force_login(reader)
    url = article.get_absolute_url()
    before = client.get(url)
    assert before.status_code == 200 and "First words." in before.content.decode()
    etag = before.get("ETag")
    # Versions are bumped after commit: the change's after-commit work runs as a commit would run it.
    with django_capture_on_commit_callbacks(execute=True):
        shown, gone = CHANGES[change](comment, reader)
    after = client.get(url, HTTP_IF_NONE_MATCH=etag or "")
    assert after.status_code == 200, "a changed page answers in full, never 304"
    page = after.content.decode()
    if shown:
        assert shown in page
    if gone:
        assert gone not in page
    if change == "moved":
        assert page.index(f'id="comment-{comment.pk}"') < page.index('id="section-world"')
    if change == "article closed":
        assert "Comments on this article are closed." in page or 'class="closed"' in page
    if signed_in and change == "tally":
        assert 'aria-pressed="true"' not in page  # another reader's vote is not this reader's


# --- Conditional requests and who may keep the page ----------------------------------------------


def test_signed_out_page_answers_304_until_the_version_changes(client, comment):
    url = comment.article.get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    assert "public" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
    assert "Accept-Language" in first["Vary"] and "Cookie" in first["Vary"]
    assert not first.cookies, "a page a shared cache keeps must set no cookie"
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"] and not again.content
    assert client.get(url + "?sort=best", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT_LANGUAGE="ja").status_code == 200
    services.edit_comment(user=comment.author, comment=comment, body="Changed.")
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_signed_in_page_is_private_and_never_304(client, reader, comment):
    client.force_login(reader)
    url = comment.article.get_absolute_url()
    first = client.get(url)
    assert "private" in first["Cache-Control"] and "public" not in first["Cache-Control"]
    assert not first.has_header("ETag")
    assert client.get(url, HTTP_IF_NONE_MATCH='"anything"', HTTP_IF_MODIFIED_SINCE="x").status_code == 200


def test_queries_of_a_cached_page(client, django_assert_max_num_queries, busy_article):
    """Cached, signed out: at most the article. Signed in: the session and the user, the article,
    and the overlay's one query, which reads all that the reader's parts of their own comments
    need (one more only to recount a vote newer than its tally)."""
    article, me, comments = busy_article
    url = article.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(1):
        assert client.get(url).status_code == 200
    voter = UserFactory(country="GB")
    cast_vote(user=voter, comment=comments[0], choice="agree")
    client.force_login(voter)
    client.get(url)
    with django_assert_max_num_queries(5):  # the vote not tallied yet: one more query recounts it
        assert 'aria-pressed="true"' in client.get(url).content.decode()
    tally_comment(comment_id=comments[0].pk)
    client.get(url)
    with django_assert_max_num_queries(4):
        assert 'aria-pressed="true"' in client.get(url).content.decode()
    client.force_login(me)
    with django_assert_max_num_queries(4):  # their comments' parts rendered as their author sees them
        assert "Me In Tokyo" in client.get(url).content.decode()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_reader_sees_on_the_article_page_that_they_reported_a_comment(client, article, language):
    """Reported through the report page, the comment shows the mark on the cached article page,
    in place of its Report link, for that reader alone, until a moderator decides it."""
    reporter, other = UserFactory(country="GB"), UserFactory(country="GB")
    reported, untouched = CommentFactory(article=article), CommentFactory(article=article)
    client.force_login(reporter)
    url = article.get_absolute_url()
    client.get(url)  # the shared rendering is cached before the report
    assert client.post(f"/comments/{reported.pk}/report/", {"reason": "spam"}).status_code == 200

    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()

    mark = {"en": "You reported this comment.", "ja": "このコメントは通報済みです。"}[language]
    segment = comment_markup(page, reported.pk)
    assert f'<p class="report reported">{mark}</p>' in segment and "report-link" not in segment
    assert page.count(mark) == 1
    untouched_segment = comment_markup(page, untouched.pk)
    assert "report-link" in untouched_segment
    other_client = Client(HTTP_ACCEPT_LANGUAGE=language)
    other_client.force_login(other)
    assert mark not in other_client.get(url).content.decode()
    # Decided by a moderator (the report closed): no longer marked, as on the report page.
    moderation_services.approve_comments(moderator=UserFactory(is_staff=True), comment_ids=[reported.pk])
    assert mark not in client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_a_page_past_the_end_is_not_cached(client, comment):
    """Made-up page numbers would fill the cache with copies of the last page's sections: they are
    not kept. Each new made-up number adds no sections entry, where a real page adds its own."""
    url = comment.article.get_absolute_url()

    def kept_sections_after(query: str) -> int:
        assert client.get(url + query, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
        return len(cache_keys(match="*:sections:*"))

    assert [kept_sections_after(f"?world_page={n}") for n in (999999, 999998, 999997)] == [0, 0, 0]
    assert kept_sections_after("") == 1  # the real first page is kept


def test_a_kept_page_is_the_page_gzipped_or_not(client, busy_article):
    article, _, _ = busy_article
    url = article.get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200 and not first.has_header("Content-Encoding")
    zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == first.content
    plain = client.get(url)
    assert plain.content == first.content and plain["ETag"] == first["ETag"]


def test_a_signed_out_reader_with_a_message_gets_it_and_it_is_not_kept(client, busy_article):
    article, _, _ = busy_article
    url = article.get_absolute_url()
    etag = client.get(url)["ETag"]  # the page is kept, and the reader has it
    storage, carrier = CookieStorage(HttpRequest()), HttpResponse()
    storage.add(constants.SUCCESS, "Only for you.")
    storage.update(carrier)  # the cookie a view that adds a message would set
    client.cookies[CookieStorage.cookie_name] = carrier.cookies[CookieStorage.cookie_name].value
    page = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert page.status_code == 200 and "Only for you." in page.content.decode()
    assert "private" in page["Cache-Control"]
    assert "Only for you." not in Client().get(url).content.decode()


@pytest.mark.parametrize("change", ["unpublished", "deleted", "slug given to another article"])
def test_a_kept_page_is_never_served_for_an_article_that_changed_hands(client, article, change):
    """Kept pages are found through the article's id remembered from its slug: any change to the
    article bumps its version, so the next request goes back to the database. (An article without
    comments: deleting comments would bump the version anyway.)"""
    url = article.get_absolute_url()
    assert client.get(url).status_code == 200 and client.get(url).status_code == 200  # kept
    if change == "unpublished":
        article.status = Article.Status.DRAFT
        article.save()
        assert client.get(url).status_code == 404
    elif change == "deleted":
        article.delete()
        assert client.get(url).status_code == 404
    else:
        old_slug = article.slug
        article.slug = "moved-elsewhere"
        article.save()
        ArticleFactory(slug=old_slug, title="The newcomer")
        assert "The newcomer" in client.get(url).content.decode()


def test_the_authors_controls_follow_the_edit_window(client, settings, article):
    """The author's controls follow the edit window: when it closes, the Edit control goes at once
    (Delete stays), on a page whose shared sections did not change."""
    author = UserFactory(country="GB")
    CommentFactory(article=article, author=author)
    client.force_login(author)
    url = article.get_absolute_url()
    settings.COMMENT_EDIT_WINDOW_SECONDS = 3600
    client.get(url)
    page = client.get(url).content.decode()
    assert 'class="edit-link"' in page and 'class="delete-link"' in page
    settings.COMMENT_EDIT_WINDOW_SECONDS = 0
    page = client.get(url).content.decode()
    assert 'class="edit-link"' not in page and 'class="delete-link"' in page


def test_the_overlays_statement_is_compiled_once_and_reads_what_the_orm_reads(busy_article):
    """The overlay's one query is the ORM's statement compiled once per process, its only
    parameters the reader's and the article's ids: it finds the same comments, with the same
    state, as the queryset it was compiled from."""
    article, me, comments = busy_article
    assert page_cache._readers_sql(connection.vendor, django_settings.FORUM_READER_REPORTED_COMMENTS) is not None
    ids = tuple(comment.pk for comment in comments)
    compiled = page_cache._readers_comments(user=me, article=article, comment_ids=ids)
    orm = list(page_cache._readers_query(user=me, article_id=article.pk))

    def state(rows):
        return sorted(
            (c.pk, c.author_id, c.my_choice, c.my_vote_at, bool(c.reported_by_me), c.agree_count) for c in rows
        )

    assert state(compiled) == state(orm) and len(compiled) >= 6
