"""Deep pages cost what the first one does: the article page's sections seek to cached page starts
instead of an OFFSET, and API cursors are row comparisons the sort's partial index seeks to."""

import json

import pytest
from django.db import connection

from api.pagination import after
from forum import services
from forum.models import Comment, Section
from forum.selectors import SORTS, article_sections, section_comments
from tests.factories import UserFactory
from tests.forum.conftest import PER_PAGE


def _world_page(article, sort, page):
    return next(s for s in article_sections(article=article, sort=sort, pages={"world": page}) if s.key == "world")


@pytest.mark.parametrize("sort", list(SORTS))
def test_every_page_is_the_slice_an_offset_would_give(article, world, small_pages, sort):
    ordered = list(section_comments(article=article, section=Section.WORLD, sort=sort).values_list("pk", flat=True))
    assert len(ordered) == 10
    seen = []
    for page in range(1, 5):
        section = _world_page(article, sort, page)
        assert (section.page, section.pages, section.total) == (page, 4, 10)
        shown = [comment.pk for comment in section.comments]
        assert shown == ordered[(page - 1) * PER_PAGE : page * PER_PAGE]
        seen += shown
    assert seen == ordered


def test_a_page_past_the_end_shows_the_last(article, world, small_pages):
    assert _world_page(article, "newest", 99).page == 4
    assert len(_world_page(article, "newest", 99).comments) == 1


def test_query_count_is_the_same_on_every_page(article, world, small_pages, django_assert_max_num_queries):
    # Each count has two more queries: the threads' first replies, for both sections at once, and
    # the editors' picks (cached for the content version, like the totals).
    with django_assert_max_num_queries(5):  # totals, one page per section, the threads, the picks
        _world_page(article, "best", 1)
    with django_assert_max_num_queries(6):  # + the page starts of each section, on a cold cache
        _world_page(article, "best", 4)
    for page in (1, 2, 3, 4):
        with django_assert_max_num_queries(3):  # totals and starts cached for this version
            _world_page(article, "best", page)


def test_page_starts_follow_the_content_version(article, world, small_pages, django_capture_on_commit_callbacks):
    """A new comment shifts every page by one; the starts cached before it are not used after.
    (Versions are bumped after commit: each change's after-commit work runs as a commit would.)"""
    before = [c.pk for c in _world_page(article, "newest", 2).comments]
    with django_capture_on_commit_callbacks(execute=True):
        newest = services.post_comment(author=UserFactory(country="US"), article=article, body="Arrived late.")
    after_post = [c.pk for c in _world_page(article, "newest", 2).comments]
    ordered = list(section_comments(article=article, section=Section.WORLD, sort="newest").values_list("pk", flat=True))
    assert ordered[0] == newest.pk
    assert after_post == ordered[PER_PAGE : 2 * PER_PAGE]
    assert after_post != before
    with django_capture_on_commit_callbacks(execute=True):
        services.set_comment_status(
            comments=list(Comment.objects.filter(pk=ordered[PER_PAGE])), status=Comment.Status.HIDDEN
        )
    assert ordered[PER_PAGE] not in [c.pk for c in _world_page(article, "newest", 2).comments]


def test_the_web_page_shows_the_deep_page(client, article, world, small_pages):
    ordered = list(section_comments(article=article, section=Section.WORLD, sort="best").values_list("pk", flat=True))
    html = client.get(f"{article.get_absolute_url()}?sort=best&world_page=3").content.decode()
    for pk in ordered[2 * PER_PAGE : 3 * PER_PAGE]:
        assert f'id="comment-{pk}"' in html
    for pk in ordered[: 2 * PER_PAGE]:
        assert f'id="comment-{pk}"' not in html


def _comment_rows_read(queryset) -> int:
    """How many comment rows PostgreSQL read to answer the query: those its scans passed on plus
    those they read and then discarded (EXPLAIN ANALYZE's counts; the plan's shape is not asserted)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask whether the index *can* seek
        try:
            (plan,) = json.loads(queryset.explain(format="json", analyze=True))
        finally:
            cursor.execute("SET LOCAL enable_seqscan = on")

    def read(node: dict) -> int:
        own = 0
        if node.get("Relation Name") == Comment._meta.db_table:
            passed = node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
            own = (passed + node.get("Rows Removed by Index Recheck", 0)) * node["Actual Loops"]
        return own + sum(read(child) for child in node.get("Plans", []))

    return read(plan["Plan"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's EXPLAIN ANALYZE")
@pytest.mark.parametrize("sort", list(SORTS))
def test_a_cursor_page_reads_no_row_before_the_cursor(article, world, sort):
    """The cursor is a condition the index seeks to: a page after the fifth comment reads at most
    what the first page reads less those five, where a filter would read them and throw them away."""
    column = SORTS[sort][0].removeprefix("-")
    section = section_comments(article=article, section=Section.WORLD, sort=sort)
    ordered = list(section)
    pivot = ordered[4]
    page = section.filter(after(column, getattr(pivot, column), pivot.pk))[:21]
    assert list(page.all()) == ordered[5:]
    assert _comment_rows_read(page) <= _comment_rows_read(section.all()[:21]) - 5
