"""The article page's comment sections: rendered once per content version and shared by every
reader; what is a signed-in reader's own is laid over the shared HTML with one query.

Why the sections and not the whole page: the page around them (the "shell": header, messages,
comment form, CSRF token) is per reader and cheap; the sections are the same for everyone and
cost almost all of the rendering.

Cache keys (the "pages" cache, shared by every process) carry the article's content version
(forum/caching.py), read BEFORE the comments: a change made while a page renders bumps past that
number, so what was rendered is never asked for again. Nothing is ever deleted: old versions
simply expire.

Two shared renderings per article, version, language, time zone, sort and pages:
- "out", for signed-out readers: vote buttons disabled, "Sign in to vote" links;
- "in", for a neutral signed-in reader (``NEUTRAL_READER``: nobody's author, not staff, no votes).
A signed-in reader gets "in" with their own state laid over (``reader_sections``): their votes
flip the ``class="vote-button …" aria-pressed="false"`` slot of those comments, and their own comments
(their name on unsigned comments, no vote buttons, edit and delete) are rendered again with
the real reader and spliced in between the comment's ``<!--cN-->`` ``<!--/cN-->`` markers. Which
comments are the reader's own comes from the database (``_readers_state``), never from the HTML:
the shared markup names no author of an unsigned comment, not even by id. The comments the reader
has reported (and not yet seen decided) get "You reported this comment." in place of their Report
link, asked in the same query of a function moderation provides (settings.
FORUM_READER_REPORTED_COMMENTS: forum may not import moderation). Staff see the author of every
comment, so their sections are rendered for them, uncached.
"""

import gzip
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery, Value
from django.template.defaultfilters import urlencode
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from accounts.models import User
from votes.counting import counters_from_votes
from votes.models import Vote
from votes.selectors import choices_of

from . import caching, selectors, services
from .models import Article, Comment, Section

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
LIST_TEMPLATE = "forum/comment_list.html"
CSRF_SLOT = "<!--csrf-->"
NEXT_SLOT = "<!--next-->"
OUT, IN = "out", "in"
_SENTINEL = 987654321  # a comment id no URL pattern contains, replaced by each comment's


class _NeutralReader:
    """The signed-in reader the shared "in" rendering is made for: nobody in particular."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    pk = id = None


NEUTRAL_READER = _NeutralReader()


@dataclass(frozen=True)
class SectionSummary:
    """What the page's shell shows of a section (the jump links with counts)."""

    key: str
    title: str
    total: int


@dataclass(frozen=True)
class Sections:
    html: str  # with CSRF_SLOT and NEXT_SLOT still in it
    summaries: tuple[SectionSummary, ...]
    newest_id: int
    comment_ids: tuple[int, ...]
    # Whether the section pages asked for exist (a page past the end shows the last one): only
    # then may a page showing these sections be kept (forum.views).
    pages_exist: bool = True


def labels() -> dict[str, str]:
    """The comment markup's labels, translated once per rendering instead of once per comment."""
    return {
        "unsigned": gettext("(unsigned for other readers)"),
        "edited": gettext("edited"),
        "edited_by_moderator": gettext("edited by a moderator"),
        "agree": gettext("I agree"),
        "disagree": gettext("I disagree"),
        "agree_by_region": gettext("agree votes by region:"),
        "disagree_by_region": gettext("disagree votes by region:"),
        "japan": gettext("Japan"),
        "world": gettext("World"),
        "sign_in_to_vote": gettext("Sign in to vote"),
        "own_comment": gettext("You cannot vote on your own comment."),
        "edit": gettext("Edit"),
        "delete": gettext("Delete"),
        "report": gettext("Report"),
        "reported": gettext("You reported this comment."),
    }


def _url_formats() -> dict[str, str]:
    """Each per-comment URL reversed once, as a format string for the comment's id."""
    names = {
        "vote_url": "vote",
        "counts_url": "vote_counts",
        "edit_url": "edit_comment",
        "delete_url": "delete_comment",
        "report_url": "report_comment",
    }
    return {attr: reverse(name, args=[_SENTINEL]).replace(str(_SENTINEL), "{}") for attr, name in names.items()}


def prepare(
    comments: list[Comment],
    *,
    viewer,
    article: Article,
    choices: dict[int, str] | None = None,
    reported: set[int] | frozenset[int] = frozenset(),
) -> None:
    """Set what the comment markup reads on each comment, as ``viewer`` sees it (``reported``: the
    ids of the comments the viewer has reported)."""
    formats = _url_formats()
    choices = choices or {}
    signed_in = viewer.is_authenticated
    for comment in comments:
        comment.article = article
        mine = signed_in and viewer.pk is not None and comment.author_id == viewer.pk
        comment.mine = mine
        comment.shown_author = selectors.shown_author(comment=comment, viewer=viewer)
        comment.my_choice = choices.get(comment.pk)
        comment.reported_by_me = comment.pk in reported
        section_open = article.section_open(comment.section)  # the whole discussion, and this section
        comment.cannot_vote = not signed_in or mine or not section_open
        comment.can_delete = mine and section_open
        comment.can_edit = comment.can_delete and services.can_edit_comment(user=viewer, comment=comment)
        for attr, url_format in formats.items():
            setattr(comment, attr, url_format.format(comment.pk))


def _context(viewer) -> dict:
    return {"user": viewer, "t": labels(), "sign_in_url": reverse("login")}


def render_sections(
    *, article: Article, sort: str, pages: dict[str, int], viewer, choices_for=None
) -> tuple[Sections, bool]:
    """Both sections as ``viewer`` sees them; ``choices_for(comment_ids)`` gives the viewer's votes
    (a real viewer's reports are asked then too). Also says whether the pages asked for exist
    (only those are worth caching)."""
    sections = selectors.article_sections(article=article, sort=sort, pages=pages)
    shown = [comment for section in sections for comment in section.comments]
    choices = choices_for([comment.pk for comment in shown]) if choices_for else None
    reported = frozenset()
    if choices_for and viewer.is_authenticated and (reports := reported_comment_ids(viewer)) is not None:
        ids = [comment.pk for comment in shown]
        reported = frozenset(Comment.objects.filter(Q(pk__in=reports), pk__in=ids).values_list("pk", flat=True))
    for section in sections:
        prepare(section.comments, viewer=viewer, article=article, choices=choices, reported=reported)
    context = {
        **_context(viewer),
        "sections": sections,
        "sort": sort,
        "current_pages": {section.key: section.page for section in sections},
    }
    pages_exist = all(section.page == pages.get(section.key, 1) for section in sections)
    rendered = Sections(
        html=render_to_string(SECTIONS_TEMPLATE, context),
        summaries=tuple(SectionSummary(section.key, section.title, section.total) for section in sections),
        newest_id=sections[0].newest_id if sections else 0,
        comment_ids=tuple(comment.pk for comment in shown),
        pages_exist=pages_exist,
    )
    return rendered, pages_exist


def shared_sections(*, article: Article, version: int, sort: str, pages: dict[str, int], signed_in: bool) -> Sections:
    """The shared rendering for signed-out (or, with ``signed_in``, any non-staff signed-in) readers."""
    variant = IN if signed_in else OUT
    key = caching.sections_key(article_id=article.pk, version=version, variant=variant, sort=sort, pages=pages)
    viewer = NEUTRAL_READER if signed_in else AnonymousUser()
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


@dataclass(frozen=True)
class _ReaderRow:
    mine: bool
    choice: str | None
    created_at: datetime
    # The reader voted (or took a vote back) after the comment's last tally: the shared counts do
    # not include it yet, and the reader must never see counts that contradict their own vote.
    counts_behind: bool
    reported: bool = False  # the reader has reported it (and it is not decided yet)


def _readers_state(*, user: User, article: Article, comment_ids: tuple[int, ...]) -> dict[int, _ReaderRow]:
    """The overlay's one query: among the comments shown, those the reader wrote, voted on or
    reported. Asked of the whole article (a reader's own comments, votes and reports on one
    article are few) rather than of 200 ids, which cost more to send than to find."""
    my_vote = Vote.objects.filter(user=user, comment=OuterRef("pk"))
    theirs = Q(author_id=user.pk) | Q(pk__in=Vote.objects.filter(user=user).values("comment_id"))
    reports = reported_comment_ids(user)
    if reports is None:
        reported = Value(False)
    else:
        theirs |= Q(pk__in=reports)
        reported = ExpressionWrapper(Q(pk__in=reports), output_field=BooleanField())
    rows = (
        Comment.objects.filter(article_id=article.pk)
        .filter(theirs)
        .annotate(
            my_choice=Subquery(my_vote.values("choice")[:1]),
            my_vote_at=Subquery(my_vote.values("updated_at")[:1]),
            reported_by_me=reported,
        )
        .values_list("pk", "author_id", "my_choice", "created_at", "my_vote_at", "tallied_at", "reported_by_me")
        .order_by()
    )
    shown = set(comment_ids)
    return {
        pk: _ReaderRow(
            mine=author_id == user.pk,
            choice=choice,
            created_at=created_at,
            counts_behind=voted_at is not None and (tallied_at is None or voted_at >= tallied_at),
            reported=bool(reported_by_me),
        )
        for pk, author_id, choice, created_at, voted_at, tallied_at, reported_by_me in rows
        if pk in shown
    }


def _authors_views(*, user: User, article: Article, version: int, rows: dict[int, _ReaderRow]) -> dict[int, str]:
    """The reader's own comments as their author sees them. Only the author ever sees this view,
    so it depends on nothing but the comment (the version), the edit window and the language: it
    is cached under those, and rendered (one query) only when missing."""
    prefix = f"own:{article.pk}:{version}:{translation.get_language()}:{timezone.get_current_timezone_name()}"
    keys = {}
    for pk, row in rows.items():
        can_edit = services.can_edit_comment(user=user, comment=Comment(author_id=user.pk, created_at=row.created_at))
        keys[pk] = f"{prefix}:{pk}:{int(can_edit)}"
    found = _cache_get_many(list(keys.values()))
    views = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in keys if pk not in views]
    if missing:
        own = list(Comment.objects.filter(pk__in=missing).select_related("author"))
        prepare(own, viewer=user, article=article)
        rendered = render_to_string(LIST_TEMPLATE, {**_context(user), "comments": own})
        for comment in own:
            start, end = _bounds(rendered, comment.pk)
            views[comment.pk] = rendered[start:end]
        _cache_set_many({keys[comment.pk]: views[comment.pk] for comment in own})
    return views


def _bounds(html: str, pk: int) -> tuple[int, int]:
    start = html.find(f"<!--c{pk}-->")
    end_marker = f"<!--/c{pk}-->"
    end = html.find(end_marker, start)
    if start < 0 or end < 0:
        raise LookupError(f"comment {pk} has no markers in the cached sections")
    return start, end + len(end_marker)


def _press(segment: str, choice: str) -> str:
    slot = f'class="vote-button {choice}" aria-pressed="false"'
    if slot not in segment:
        raise LookupError(f"no {choice} slot in the comment's markup")
    return segment.replace(slot, f'class="vote-button {choice}" aria-pressed="true"', 1)


_COUNT_SLOT = re.compile(r'data-count="(agree|disagree|agree_japan|agree_world|disagree_japan|disagree_world)">\d+<')


def _with_counts(segment: str, counters) -> str:
    """The comment's counts in its markup replaced by ``counters`` (votes.counting.Counters)."""
    return _COUNT_SLOT.sub(lambda m: f'data-count="{m[1]}">{getattr(counters, m[1] + "_count")}<', segment)


_REPORT_SLOT = re.compile(r'<p class="report"><a class="report-link" [^>]*>[^<]*</a></p>')


def _mark_reported(segment: str) -> str:
    """The comment's Report link replaced by the mark the reader's own rendering would show."""
    marked, found = _REPORT_SLOT.subn(
        lambda _m: f'<p class="report reported">{escape(gettext("You reported this comment."))}</p>', segment, 1
    )
    if not found:
        raise LookupError("no report slot in the comment's markup")
    return marked


def overlay(shared: Sections, *, user: User, article: Article, version: int) -> Sections:
    """``shared`` (the "in" rendering) as ``user`` sees it: one query, then string operations on
    the few comments the reader voted on or reported, and the few they wrote replaced by their
    author's view.
    Where the reader's vote is newer than the comment's last tally, its counts come from its vote
    rows (one more query, only then): a page loaded right after a vote shows that vote counted."""
    state = _readers_state(user=user, article=article, comment_ids=shared.comment_ids)
    if not state:
        return shared
    own = {pk: row for pk, row in state.items() if row.mine}
    replacements = _authors_views(user=user, article=article, version=version, rows=own) if own else {}
    behind = [pk for pk, row in state.items() if row.counts_behind and not row.mine]
    recounted = counters_from_votes(behind) if behind else {}
    html = shared.html
    spans = []
    for pk, row in state.items():
        start, end = _bounds(html, pk)
        if pk in replacements:
            new = replacements[pk]
        else:
            new = _press(html[start:end], row.choice) if row.choice else html[start:end]
            if row.reported:
                new = _mark_reported(new)
            if pk in recounted:
                new = _with_counts(new, recounted[pk])
        spans.append((start, end, new))
    parts, position = [], 0
    for start, end, new in sorted(spans):
        parts += [html[position:start], new]
        position = end
    parts.append(html[position:])
    return Sections("".join(parts), shared.summaries, shared.newest_id, shared.comment_ids, shared.pages_exist)


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
    shared = shared_sections(article=article, version=version, sort=sort, pages=pages, signed_in=True)
    return overlay(shared, user=user, article=article, version=version)


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
