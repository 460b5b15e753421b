"""Reads for articles and comments: every list selects its related rows up front."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, F, FloatField, Func, Max, Q, Value, When, Window
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThanOrEqual
from django.db.models.functions import Abs, Cast, Mod, NullIf, RowNumber
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from accounts.models import Mute, User

from . import caching
from .models import (
    COUNT_FIELDS,
    Article,
    ArticleQuerySet,
    ArticleText,
    Comment,
    CommentQuerySet,
    CommentRevision,
    Section,
)

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
        "title", "title_ja", "slug", "dateline", "published_at", "discussion_prompt", "comments_open"
    )


@dataclass(frozen=True)
class ArticleHeading:
    """An article's title as a list shows it to a reader: in their language when it has one."""

    language: str
    title: str


def heading_in(article: Article, language: str | None) -> ArticleHeading:
    """The title in ``language`` when the article has a Japanese title, else the original. Reads
    only the titles (the admin's form saves a Japanese version whole, title and body: Article.clean)."""
    if language == Article.JAPANESE and article.title_ja.strip():
        return ArticleHeading(Article.JAPANESE, article.title_ja)
    return ArticleHeading(Article.ORIGINAL_LANGUAGE, article.title)


@dataclass(frozen=True)
class ArticleVersionLink:
    """A link from the article's page to the article in another of its languages."""

    language: str
    name: str  # the language's name in the reader's language
    url: str
    is_original: bool


def other_versions(*, article: Article, shown: ArticleText) -> list[ArticleVersionLink]:
    """The article's versions other than the one shown, the original first."""
    names = dict(settings.LANGUAGES)
    return [
        ArticleVersionLink(
            language=language,
            name=str(names[language]),
            url=article.get_language_url(language),
            is_original=language == Article.ORIGINAL_LANGUAGE,
        )
        for language in article.languages
        if language != shown.language
    ]


def home_articles(*, limit: int = 50) -> list[Article]:
    """The home page's articles, newest first, each with its visible comments per section
    (``section_counts``) and its latest activity (``latest_activity``: the newest comment or
    counted vote, None when there is none), all in one aggregate query."""
    visible = Q(comments__status=Comment.Status.VISIBLE)
    articles = list(
        published_articles()
        .annotate(
            **{f"{key}_total": Count("comments", filter=visible & Q(comments__section=key)) for key in Section.values},
            last_comment_at=Max("comments__created_at", filter=visible),
            last_tally_at=Max("comments__tallied_at", filter=visible),
        )
        .order_by("-published_at", "-id")[:limit]
    )
    for article in articles:
        article.section_counts = [(key, title, getattr(article, f"{key}_total")) for key, title in Section.choices]
        moments = [moment for moment in (article.last_comment_at, article.last_tally_at) if moment is not None]
        article.latest_activity = max(moments, default=None)
    return articles


def visible_comments() -> CommentQuerySet:
    """Comments anyone may see (see CommentQuerySet.readable), with their author and article."""
    return Comment.objects.readable().select_related("author", "article")


@dataclass(frozen=True)
class ShownAuthor:
    """A comment's author as one viewer is shown them: all that any page, API answer, feed or
    export says of who wrote a comment."""

    public_name: str
    # On a signed comment, the author's country when they gave one; never on an unsigned one.
    country: Country | None
    # Whether every reader sees this too. False: an unsigned comment, shown to its own author or
    # to a moderator, who say so beside the name.
    signed: bool


def shown_author(*, comment: Comment, viewer: User | AnonymousUser) -> ShownAuthor | None:
    """Who wrote this comment, as the viewer may know it; None when the viewer may not.

    The one rule of the forum's anonymity: a comment names its author to every reader only when it
    is signed (Comment.signed: posted in "Voices from Around the World", and never turned on
    later). An unsigned one (every reaction in Japan, and one a moderator moved out of Japan)
    names its author only to that author and to moderators (staff). Pages, the API, feeds and
    exports ask this and nothing else; nothing else reads comment.author for readers.
    """
    if comment.signed:
        return ShownAuthor(comment.author.public_name, comment.author.country or None, signed=True)
    if viewer.is_authenticated and (viewer.is_staff or (viewer.pk is not None and viewer.pk == comment.author_id)):
        return ShownAuthor(comment.author.public_name, None, signed=False)
    return None


def section_comments(*, article: Article, section: str, sort: str = DEFAULT_SORT) -> CommentQuerySet:
    return (
        Comment.objects.readable()
        .top_level()
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
    """Both sections of an article page: a fixed number of queries whatever the comment count and
    whatever the page: one per section, plus the totals and the page starts of each section when
    they are not cached yet for this content version."""
    sort = sort if sort in SORTS else DEFAULT_SORT
    version = caching.article_version(article.pk)
    totals, newest_id = _cached_totals_and_newest(article=article, version=version)
    sections = []
    for key, title in Section.choices:
        total = totals[key]
        page_count = max(1, -(-total // COMMENTS_PER_PAGE))
        page = min(max(1, pages.get(key, 1)), page_count)
        comments = section_comments(article=article, section=key, sort=sort)
        if page > 1:
            starts = page_starts(article=article, section=key, sort=sort, version=version)
            if starts:
                comments = comments.filter(_from_key(sort, starts[min(page - 2, len(starts) - 1)]))
        comments = list(comments[:COMMENTS_PER_PAGE])
        for comment in comments:
            comment.article = article  # the page already holds it; no query per comment
        closed = article.discussion_open and not article.section_open(key)
        sections.append(
            SectionPage(key, str(title), comments, total, page, page_count, newest_id=newest_id, closed=closed)
        )
    return sections


def is_published(article_id: int) -> bool:
    return Article.objects.published().filter(pk=article_id).exists()


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


def _cached_totals_and_newest(*, article: Article, version: int) -> tuple[dict[str, int], int]:
    """_totals_and_newest under the content version: counting a 100,000-comment section takes as
    long as a whole page, on every page; any change to who is visible where bumps the version."""
    cache = caching.shared_cache()
    key = caching.section_totals_key(article_id=article.pk, version=version)
    found = cache.get(key)
    if found is None:
        found = _totals_and_newest(article=article)
        cache.set(key, found)
    return found


def _from_key(sort: str, start: tuple) -> TupleLessThanOrEqual:
    """The rows from ``start`` on in the sort's order (descending column, then descending id), as
    one row comparison the sort's partial index seeks to."""
    column = SORTS[sort][0].removeprefix("-")
    return TupleLessThanOrEqual(Tuple(F(column), F("id")), start)


def comment_page(*, comment: Comment, sort: str = DEFAULT_SORT) -> int:
    """The page of its section that shows ``comment`` in the ``sort`` order (one of SORTS): one
    count of the comments before it, which the sort's partial index serves."""
    column = SORTS[sort][0].removeprefix("-")
    before = (
        Comment.objects.readable()
        .top_level()
        .filter(article_id=comment.article_id, section=comment.section)
        .filter(TupleGreaterThan(Tuple(F(column), F("id")), (getattr(comment, column), comment.pk)))
        .count()
    )
    return before // COMMENTS_PER_PAGE + 1


def page_starts(*, article: Article, section: str, sort: str, version: int) -> list[tuple]:
    """The sort key (value, id) of the first comment of pages 2, 3, ... of a section.

    A page is then a seek to its start and COMMENTS_PER_PAGE rows, so page 500 costs what page 1
    does, where an OFFSET reads and throws away every row before it. The list is one pass over
    the sort's partial index (every COMMENTS_PER_PAGE-th key) and is cached under the article's
    content version: anything that could move a comment between pages bumps the version, so a
    list is never used after its order changed.
    """
    cache = caching.shared_cache()
    cache_key = caching.page_starts_key(article_id=article.pk, version=version, section=section, sort=sort)
    starts = cache.get(cache_key)
    if starts is None:
        column = SORTS[sort][0].removeprefix("-")
        order = [F(column).desc(), F("id").desc()]
        numbered = (
            Comment.objects.readable()
            .top_level()
            .filter(article=article, section=section)
            .annotate(position=Window(RowNumber(), order_by=order))
            .annotate(in_page=Mod(F("position") - 1, COMMENTS_PER_PAGE))
            .filter(in_page=0, position__gt=1)
            .order_by(*SORTS[sort])
            .values_list(column, "id")
        )
        starts = [tuple(row) for row in numbered]
        cache.set(cache_key, starts)
    return starts


# --- The perception gap ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionAgreement:
    """One region's votes on a comment, from its stored counters."""

    agree: int
    disagree: int

    @property
    def votes(self) -> int:
        return self.agree + self.disagree

    @property
    def rate(self) -> float | None:
        """Share of this region's votes that agree, or None without votes."""
        return self.agree / self.votes if self.votes else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)


@dataclass(frozen=True)
class PerceptionPick:
    kind: str
    title: Promise
    comment: Comment
    japan: RegionAgreement
    world: RegionAgreement


PERCEPTION_KINDS: dict[str, Promise] = {
    "japan_favourite": _("Japan agrees most with"),
    "world_favourite": _("The world agrees most with"),
    "common_ground": _("Both Japan and the world agree with"),
    "widest_gap": _("Where Japan and the world differ most"),
}


def _agreement_rate(agree: str, disagree: str) -> Func:
    """agree / (agree + disagree) as a float; NULL without votes (never a division by zero)."""
    return Cast(F(agree), FloatField()) / NullIf(Cast(F(agree) + F(disagree), FloatField()), 0.0)


def perception(*, article: Article, min_votes: int | None = None) -> list[PerceptionPick]:
    """How Japan and the world see an article's comments, read from the counters the tally stores
    (no vote is counted here), in one query: each comment is ranked four ways with window
    functions and only the first of each ranking comes back.

    - japan_favourite / world_favourite: the most net agreement from that region's voters
      (agree − disagree, more than zero), so a comment many agree with beats one a few agree with;
    - common_ground: the highest common_ground_score (both regions agree; see votes.scoring);
    - widest_gap: the largest difference between the two regions' agreement rates,
      agree / (agree + disagree), among comments with at least ``min_votes`` from each region
      (PERCEPTION_MIN_VOTES_PER_REGION), so that two or three votes do not make a "gap".

    Only readable comments (visible, under a published article) are considered; a pick may be
    missing, and one comment may fill several roles.
    """
    if min_votes is None:
        min_votes = settings.PERCEPTION_MIN_VOTES_PER_REGION
    min_votes = max(1, min_votes)
    comparable = Q(japan_votes__gte=min_votes, world_votes__gte=min_votes)
    gap = Case(
        When(
            comparable,
            then=Abs(
                _agreement_rate("agree_japan_count", "disagree_japan_count")
                - _agreement_rate("agree_world_count", "disagree_world_count")
            ),
        ),
        default=Value(-1.0),
        output_field=FloatField(),
    )
    scores = {
        "japan_favourite": F("agree_japan_count") - F("disagree_japan_count"),
        "world_favourite": F("agree_world_count") - F("disagree_world_count"),
        "common_ground": F("common_ground_score"),
        "widest_gap": gap,
    }
    tie_breaks = {
        "japan_favourite": ("-agree_japan_count", "-id"),
        "world_favourite": ("-agree_world_count", "-id"),
        "common_ground": ("-id",),
        "widest_gap": ("-agree_count", "-id"),
    }
    ranked = (
        Comment.objects.readable()
        .filter(article=article)
        .select_related("author")
        .annotate(
            japan_votes=F("agree_japan_count") + F("disagree_japan_count"),
            world_votes=F("agree_world_count") + F("disagree_world_count"),
        )
        .annotate(**{f"{kind}_value": score for kind, score in scores.items()})
        .annotate(
            **{
                f"{kind}_rank": Window(RowNumber(), order_by=[F(f"{kind}_value").desc(), *tie_breaks[kind]])
                for kind in scores
            }
        )
        .filter(Q(japan_favourite_rank=1) | Q(world_favourite_rank=1) | Q(common_ground_rank=1) | Q(widest_gap_rank=1))
    )
    firsts = list(ranked)
    picks = []
    for kind in scores:
        comment = next((c for c in firsts if getattr(c, f"{kind}_rank") == 1), None)
        # The best of a ranking still has to mean something: agreement above zero, a real gap.
        if comment is None or not getattr(comment, f"{kind}_value") > 0:
            continue
        comment.article = article  # already held; no query per pick
        picks.append(
            PerceptionPick(
                kind=kind,
                title=PERCEPTION_KINDS[kind],
                comment=comment,
                japan=RegionAgreement(comment.agree_japan_count, comment.disagree_japan_count),
                world=RegionAgreement(comment.agree_world_count, comment.disagree_world_count),
            )
        )
    return picks


def comment_revisions(*, comment: Comment) -> list[CommentRevision]:
    """The comment's earlier texts, newest first, with who replaced each: one query, for
    moderators only (readers are told that a comment was edited, never what it said)."""
    return list(comment.revisions.select_related("edited_by").order_by("-edited_at", "-id"))


# --- A reader's mutes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MutedVoice:
    """One of a reader's mutes as they may be shown it. A signed voice is named; an unsigned one
    only by the comment it was muted from: nothing here says who wrote it, not even by id."""

    id: int  # the mute's own id (what undoing it names)
    signed: bool
    name: str | None  # the muted reader's public name, for a signed voice only
    country: Country | None  # likewise
    comment_id: int | None  # the comment it was muted from, while that comment exists
    article_title: str | None  # that comment's article, as readers last saw it
    created_at: object

    @property
    def comment_url(self) -> str | None:
        return reverse("comment", kwargs={"comment_id": self.comment_id}) if self.comment_id else None

    @property
    def label(self) -> str:
        """The voice in words, in the current language."""
        who = self.name if self.signed else gettext("A reader in Japan")
        if self.signed and self.country:
            who = gettext("%(name)s, %(country)s") % {"name": self.name, "country": self.country.name}
        if self.article_title:
            where = gettext("muted from a comment on “%(title)s”") % {"title": self.article_title}
        else:
            where = gettext("muted from a comment since deleted")
        return gettext("%(who)s (%(where)s)") % {"who": who, "where": where}


def muted_voices(*, reader: User, mute_ids: list[int] | None = None) -> list[MutedVoice]:
    """The voices ``reader`` muted (those of ``mute_ids`` only, when given), newest first, in two
    queries (the mutes, with the signed voices' names; the comments they were muted from, with
    their articles)."""
    mutes = Mute.objects.filter(reader=reader).select_related("muted").order_by("-created_at", "-id")
    if mute_ids is not None:
        mutes = mutes.filter(pk__in=mute_ids)
    mutes = list(mutes)
    comments = Comment.objects.filter(pk__in=[mute.muted_from_comment_id for mute in mutes])
    from_comments = {comment.pk: comment for comment in comments.select_related("article")}
    voices = []
    for mute in mutes:
        comment = from_comments.get(mute.muted_from_comment_id)
        voices.append(
            MutedVoice(
                id=mute.pk,
                signed=mute.signed,
                name=mute.muted.public_name if mute.signed else None,
                country=(mute.muted.country or None) if mute.signed else None,
                comment_id=comment.pk if comment else None,
                article_title=(comment.article.public_title or None) if comment else None,
                created_at=mute.created_at,
            )
        )
    return voices
