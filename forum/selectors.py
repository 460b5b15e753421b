"""Reads for articles and comments: every list selects its related rows up front."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import COUNT_FIELDS, Article, ArticleQuerySet, Comment, CommentQuerySet, Section

# Each sort reads stored columns kept by the tally (see Comment's partial indexes); the id breaks
# ties so that the order is total and cursors never skip or repeat.
SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-created_at", "-id"),
    "best": ("-best_score", "-id"),
    "agreed": ("-agree_count", "-id"),
    "disagreed": ("-disagree_count", "-id"),
    "controversial": ("-controversy_score", "-id"),
    "common_ground": ("-common_ground_score", "-id"),
}
SORT_LABELS: dict[str, Promise] = {
    "newest": _("Newest"),
    "best": _("Best"),
    "agreed": _("Most agreed"),
    "disagreed": _("Most disagreed"),
    "controversial": _("Controversial"),
    "common_ground": _("Common ground"),
}
DEFAULT_SORT = "newest"
COMMENTS_PER_PAGE = 100


def published_articles() -> ArticleQuerySet:
    return Article.objects.published().only(
        "title", "slug", "dateline", "published_at", "discussion_prompt", "comments_open"
    )


def visible_comments() -> CommentQuerySet:
    """Comments anyone may see (see CommentQuerySet.readable), with their author and article."""
    return Comment.objects.readable().select_related("author", "article")


def shown_author(*, comment: Comment, viewer: User | AnonymousUser) -> User | None:
    """Whose comment this is, as the viewer may know it: None when the viewer may not.

    Reactions in Japan are unsigned: only their author and moderators (staff) learn who wrote
    one. Every page, API answer, feed or export that names a comment's author asks this.
    """
    if comment.section != Section.JAPAN:
        return comment.author
    if viewer.is_authenticated and (viewer.is_staff or viewer.pk == comment.author_id):
        return comment.author
    return None


def section_comments(*, article: Article, section: str, sort: str = DEFAULT_SORT) -> CommentQuerySet:
    return (
        Comment.objects.readable()
        .filter(article=article, section=section)
        .select_related("author")
        .order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))
    )


def section_totals(*, article: Article) -> dict[str, int]:
    """Readable comments per section, in one query."""
    return _totals_and_newest(article=article)[0]


def _totals_and_newest(*, article: Article) -> tuple[dict[str, int], int]:
    """Readable comments per section and the newest one's id (0 when none), in one query."""
    totals = (
        Comment.objects.readable()
        .filter(article=article)
        .aggregate(newest=Max("pk"), **{key: Count("pk", filter=Q(section=key)) for key in Section.values})
    )
    return {key: totals[key] or 0 for key in Section.values}, totals["newest"] or 0


@dataclass(frozen=True)
class SectionPage:
    key: str
    title: str
    comments: list[Comment]
    total: int
    page: int
    pages: int
    # The newest readable comment of the whole article when the page was read: ids only grow, so
    # the live counts can tell the page how many comments arrived after it.
    newest_id: int = 0
    closed: bool = False  # this section alone is closed: its form and vote buttons are disabled


def article_sections(*, article: Article, sort: str, pages: dict[str, int]) -> list[SectionPage]:
    """Both sections of an article page: a fixed number of queries whatever the comment count."""
    totals, newest_id = _totals_and_newest(article=article)
    sections = []
    for key, title in Section.choices:
        total = totals[key]
        page_count = max(1, -(-total // COMMENTS_PER_PAGE))
        page = min(max(1, pages.get(key, 1)), page_count)
        start = (page - 1) * COMMENTS_PER_PAGE
        comments = list(section_comments(article=article, section=key, sort=sort)[start : start + COMMENTS_PER_PAGE])
        for comment in comments:
            comment.article = article  # the page already holds it; no query per comment
        closed = article.discussion_open and not article.section_open(key)
        sections.append(
            SectionPage(key, str(title), comments, total, page, page_count, newest_id=newest_id, closed=closed)
        )
    return sections


def live_counts(*, article_id: int, comment_ids: list[int], after_id: int) -> dict:
    """What an open article page needs to stay current (two queries): the stored counters of the
    comments it shows, and per section how many readable comments are newer than ``after_id``."""
    comments = (
        Comment.objects.readable()
        .filter(article_id=article_id, pk__in=comment_ids)
        .values_list("pk", *COUNT_FIELDS)
        .order_by()
    )
    counts = {
        str(row[0]): {name.removesuffix("_count"): value for name, value in zip(COUNT_FIELDS, row[1:], strict=True)}
        for row in comments
    }
    newer = (
        Comment.objects.readable()
        .filter(article_id=article_id, pk__gt=after_id)
        .aggregate(**{key: Count("pk", filter=Q(section=key)) for key in Section.values})
    )
    return {"counts": counts, "new_comments": {key: newer[key] or 0 for key in Section.values}}
