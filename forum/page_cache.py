"""The article page's comment sections: rendered once per content version and shared by every
reader; what is a signed-in reader's own is laid over the shared HTML with one query.

Why the sections and not the whole page: the page around them (the "shell": header, messages,
comment form, CSRF token) is per reader and cheap; the sections are the same for everyone and
cost almost all of the rendering.

Cache keys (the "pages" cache, shared by every process) carry the article's content version
(forum/caching.py), read BEFORE the comments: a change made while a page renders bumps past that
number, so what was rendered is never asked for again. Nothing is ever deleted: old versions
simply expire.

Three shared renderings per article, version, language, time zone, sort and pages:
- ``OUT``, for signed-out readers: vote buttons disabled, "Sign in to vote" links;
- ``IN``, for a neutral signed-in reader (``NEUTRAL_READER``: nobody's author, not staff, no votes,
  in good standing);
- ``REFUSED``, for a signed-in reader who may not vote, comment or report (a sanction, an
  unverified address, a new account): every such control disabled or absent.

The markup of a comment is in two places. comment_list.html holds what every reader sees alike
(the text, the time, the "edited" marks, a thread's nested replies) and marks the places of the
comment's reader parts; forum/reader_parts.py holds those parts (the byline, the vote buttons and
counts, Reply, Report, Edit and Delete), small templates rendered from data: what the reader may do with
each comment is asked of the refusal rules the services raise (votes.services.vote_refusal, forum.services.
comment_refusal, report_refusal, edit_refusal, delete_refusal). A rendering is kept cut at the parts (``Sections``),
each part's position known by (comment id, part name).

A signed-in reader gets the shared rendering with their own parts laid in by position
(``overlay``): one query finds the comments they wrote, voted on or reported (``_readers_comments``),
with what the parts read of them, and reader_parts renders those few for the reader. No
string of the shared markup is searched or edited, and a reply nested in its parent's <li> has
parts of its own. Which comments are the reader's own comes from the database, never from the
HTML: the shared markup names no author of an unsigned comment, not even by id. The comments the
reader has reported (and not yet seen decided) are asked in the same query of a function
moderation provides (settings.FORUM_READER_REPORTED_COMMENTS: forum may not import moderation).
So are the comments of the readers they muted (accounts.Mute, in the voice muted: signed or
unsigned): those collapse behind "You muted this reader. Show" (a <details> opened by the byline
part and closed by the controls part), found by their author in the database, never by the markup.
Staff see the author of every comment, so their sections are rendered for them, uncached.
"""

import gzip
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery, Value
from django.template.defaultfilters import urlencode
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import escape
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from accounts.models import Mute, User
from votes.counting import counters_from_votes
from votes.models import Vote
from votes.selectors import choices_of
from votes.services import vote_refusal

from . import caching, selectors, services
from .models import COUNT_FIELDS, Article, Comment, Section
from .reader_parts import PART_NAMES, PartRenderer, labels

logger = logging.getLogger(__name__)


def _cache_get_many(keys: list[str]) -> dict:
    """What the "pages" cache holds of these keys; nothing when it cannot answer (the page still
    renders, only slower)."""
    try:
        return caching.shared_cache().get_many(keys)
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)
        return {}


def _cache_set_many(values: dict) -> None:
    try:
        caching.shared_cache().set_many(values)
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)


def _kept(key: str, compute, *, worth_keeping=lambda value: True):
    """The cache's value for ``key``, or ``compute()`` kept under it (when ``worth_keeping``)."""
    found = _cache_get_many([key]).get(key)
    if found is None:
        found = compute()
        if worth_keeping(found):
            _cache_set_many({key: found})
    return found


SECTIONS_TEMPLATE = "forum/comment_sections.html"
CSRF_SLOT = "<!--csrf-->"
NEXT_SLOT = "<!--next-->"
# The shared renderings, by who they are for. The names carry the shape of what is kept (parts,
# not one string): what an earlier release kept under the same version is never read back.
OUT, IN, REFUSED = "out.parts", "in.parts", "refused.parts"
_SENTINEL = 987654321  # a comment id no URL pattern contains, replaced by each comment's
# A reader part's place in comment_list.html. Comment texts and names are escaped, so only the
# template can write "<!--".
_PLACE = re.compile(r"<!--part:(\d+):(\w+)-->")


class _NeutralReader:
    """A signed-in reader a shared rendering is made for: nobody in particular, nobody's author,
    not staff, no votes, no reports. The refusal rules read their standing as for any reader:
    in good standing (``IN``) or refused everything a reader does (``REFUSED``: banned, which
    stands for every reason a reader may not take part; the page says the reader's own reason)."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    pk = id = None
    suspended_until = None
    email_verified = True
    date_joined = datetime(2000, 1, 1, tzinfo=UTC)

    def __init__(self, *, may_take_part: bool):
        self.is_banned = not may_take_part


NEUTRAL_READER = _NeutralReader(may_take_part=True)
NEUTRAL_REFUSED_READER = _NeutralReader(may_take_part=False)


@dataclass(frozen=True)
class SectionSummary:
    """What the page's shell shows of a section (the jump links with counts)."""

    key: str
    title: str
    total: int


@dataclass(frozen=True)
class Sections:
    """The comment sections as rendered for one viewer, cut at the reader parts: ``parts`` joined
    is the markup (with CSRF_SLOT and NEXT_SLOT still in it); ``part_at`` says where each comment's
    reader parts are, so another reader's can be laid in by position (``with_parts``)."""

    parts: tuple[str, ...]
    part_at: dict[tuple[int, str], int]  # (comment id, part name) -> index in parts
    summaries: tuple[SectionSummary, ...]
    newest_id: int
    comment_ids: tuple[int, ...]  # every comment shown, replies included
    # Whether the section pages asked for exist (a page past the end shows the last one): only
    # then may a page showing these sections be kept (forum.views).
    pages_exist: bool = True

    @property
    def html(self) -> str:
        return "".join(self.parts)

    def with_parts(self, parts: dict[tuple[int, str], str]) -> "Sections":
        """These sections with the given reader parts in place of theirs."""
        laid = list(self.parts)
        for key, html in parts.items():
            if key in self.part_at:  # a placeholder has no parts (forum/comment_list.html)
                laid[self.part_at[key]] = html
        return replace(self, parts=tuple(laid))


def _url_formats() -> dict[str, str]:
    """Each per-comment URL reversed once, as a format string for the comment's id."""
    return _url_formats_for(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@cache
def _url_formats_for(_prefix: str, _urlconf) -> dict[str, str]:
    names = {
        "vote_url": "vote",
        "counts_url": "vote_counts",
        "edit_url": "edit_comment",
        "delete_url": "delete_comment",
        "report_url": "report_comment",
        "reply_url": "reply",
        "mute_url": "mute_comment_author",
        "unmute_url": "unmute_comment_author",
    }
    return {attr: reverse(name, args=[_SENTINEL]).replace(str(_SENTINEL), "{}") for attr, name in names.items()}


def with_replies(comments: Iterable[Comment]) -> Iterator[Comment]:
    """Each comment, followed by its replies (``comment.shown_replies``, when the page gives them)."""
    for comment in comments:
        yield comment
        yield from getattr(comment, "shown_replies", ())


def prepare(
    comments: Iterable[Comment],
    *,
    viewer,
    article: Article,
    choices: dict[int, str] | None = None,
    reported: set[int] | frozenset[int] = frozenset(),
    muted: set[int] | frozenset[int] = frozenset(),
    parts: tuple[str, ...] = PART_NAMES,
) -> None:
    """Set what the comment markup reads on each comment, as ``viewer`` sees it (``reported``: the
    ids of the comments the viewer has reported; ``muted``: of those whose author, in that voice,
    the viewer muted), for the reader ``parts`` to be rendered.
    What the reader may do with each comment comes from the refusal rules the services raise, so
    the page offers what the service will do."""
    formats = _url_formats()
    choices = choices or {}
    for comment in comments:
        comment.article = article
        comment.mine = viewer.is_authenticated and viewer.pk is not None and comment.author_id == viewer.pk
        if "byline" in parts:  # it reads the author's row
            comment.shown_author = selectors.shown_author(comment=comment, viewer=viewer)
        comment.my_choice = choices.get(comment.pk)
        comment.reported_by_me = comment.pk in reported
        comment.muted_by_me = comment.pk in muted
        comment.can_mute = services.mute_refusal(user=viewer, comment=comment) is None
        comment.cannot_vote = vote_refusal(user=viewer, comment=comment) is not None
        comment.can_report = viewer.is_authenticated and services.report_refusal(user=viewer, comment=comment) is None
        comment.can_delete = services.delete_refusal(user=viewer, comment=comment) is None
        comment.can_edit = comment.can_delete and services.edit_refusal(user=viewer, comment=comment) is None
        # A reply to this comment joins its thread: the thread's parent when the page holds it,
        # else the comment itself (a reply's section is its thread's, which is what the rule reads).
        thread = comment.parent if comment.parent_id and Comment.parent.is_cached(comment) else comment
        comment.reply_refusal = services.comment_refusal(user=viewer, article=article, parent=thread)
        for attr, url_format in formats.items():
            setattr(comment, attr, url_format.format(comment.pk))


def _context(viewer) -> dict:
    return {"user": viewer, "t": labels(), "sign_in_url": reverse("login")}


def render_parts(comments: list[Comment], *, viewer, names: tuple[str, ...] = PART_NAMES) -> dict[tuple[int, str], str]:
    """The named reader parts of these (prepared) comments, as ``viewer`` sees them."""
    return PartRenderer(viewer).parts(comments, names)


def _cut(html: str, parts: dict[tuple[int, str], str]) -> tuple[tuple[str, ...], dict[tuple[int, str], int]]:
    """The sections' markup cut at each reader part's place, with the part in it."""
    pieces = _PLACE.split(html)  # text, id, name, text, id, name, ..., text
    cut, part_at = [pieces[0]], {}
    for index in range(1, len(pieces), 3):
        key = (int(pieces[index]), pieces[index + 1])
        part_at[key] = len(cut)
        cut += [parts[key], pieces[index + 2]]
    return tuple(cut), part_at


def render_sections(
    *, article: Article, sort: str, pages: dict[str, int], viewer, choices_for=None
) -> tuple[Sections, bool]:
    """Both sections as ``viewer`` sees them; ``choices_for(comment_ids)`` gives the viewer's votes
    (a real viewer's reports are asked then too). Also says whether the pages asked for exist
    (only those are worth caching)."""
    sections = selectors.article_sections(article=article, sort=sort, pages=pages)
    shown = [comment for section in sections for comment in with_replies(section.comments)]
    choices = choices_for([comment.pk for comment in shown]) if choices_for else None
    reported, muted = _viewers_marks(viewer, [comment.pk for comment in shown]) if choices_for else (frozenset(),) * 2
    prepare(shown, viewer=viewer, article=article, choices=choices, reported=reported, muted=muted)
    context = {
        **_context(viewer),
        "sections": sections,
        "sort": sort,
        "current_pages": {section.key: section.page for section in sections},
    }
    pages_exist = all(section.page == pages.get(section.key, 1) for section in sections)
    parts, part_at = _cut(render_to_string(SECTIONS_TEMPLATE, context), render_parts(shown, viewer=viewer))
    rendered = Sections(
        parts=parts,
        part_at=part_at,
        summaries=tuple(SectionSummary(section.key, section.title, section.total) for section in sections),
        newest_id=sections[0].newest_id if sections else 0,
        comment_ids=tuple(comment.pk for comment in shown),
        pages_exist=pages_exist,
    )
    return rendered, pages_exist


def thread_html(*, thread: selectors.ThreadPage, viewer, csrf_token: str | None, next_path: str) -> SafeString:
    """A thread's page (forum.selectors.thread_page) as ``viewer`` sees it, rendered for them alone
    (a thread's page is read far less than the article's): the parent's <li> with the page's
    replies nested in it, every reader part rendered as the article page renders it."""
    article = thread.parent.article
    shown = [thread.parent, *thread.replies]
    ids = [comment.pk for comment in shown]
    choices = choices_of(user=viewer, comment_ids=ids) if viewer.is_authenticated else None
    reported, muted = _viewers_marks(viewer, ids)
    prepare(shown, viewer=viewer, article=article, choices=choices, reported=reported, muted=muted)
    markup = render_to_string("forum/comment_list.html", {**_context(viewer), "comments": [thread.parent]})
    parts, _part_at = _cut(markup, render_parts(shown, viewer=viewer))
    return fill_slots("".join(parts), csrf_token=csrf_token, next_path=next_path)


def shared_sections(
    *, article: Article, version: int, sort: str, pages: dict[str, int], signed_in: bool, may_take_part: bool = True
) -> Sections:
    """The shared rendering for signed-out readers or, with ``signed_in``, for non-staff signed-in
    readers who may (or, without ``may_take_part``, may not) vote, comment and report."""
    if not signed_in:
        variant, viewer = OUT, AnonymousUser()
    elif may_take_part:
        variant, viewer = IN, NEUTRAL_READER
    else:
        variant, viewer = REFUSED, NEUTRAL_REFUSED_READER
    key = caching.sections_key(article_id=article.pk, version=version, variant=variant, sort=sort, pages=pages)
    rendered, _pages_exist = _kept(
        key,
        lambda: render_sections(article=article, sort=sort, pages=pages, viewer=viewer),
        # Pages past the end would fill the cache with copies of the last page.
        worth_keeping=lambda found: found[1],
    )
    return rendered


def reported_comment_ids(user: User) -> QuerySet | None:
    """A lazy queryset of the ids of the comments ``user`` has reported (and not yet seen decided),
    from settings.FORUM_READER_REPORTED_COMMENTS; None when no app provides one."""
    path = settings.FORUM_READER_REPORTED_COMMENTS
    return import_string(path)(reader=user) if path else None


def _viewers_marks(viewer, ids: list[int]) -> tuple[frozenset[int], frozenset[int]]:
    """Of these comments, those ``viewer`` reported (and has not seen decided) and those whose
    voice they muted, for a rendering made for them alone (staff's sections, a thread's page):
    two queries for a signed-in viewer, none for anyone else."""
    if not viewer.is_authenticated:
        return frozenset(), frozenset()
    reported = frozenset()
    if (reports := reported_comment_ids(viewer)) is not None:
        reported = frozenset(Comment.objects.filter(Q(pk__in=reports), pk__in=ids).values_list("pk", flat=True))
    muted = frozenset(Comment.objects.filter(_muted_by(viewer), pk__in=ids).values_list("pk", flat=True))
    return reported, muted


def _muted_by(user) -> Q:
    """Whether the comment's author, in the comment's voice (signed or not), is muted by ``user``.
    (``IN`` rather than ``EXISTS``, whose ``SELECT 1`` would be one more parameter to the overlay's
    compiled statement.)"""
    return Q(author_id__in=Mute.objects.filter(reader=user, signed=OuterRef("signed")).values("muted_id"))


# What the reader parts of a comment read of it (prepare and forum/reader_parts.py).
# deleted_at: every refusal rule refuses a placeholder (forum.services, votes.services.vote_refusal).
_PART_FIELDS = (
    "author_id",
    "parent_id",
    "section",
    "signed",
    "status",
    "created_at",
    "tallied_at",
    "deleted_at",
    *COUNT_FIELDS,
)


def _readers_query(*, user, article_id: int) -> QuerySet:
    """Among the article's comments, those the reader wrote, voted on or reported, or whose author
    they muted, each with what its reader parts are rendered from (``my_choice``, ``my_vote_at``,
    ``reported_by_me``, ``muted_by_me``)."""
    my_vote = Vote.objects.filter(user=user, comment=OuterRef("pk"))
    theirs = (
        Q(author_id=user.pk)
        | Q(pk__in=Vote.objects.filter(user=user).values("comment_id"))
        | Q(author_id__in=Mute.objects.filter(reader=user).values("muted_id"))
    )
    reports = reported_comment_ids(user)
    if reports is None:
        reported = Value(False)
    else:
        theirs |= Q(pk__in=reports)
        reported = ExpressionWrapper(Q(pk__in=reports), output_field=BooleanField())
    return (
        Comment.objects.filter(article_id=article_id)
        .filter(theirs)
        .only(*_PART_FIELDS)
        .annotate(
            my_choice=Subquery(my_vote.values("choice")[:1]),
            my_vote_at=Subquery(my_vote.values("updated_at")[:1]),
            reported_by_me=reported,
            muted_by_me=ExpressionWrapper(_muted_by(user), output_field=BooleanField()),
        )
        .order_by()
    )


# Stand-ins the statement is compiled with once, then replaced by the reader's and the article's ids.
_READER_STANDIN, _ARTICLE_STANDIN = -424242, -434343


@cache
def _readers_sql(vendor: str, reports_path: str) -> tuple[str, tuple[int, ...]] | None:
    """_readers_query compiled by the ORM once per process (compiling it cost about half of the
    overlay's CPU), with its parameters as the stand-ins; None when a parameter is something else
    (then every request compiles it). The statement is the ORM's own, so it cannot drift."""
    sql, params = _readers_query(user=User(pk=_READER_STANDIN), article_id=_ARTICLE_STANDIN).query.sql_with_params()
    if not set(params) <= {_READER_STANDIN, _ARTICLE_STANDIN}:
        return None
    return sql, tuple(params)


def _readers_comments(*, user: User, article: Article, comment_ids: tuple[int, ...]) -> list[Comment]:
    """The overlay's one query (_readers_query), among the comments shown. Asked of the whole
    article (a reader's own comments, votes and reports on one article are few) rather than of 200
    ids, which cost more to send than to find."""
    compiled = _readers_sql(connection.vendor, settings.FORUM_READER_REPORTED_COMMENTS)
    if compiled is None:
        rows = _readers_query(user=user, article_id=article.pk)
    else:
        sql, standins = compiled
        ids = {_READER_STANDIN: user.pk, _ARTICLE_STANDIN: article.pk}
        rows = Comment.objects.raw(sql, [ids[standin] for standin in standins])
    shown = set(comment_ids)
    found = [comment for comment in rows if comment.pk in shown]
    for comment in found:
        if comment.my_vote_at is not None and comment.my_vote_at.tzinfo is None:
            # SQLite (the embedded default) gives a raw statement's annotation back naive, in UTC.
            comment.my_vote_at = comment.my_vote_at.replace(tzinfo=UTC)
    return found


def _counts_behind(comment: Comment) -> bool:
    """The reader voted (or took a vote back) after the comment's last tally: its stored counts do
    not include that yet, and the reader must never see counts that contradict their own vote."""
    voted_at = comment.my_vote_at
    return voted_at is not None and (comment.tallied_at is None or voted_at >= comment.tallied_at)


def overlay(shared: Sections, *, user: User, article: Article) -> Sections:
    """``shared`` (a signed-in rendering for a neutral reader) as ``user`` sees it: one query finds
    the comments the reader wrote, voted on or reported, and their reader parts are rendered from
    that data (forum/reader_parts.py, as in every rendering) and laid in by position.
    Every other comment's parts are the same for this reader as for the neutral one.
    Where the reader's vote is newer than the comment's last tally, its counts come from its vote
    rows (one more query, only then): a page loaded right after a vote shows that vote counted."""
    theirs = _readers_comments(user=user, article=article, comment_ids=shared.comment_ids)
    if not theirs:
        return shared
    behind = [comment for comment in theirs if _counts_behind(comment)]
    if behind:
        recounted = counters_from_votes([comment.pk for comment in behind])
        for comment in behind:
            for field in COUNT_FIELDS:
                setattr(comment, field, getattr(recounted[comment.pk], field))
    own = [comment for comment in theirs if comment.author_id == user.pk]
    for comment in own:
        comment.author = user  # their byline names them to themselves: the reader is the author
    others = [comment for comment in theirs if comment.author_id != user.pk]
    mine = {
        "viewer": user,
        "article": article,
        "choices": {comment.pk: comment.my_choice for comment in theirs if comment.my_choice},
        "reported": frozenset(comment.pk for comment in theirs if comment.reported_by_me),
        "muted": frozenset(comment.pk for comment in theirs if comment.muted_by_me),
    }
    # A byline differs from reader to reader only for its author (staff are never shared ones).
    others_parts = ("votes", "controls")
    prepare(own, **mine)
    prepare(others, **mine, parts=others_parts)
    renderer = PartRenderer(user)
    parts = {**renderer.parts(own), **renderer.parts(others, others_parts)}
    for comment in others:
        if comment.muted_by_me:  # collapsed: the shared byline (the same for this reader), opening it
            key = (comment.pk, "byline")
            parts[key] = renderer.muted_open() + shared.parts[shared.part_at[key]]
    return shared.with_parts(parts)


@dataclass(frozen=True)
class ShownPick:
    """A perception pick as the page shows it. This, not the pick, is cached: a pick holds its
    comment, and the comment its author's row (password hash and e-mail included)."""

    kind: str
    comment_url: str
    excerpt: str
    language: str  # the comment's, for the excerpt's lang attribute
    section: str
    japan: selectors.RegionAgreement
    world: selectors.RegionAgreement

    @property
    def title(self) -> str:
        return selectors.PERCEPTION_KINDS[self.kind]  # translated when shown

    @property
    def section_label(self) -> str:
        return Section(self.section).label


def _shown(pick: selectors.PerceptionPick) -> ShownPick:
    comment = pick.comment
    return ShownPick(
        kind=pick.kind,
        comment_url=comment.get_absolute_url(),
        excerpt=Truncator(comment.body).chars(PERCEPTION_EXCERPT_CHARS),
        language=comment.language,
        section=comment.section,
        japan=pick.japan,
        world=pick.world,
    )


PERCEPTION_EXCERPT_CHARS = 140


def perception(*, article: Article, version: int) -> list[ShownPick]:
    """The perception gap (forum.selectors.perception) as shown, computed once per content version
    and shared: it is the same for every reader, and counting it is a window query over the article."""
    return _kept(
        caching.perception_key(article_id=article.pk, version=version),
        lambda: [_shown(pick) for pick in selectors.perception(article=article)],
    )


def reader_sections(*, article: Article, version: int, sort: str, pages: dict[str, int], user) -> Sections:
    """The sections as this reader sees them, signed in or not."""
    if not user.is_authenticated:
        return shared_sections(article=article, version=version, sort=sort, pages=pages, signed_in=False)
    if user.is_staff:  # staff see every author: nothing shared to start from
        return render_sections(
            article=article,
            sort=sort,
            pages=pages,
            viewer=user,
            choices_for=lambda ids: choices_of(user=user, comment_ids=ids),
        )[0]
    # A reader who may not take part (a sanction, an unverified address, a new account's wait) starts
    # from the rendering whose every control says so; the shell says why (forum.views).
    may_take_part = services.participation_refusal(user=user) is None
    shared = shared_sections(
        article=article, version=version, sort=sort, pages=pages, signed_in=True, may_take_part=may_take_part
    )
    return overlay(shared, user=user, article=article)


def fill_slots(html: str, *, csrf_token: str | None, next_path: str) -> SafeString:
    """The placeholders filled once per response. Comment texts and names are escaped, so a slot
    (which starts with "<") can only be one the templates wrote."""
    if csrf_token is not None:
        html = html.replace(CSRF_SLOT, escape(csrf_token))
    return mark_safe(html.replace(NEXT_SLOT, escape(urlencode(next_path))))  # noqa: S308 - escaped above


# --- Whole signed-out pages -----------------------------------------------------------------
# A signed-out page that is the same for everyone (no message, no CSRF token) is kept whole, under
# its article, language, zone and address, with the ETag it was rendered for (which carries the
# version). A request that knows the article's id from an earlier one in this process (slugs
# are remembered below) reads the version and the kept page in one round trip, and no query:
# the page is served only when its ETag is the current one. Every change to an article (saved,
# unpublished, renamed, deleted) bumps its version, so a remembered slug never serves a page
# that is no longer right.

_article_ids: dict[str, int] = {}
_MAX_REMEMBERED = 10_000


def known_article_id(slug: str) -> int | None:
    return _article_ids.get(slug)


def remember_article_id(slug: str, article_id: int) -> None:
    if len(_article_ids) >= _MAX_REMEMBERED:
        _article_ids.clear()
    _article_ids[slug] = article_id


# Each process also holds the pages it served last (≈ 45 kB each, gzipped): a request for one of
# them reads only the version from Redis, not the page. The ETag check is the same either way.
_local_pages: dict[str, tuple[str, bytes]] = {}
_MAX_LOCAL_PAGES = 64


def _hold(key: str, kept: tuple[str, bytes]) -> None:
    if len(_local_pages) >= _MAX_LOCAL_PAGES and key not in _local_pages:
        _local_pages.clear()
    _local_pages[key] = kept


def kept_page(*, article_id: int, full_path: str) -> tuple[str, bytes | None]:
    """The page's current ETag, and the page kept for it, gzipped (None when none is kept)."""
    key = caching.page_key(article_id=article_id, full_path=full_path)
    local = _local_pages.get(key)
    try:
        if local is not None:
            version = caching.article_version(article_id)
            current = caching.page_etag(version=version, full_path=full_path, signed_in=False)
            kept = local if local[0] == current else caching.shared_cache().get(key)
        else:
            version, kept = caching.article_version_and(article_id, key)
            current = caching.page_etag(version=version, full_path=full_path, signed_in=False)
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)
        version = caching.article_version(article_id)
        return caching.page_etag(version=version, full_path=full_path, signed_in=False), None
    if isinstance(kept, tuple) and kept[0] == current:
        _hold(key, kept)
        return current, kept[1]
    return current, None


def keep_page(*, article_id: int, full_path: str, etag: str, content: bytes) -> None:
    """Keep a signed-out page that is the same for every signed-out reader: the caller has checked
    that rendering it showed no message and asked for no CSRF token (which would be one visitor's)."""
    # Kept gzipped: a seventh of the size to read from the cache, and sent as it is to every
    # browser (they all accept gzip).
    key, kept = caching.page_key(article_id=article_id, full_path=full_path), (etag, gzip.compress(content, 6, mtime=0))
    _hold(key, kept)
    _cache_set_many({key: kept})
