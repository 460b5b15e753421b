"""Reads for articles and comments: every list selects its related rows up front."""

from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan, TupleLessThanOrEqual
from django.db.models.functions import Abs, Cast, Coalesce, Mod, NullIf, RowNumber
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from accounts.models import Badge, Mute, User
from accounts.selectors import active_badge

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
    """The home page's articles, newest first, each with its visible top-level comments per
    section (``section_counts``: what the article page's sections count; replies are in their
    threads) and its latest activity (``latest_activity``: the newest comment or reply or counted
    vote, None when there is none), all in one aggregate query."""
    visible = Q(comments__status=Comment.Status.VISIBLE)
    top_level = visible & Q(comments__parent__isnull=True)
    totals = {f"{key}_total": Count("comments", filter=top_level & Q(comments__section=key)) for key in Section.values}
    articles = list(
        published_articles()
        .annotate(
            **totals,
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
    """Comments anyone may see (see CommentQuerySet.readable), with their author (and badge) and article."""
    return Comment.objects.readable().select_related("author__badge", "article")


@dataclass(frozen=True)
class ShownBadge:
    """A badge as shown beside its holder's name (accounts.Badge): the kind, the custom title,
    and the short public description."""

    kind: str
    title: str
    description: str

    @property
    def label(self) -> str:
        """What it says, in the active language: エキスパート / Expert, 記者 / Journalist, or the title."""
        if self.kind == Badge.Kind.CUSTOM or self.kind not in Badge.Kind.values:
            return self.title
        return str(Badge.Kind(self.kind).label)


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
    # On a signed comment, the author's badge when they hold one they accepted; never on an
    # unsigned one (a badge would point at who wrote it).
    badge: ShownBadge | None = None


def shown_badge(user: User) -> ShownBadge | None:
    """The author's accepted badge as shown (None without one). Reads ``user.badge``: lists select
    ``author__badge`` so that it costs no query."""
    badge = active_badge(user=user)
    return None if badge is None else ShownBadge(badge.kind, badge.title, badge.description)


def shown_author(*, comment: Comment, viewer: User | AnonymousUser) -> ShownAuthor | None:
    """Who wrote this comment, as the viewer may know it; None when the viewer may not.

    The one rule of the forum's anonymity: a comment names its author to every reader only when it
    is signed (Comment.signed: posted by a reader outside Japan, or by a badge holder who agreed
    to sign, and never turned on later). An unsigned one (every other reaction in Japan, and one a
    moderator moved out of Japan) names its author only to that author and to moderators (staff),
    and never with a badge. Pages, the API, feeds and exports ask this and nothing else; nothing
    else reads comment.author for readers.
    """
    if comment.signed:
        author = comment.author
        return ShownAuthor(author.public_name, author.country or None, signed=True, badge=shown_badge(author))
    if viewer.is_authenticated and (viewer.is_staff or (viewer.pk is not None and viewer.pk == comment.author_id)):
        return ShownAuthor(comment.author.public_name, None, signed=False)
    return None


def section_comments(*, article: Article, section: str, sort: str = DEFAULT_SORT) -> CommentQuerySet:
    return (
        Comment.objects.readable()
        .top_level()
        .filter(article=article, section=section)
        .select_related("author__badge")
        .order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))
    )


def section_totals(*, article: Article) -> dict[str, int]:
    """Readable comments per section, in one query."""
    return _totals_and_newest(article=article)[0]


def _totals_and_newest(*, article: Article) -> tuple[dict[str, int], int]:
    """Readable top-level comments per section (what the sections list and page through; replies
    are in their threads) and the newest comment's or reply's id (0 when none), in one query."""
    top_level = Q(parent__isnull=True)
    totals = Comment.objects.readable(article=article).aggregate(
        newest=Max("pk"), **{key: Count("pk", filter=top_level & Q(section=key)) for key in Section.values}
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
    picks: tuple["EditorsPick", ...] = ()  # shown at the top of the section (editors_picks)


def article_sections(*, article: Article, sort: str, pages: dict[str, int]) -> list[SectionPage]:
    """Both sections of an article page: a fixed number of queries whatever the comment count and
    whatever the page: one per section, plus the totals and the page starts of each section when
    they are not cached yet for this content version."""
    sort = sort if sort in SORTS else DEFAULT_SORT
    version = caching.article_version(article.pk)
    totals, newest_id = _cached_totals_and_newest(article=article, version=version)
    sections = []
    threads: list[Comment] = []
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
        threads.extend(comments)
        closed = article.discussion_open and not article.section_open(key)
        sections.append(
            SectionPage(key, str(title), comments, total, page, page_count, newest_id=newest_id, closed=closed)
        )
    attach_replies(threads, article=article)
    picks = _cached_editors_picks(article=article, version=version)
    return [replace(section, picks=picks.get(section.key, ())) for section in sections]


def _cached_editors_picks(*, article: Article, version: int) -> dict[str, tuple["EditorsPick", ...]]:
    """editors_picks under the content version, like the totals: a section's later pages and other
    sorts need no query for them; picking, unpicking and hiding bump the version."""
    cache = caching.shared_cache()
    key = caching.editors_picks_key(article_id=article.pk, version=version)
    found = cache.get(key)
    if found is None:
        found = editors_picks(article=article)
        cache.set(key, found)
    return found


# --- Editors' picks -----------------------------------------------------------------------------

PICKS_SHOWN = 10  # per section, newest pick first


@dataclass(frozen=True)
class EditorsPick:
    """An editors' pick (編集部ピックアップ) as the top of its section shows it, to every reader
    alike: its author as a signed-out reader sees them (forum.selectors.shown_author), so that the
    shared section never names an unsigned author."""

    comment_id: int
    url: str
    body: str
    language: str
    note: str
    created_at: object
    is_reply: bool
    author: ShownAuthor | None


def editors_picks(*, article: Article) -> dict[str, tuple[EditorsPick, ...]]:
    """The article's editors' picks by section, newest pick first, up to PICKS_SHOWN each, in one
    query. Only those readers can see: a pick that was hidden (or held, or deleted) stops showing,
    and so does a reply whose thread's comment did."""
    rows = (
        Comment.objects.readable()
        .filter(article=article, picked_at__isnull=False, deleted_at__isnull=True)
        .filter(Q(parent__isnull=True) | Q(parent__status=Comment.Status.VISIBLE, parent__deleted_at__isnull=True))
        .select_related("author__badge")
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("section")], order_by=[F("picked_at").desc(), F("id").desc()])
        )
        .filter(rank__lte=PICKS_SHOWN)
        .order_by("-picked_at", "-id")
    )
    signed_out = AnonymousUser()
    picks: dict[str, list[EditorsPick]] = {}
    for comment in rows:
        picks.setdefault(comment.section, []).append(
            EditorsPick(
                comment_id=comment.pk,
                url=comment.get_absolute_url(),
                body=comment.body,
                language=comment.language,
                note=comment.pick_note,
                created_at=comment.created_at,
                is_reply=comment.is_reply,
                author=shown_author(comment=comment, viewer=signed_out),
            )
        )
    return {key: tuple(found) for key, found in picks.items()}


# --- Threads -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    """Whom a reply to a reply answers, as every reader is told (shown_author for a reader
    nobody is signed in as): ``name`` when that reply is signed ("@Emma"), None when it is not
    ("Replying to a reader in Japan"). ``url``: where it shows, on this page or its permalink."""

    name: str | None
    comment_id: int
    url: str


def _thread_rows(article: Article) -> CommentQuerySet:
    """A thread's visible replies with what their markup reads: the author (byline) and the reply
    each answers with its author (the "@name" naming). The article page has already checked that
    the article is published."""
    return Comment.objects.visible().filter(article=article).select_related(*_THREAD_RELATED)


# What a reply's markup and answer read with it: its author, and whom it answers ("@name").
_THREAD_RELATED = ("author__badge", "reply_to__author__badge")


def _name_answered(replies: list[Comment], *, parent: Comment, shown: set[int]) -> None:
    """Set ``answering`` (an Answered, or None when it answers the thread itself) on each reply,
    with ``parent`` as its parent (no query per reply)."""
    nobody = AnonymousUser()
    permalink = reverse("comment", args=[0]).removesuffix("0/")
    for reply in replies:
        reply.parent = parent
        reply.answering = None
        answered = reply.reply_to if reply.reply_to_id not in (None, parent.pk) else None
        if answered is None or answered.status != Comment.Status.VISIBLE or answered.is_placeholder:
            continue
        by = shown_author(comment=answered, viewer=nobody)
        url = f"#comment-{answered.pk}" if answered.pk in shown else f"{permalink}{answered.pk}/"
        reply.answering = Answered(by.public_name if by else None, answered.pk, url)


def attach_replies(parents: list[Comment], *, article: Article, shown: int | None = None) -> None:
    """Give each top-level comment its first ``shown`` replies (FORUM_THREAD_REPLIES_SHOWN), oldest
    first (``shown_replies``), its number of visible replies (``reply_count``) and how many are not
    shown (``more_replies``): one query for all the threads, whatever their number (each reply is
    numbered in its thread and counted with window functions; comment_thread_idx serves it)."""
    if shown is None:
        shown = settings.FORUM_THREAD_REPLIES_SHOWN
    shown = max(0, shown)
    for parent in parents:
        parent.shown_replies, parent.reply_count, parent.more_replies = [], 0, 0
    if not parents:
        return
    by_id = {parent.pk: parent for parent in parents}
    thread = [F("parent_id")]
    rows = (
        _thread_rows(article)
        .filter(parent_id__in=list(by_id))
        .annotate(
            position=Window(RowNumber(), partition_by=thread, order_by=[F("created_at").asc(), F("id").asc()]),
            in_thread=Window(Count("id"), partition_by=thread),
        )
        # The first reply of every thread comes back even when none is shown: it carries the count.
        .filter(position__lte=max(shown, 1))
        .order_by("parent_id", "position")
    )
    for reply in rows:
        parent = by_id[reply.parent_id]
        parent.reply_count = reply.in_thread
        if reply.position <= shown:
            reply.article = article
            parent.shown_replies.append(reply)
    ids = {parent.pk for parent in parents} | {reply.pk for parent in parents for reply in parent.shown_replies}
    for parent in parents:
        parent.more_replies = parent.reply_count - len(parent.shown_replies)
        _name_answered(parent.shown_replies, parent=parent, shown=ids)


@dataclass(frozen=True)
class ThreadPage:
    """A thread's own page: its top-level comment and one page of its replies, oldest first."""

    parent: Comment
    replies: list[Comment]
    total: int
    page: int
    pages: int


def thread_page(*, parent: Comment, page: int = 1) -> ThreadPage:
    """One page of the thread under ``parent`` (a readable top-level comment with its article):
    two queries, the count and the page (the replies' authors and whom they answer with them)."""
    per_page = max(1, settings.FORUM_THREAD_REPLIES_PER_PAGE)
    rows = thread_replies(parent=parent)
    total = rows.count()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    replies = list(rows.order_by(*THREAD_ORDER)[(page - 1) * per_page : page * per_page])
    for reply in replies:
        reply.article = parent.article
    _name_answered(replies, parent=parent, shown={parent.pk} | {reply.pk for reply in replies})
    parent.shown_replies, parent.reply_count, parent.more_replies = replies, total, 0
    return ThreadPage(parent, replies, total, page, pages)


def reply_place(*, reply: Comment) -> int:
    """A reply's place in its thread, counting from 0 (oldest first, among visible replies): one
    count, which comment_thread_idx serves. The article page shows the first
    FORUM_THREAD_REPLIES_SHOWN; the others are on the thread's pages."""
    return (
        Comment.objects.visible()
        .filter(parent_id=reply.parent_id)
        .filter(TupleLessThan(Tuple(F("created_at"), F("id")), (reply.created_at, reply.pk)))
        .count()
    )


def is_published(article_id: int) -> bool:
    return Article.objects.published().filter(pk=article_id).exists()


def live_counts(*, article_id: int, comment_ids: list[int], after_id: int) -> dict:
    """What an open article page needs to stay current (two queries): the stored counters of the
    comments it shows (replies included), per section how many readable top-level comments are
    newer than ``after_id``, and per thread shown how many replies are (``new_replies``, by the
    parent's id; threads without new replies are left out)."""
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
        .values_list("section", "parent_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    new_comments = dict.fromkeys(Section.values, 0)
    new_replies = {}
    shown = set(comment_ids)
    for section, parent_id, n in newer:
        if parent_id is None:
            new_comments[section] = new_comments.get(section, 0) + n
        elif parent_id in shown:
            new_replies[str(parent_id)] = n
    return {"counts": counts, "new_comments": new_comments, "new_replies": new_replies}


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
        Comment.objects.readable(article=article)
        .filter(deleted_at__isnull=True)  # a placeholder has no words to quote
        .select_related("author__badge")
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


# --- Threads, for the API -----------------------------------------------------------------------


def reply_counts(*, comment_ids: list[int]) -> dict[int, int]:
    """The visible replies in each of these comments' threads, in one query over
    comment_thread_idx (the page's comments are already readable, so their replies are too);
    {} without a query when there are none to count."""
    if not comment_ids:
        return {}
    rows = (
        Comment.objects.visible()
        .filter(parent_id__in=comment_ids)
        .order_by()
        .values("parent_id")
        .annotate(replies=Count("pk"))
        .values_list("parent_id", "replies")
    )
    return dict(rows)


def with_reply_counts(comments: CommentQuerySet) -> CommentQuerySet:
    """The comments with their threads' visible replies counted in the same query (``reply_total``,
    a subquery per row read over comment_thread_idx): a page of comments costs no query more."""
    replies = (
        Comment.objects.visible()
        .filter(parent=OuterRef("pk"))
        .order_by()
        .values("parent")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return comments.annotate(reply_total=Coalesce(Subquery(replies, output_field=IntegerField()), 0))


def thread_replies(*, parent: Comment) -> CommentQuerySet:
    """A readable thread's visible replies with their authors and whom each answers, to be read
    oldest first (THREAD_ORDER): the thread's page and the API's thread list. The parent was read
    as readable, so its replies are without asking again."""
    return Comment.objects.visible().filter(parent=parent).select_related(*_THREAD_RELATED)


# A thread's order: oldest first, the id breaking ties (comment_thread_idx).
THREAD_ORDER = ("created_at", "id")


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
