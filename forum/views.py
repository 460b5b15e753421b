"""Browser pages. The article page composes the forum's reads with the reader's votes; the
comment pages (edit, delete) call the same services as the API; the live endpoint keeps an
open article page current.

The pages answer HTML only: a redirect, or the page again with what the reader typed and why it
was refused. The page's script does not post here: it calls the API (/api/v1/), with the
reader's session and the page's CSRF token."""

import gzip
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.services import EMAIL_UNVERIFIED, refusal_code
from accounts.services import unmute as unmute_mute
from infra import rate_limits
from infra.rate_limits import COMMENT
from votes.selectors import votes_of

from . import live as live_counts
from . import page_cache, selectors, services
from .caching import article_version, page_etag
from .forms import CommentForm, EditCommentForm, ReplyForm
from .models import Article, Comment

# The comment box's anchor: a post that fails comes back here, with its errors beside the form.
FORM_ANCHOR = "comment-form"
# The sort links land on the comments' navigation, not on the top of the article.
NAV_ANCHOR = "comment-nav"


def home(request: HttpRequest) -> HttpResponse:
    articles = selectors.home_articles()
    for article in articles:
        article.shown = selectors.heading_in(article, get_language())
    return render(request, "forum/home.html", {"articles": articles})


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 7 else 1


# How long a shared cache in front may keep a signed-out article page: short, because a change
# reaches readers only after it; the page answers conditional requests, so a check is cheap.
SHARED_CACHE_SECONDS = 10


def _sort_and_pages(request: HttpRequest) -> tuple[str, dict[str, int]]:
    sort = request.GET.get("sort", selectors.DEFAULT_SORT)
    if sort not in selectors.SORTS:
        sort = selectors.DEFAULT_SORT
    return sort, {key: _page_number(request.GET.get(f"{key}_page")) for key in ("japan", "world")}


# The query parameters of the article page, in the order the site's own links write them.
PAGE_PARAMETERS = ("sort", "japan_page", "world_page")


def _canonical_query(request: HttpRequest) -> bool:
    """Whether the address's query is one the site's own links make: only the page's parameters,
    each valid and at most once, in PAGE_PARAMETERS' order, plainly encoded. Only such a page is
    kept whole; any other query string is answered the same but never stored, so made-up query
    strings cannot fill the cache."""
    raw = request.META.get("QUERY_STRING", "")
    pairs = parse_qsl(raw, keep_blank_values=True)
    names = [name for name, _value in pairs]
    if any(name not in PAGE_PARAMETERS for name in names):
        return False
    if names != sorted(set(names), key=PAGE_PARAMETERS.index) or urlencode(pairs) != raw:
        return False
    values = dict(pairs)
    pages_valid = all(
        value.isascii() and value.isdigit() and value == str(_page_number(value)) and value != "0"
        for name, value in values.items()
        if name != "sort"
    )
    return pages_valid and values.get("sort", selectors.DEFAULT_SORT) in selectors.SORTS


def _render_article(
    request: HttpRequest,
    article: Article,
    form: CommentForm,
    version: int,
    status: int = 200,
    language: str | None = None,
) -> HttpResponse:
    return _article_page(request, article, form, version, status, language)[0]


def _article_page(
    request: HttpRequest,
    article: Article,
    form: CommentForm,
    version: int,
    status: int = 200,
    language: str | None = None,
) -> tuple[HttpResponse, page_cache.Sections]:
    """The page: a per-reader shell around the shared comment sections (forum/page_cache.py).
    The article in ``language`` when the address names one, else in the reader's own language
    when it has that version, else the original; links lead to its other versions."""
    sort, pages = _sort_and_pages(request)
    text = article.text_in(language or get_language())
    user = request.user
    sections = page_cache.reader_sections(article=article, version=version, sort=sort, pages=pages, user=user)
    # Only a signed-in page carries a CSRF token: asking for one sets the CSRF cookie, and a
    # signed-out page must set no cookie for a shared cache to keep it.
    csrf_token = get_token(request) if user.is_authenticated else None
    # The form is offered by the rule posting follows (services.comment_refusal): the reader's own
    # section closed while the other is open, a sanction, an unverified address or a new account's
    # wait disables it, and the page says why.
    comment_refusal = services.comment_refusal(user=user, article=article) if user.is_authenticated else None
    my_section_closed = getattr(comment_refusal, "code", "") == services.SECTION_CLOSED
    if comment_refusal:
        if form.is_bound:  # a refused post: the reader's text stays readable and copyable
            form.fields["body"].widget.attrs["readonly"] = True
        else:
            form.fields["body"].disabled = True
    context = {
        "my_section_closed": my_section_closed,
        "comment_refusal": comment_refusal,
        # Where the form's comment goes (a top-level comment: the reader's own section).
        "new_comment_section": services.section_for_new_comment(author=user) if user.is_authenticated else None,
        "perception": page_cache.perception(article=article, version=version),
        "article": article,
        "text": text,
        "other_versions": selectors.other_versions(article=article, shown=text),
        "sections": sections.summaries,
        "sections_html": page_cache.fill_slots(sections.html, csrf_token=csrf_token, next_path=request.get_full_path()),
        "sort": sort,
        "sorts": selectors.SORT_LABELS,
        "form": form,
        "reply_form": ReplyForm(prefix="reply"),
        # Read before the comments: a change made while the page renders bumps past this number,
        # so the page's first live poll fetches it.
        "live_version": version,
        "newest_comment_id": sections.newest_id,
        "comment_max_length": settings.COMMENT_MAX_LENGTH,
        "form_anchor": FORM_ANCHOR,
        "nav_anchor": NAV_ANCHOR,
        # Signing in or up from the header comes back to the comment box, where the page shows
        # its messages ("Welcome, ..."): at the top of a long article they were out of view.
        "account_next": f"{request.get_full_path()}#{FORM_ANCHOR}",
    }
    return render(request, "forum/article.html", context, status=status), sections


def _shareable(request: HttpRequest) -> bool:
    """Whether this answer is the same for every signed-out reader, so a shared cache (and the
    page cache) may keep it: not signed in, no message shown, no cookie set."""
    return not (
        request.user.is_authenticated
        or len(get_messages(request))
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or request.session.modified
    )


def article_detail(request: HttpRequest, slug: str, language: str | None = None) -> HttpResponse:
    """Signed out: an ETag (content version, language, address) answered with 304 when the reader
    has the page; the whole page kept when it is the same for everyone (no message, no cookie to
    set), served without a query; a short public lifetime for a shared cache. Signed in: the
    shared sections with the reader's state laid over, private, never kept (the reader's own
    state changes without a version bump: their votes, the edit window)."""
    if not request.user.is_authenticated:
        return _signed_out_article(request, slug, language)
    article = get_object_or_404(Article.objects.published(), slug=slug)
    if language is not None and language not in article.languages:
        return redirect(article)  # no such version (any more): the article as the reader reads it
    response = _render_article(request, article, CommentForm(), article_version(article.pk), language=language)
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def _signed_out_article(request: HttpRequest, slug: str, language: str | None) -> HttpResponse:
    full_path = request.get_full_path()
    personal = bool(len(get_messages(request)))  # messages are shown once, to this reader
    article_id = None if personal else page_cache.known_article_id(slug)
    kept = None
    if article_id is not None:
        etag, kept = page_cache.kept_page(article_id=article_id, full_path=full_path)
    if kept is None:  # the article from the database: it may be gone, or the slug now another's
        article = get_object_or_404(Article.objects.published(), slug=slug)
        if language is not None and language not in article.languages:
            return redirect(article)
        page_cache.remember_article_id(slug, article.pk)
        version = article_version(article.pk)
        etag = page_etag(version=version, full_path=full_path, signed_in=False)
    if not personal and etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    elif kept is not None:
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(kept, headers={"Content-Encoding": "gzip"})
        else:
            response = HttpResponse(gzip.decompress(kept))
    else:
        response, sections = _article_page(request, article, CommentForm(), version, language=language)
        # Kept only under an address the site links to, for pages that exist: anything else
        # (made-up parameters, pages past the end) would fill the cache with copies.
        if _shareable(request) and sections.pages_exist and _canonical_query(request):
            page_cache.keep_page(article_id=article.pk, full_path=full_path, etag=etag, content=response.content)
    response["ETag"] = etag
    if _shareable(request):
        patch_cache_control(response, public=True, max_age=SHARED_CACHE_SECONDS)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Accept-Language", "Cookie", "Accept-Encoding"))
    return response


def _comment_rate_wait(request: HttpRequest) -> int | None:
    """Count this comment POST against the comment limits; the seconds to wait when over one.
    The comment views check the limits themselves (not with @rate_limited) so that a refused post
    comes back with the reader's text in the box rather than on a page without it."""
    return rate_limits.check(request, COMMENT)


def _rate_limit_text(wait_seconds: int) -> str:
    return _("Too many comments at once. Please wait %(duration)s and try again: your text is kept below.") % {
        "duration": rate_limits.duration_text(wait_seconds)
    }


def _refused_post(
    request: HttpRequest,
    article: Article,
    form: CommentForm,
    refusal: str | None,
    status: int,
    retry_after: int | None = None,
) -> HttpResponse:
    """The article page again with what the reader wrote still in the box and why it was refused
    beside it: the new-account wait, a sanction, a closed section, a rate limit. Never a redirect,
    which would lose the text."""
    if refusal is not None:  # else a message says it (forum.views.post_comment)
        form.add_error("body", refusal)
    response = _render_article(request, article, form, article_version(article.pk), status=status)
    patch_cache_control(response, private=True, no_cache=True)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    wait_seconds = _comment_rate_wait(request)
    if wait_seconds is not None and not request.user.is_authenticated:
        return rate_limits.too_many_requests(request, wait_seconds=wait_seconds)
    article = get_object_or_404(Article.objects.published(), slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(f"{article.get_absolute_url()}#{FORM_ANCHOR}")
    form = CommentForm(request.POST)
    if wait_seconds is not None:
        return _refused_post(request, article, form, _rate_limit_text(wait_seconds), 429, retry_after=wait_seconds)
    if not form.is_valid():
        # The form's action carries #comment-form: the browser lands on the errors.
        return _render_article(request, article, form, article_version(article.pk), status=400)
    try:
        comment = services.post_comment(
            author=request.user,
            article=article,
            body=form.cleaned_data["body"],
            language=form.cleaned_data["language"] or None,
        )
    except PermissionDenied as refusal:  # closed, suspended, still in the new-account wait, unverified
        code = refusal_code(refusal)
        if code == EMAIL_UNVERIFIED:  # shown with what to do about it (the re-send button); the text stays
            messages.error(request, str(refusal), extra_tags=code)
            return _refused_post(request, article, form, None, 403)
        return _refused_post(request, article, form, str(refusal), 403)
    except ValidationError as refusal:  # a screen refused the text (a banned word): say so, keep the text
        form.add_error("body", refusal.messages)
        return _render_article(request, article, form, article_version(article.pk), status=400)
    if comment.status == Comment.Status.PENDING:
        messages.info(request, _("Your comment is awaiting review: it appears once a moderator approves it."))
        return redirect(f"{article.get_absolute_url()}#{FORM_ANCHOR}")
    messages.success(request, _("Your comment is posted."))
    return redirect(f"{article.get_absolute_url()}?sort=newest#{FORM_ANCHOR}")


@require_GET
def comment_permalink(request: HttpRequest, comment_id: int) -> HttpResponse:
    """A comment's own address (Comment.get_absolute_url): to the page of its section that shows
    it, in the reader's sort when the link carries one, scrolled to it. Links from other pages
    (the perception gap, "My comments", "My votes", back from editing) land on the comment even
    when it is not on the first page. A comment out of view since the link was made (held,
    removed) leads to its article."""
    comment = get_object_or_404(
        Comment.objects.filter(article__in=Article.objects.published()).select_related("article", "parent"),
        pk=comment_id,
    )
    if comment.status != Comment.Status.VISIBLE:
        return redirect(comment.article)
    shown = comment
    if comment.is_reply:  # in its thread: under its parent on the article page, or on the thread's page
        shown = comment.parent
        if shown.status != Comment.Status.VISIBLE:
            return redirect(comment.article)
        place = selectors.reply_place(reply=comment)
        if place >= settings.FORUM_THREAD_REPLIES_SHOWN:
            page = place // max(1, settings.FORUM_THREAD_REPLIES_PER_PAGE) + 1
            query = f"?page={page}" if page > 1 else ""
            return redirect(f"{reverse('comment_thread', args=[shown.pk])}{query}#comment-{comment.pk}")
    sort, _pages = _sort_and_pages(request)
    page = selectors.comment_page(comment=shown, sort=sort)
    query = {"sort": sort} if sort != selectors.DEFAULT_SORT else {}
    if page > 1:
        query[f"{shown.section}_page"] = page
    address = comment.article.get_absolute_url() + (f"?{urlencode(query)}" if query else "")
    return redirect(f"{address}#comment-{comment.pk}")


# --- Threads: a thread's own page, and replying -------------------------------------------------


def _thread_comment(comment_id: int) -> tuple[Comment, Comment]:
    """A readable comment and its thread's parent (itself when it starts the thread); 404 when
    either is out of view."""
    comment = get_object_or_404(
        Comment.objects.readable().select_related("article", "author", "parent__author"), pk=comment_id
    )
    parent = comment.parent if comment.is_reply else comment
    if parent.status != Comment.Status.VISIBLE:
        raise Http404
    parent.article = comment.article
    return comment, parent


def _thread_response(
    request: HttpRequest,
    parent: Comment,
    *,
    answering: Comment,
    form: ReplyForm,
    page: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """The thread's page with the reply form answering ``answering`` (the parent, or one of its
    replies): what the reader typed stays in a refused form, with why beside it."""
    user = request.user
    if page is None:
        page = _page_number(request.GET.get("page"))
    thread = selectors.thread_page(parent=parent, page=page)
    article = parent.article
    refusal = services.comment_refusal(user=user, article=article, parent=parent) if user.is_authenticated else None
    if refusal and form.is_bound:  # a refused post: the text stays readable and copyable
        form.fields["body"].widget.attrs["readonly"] = True
    answering_label = None
    if answering.pk != parent.pk:
        by = selectors.shown_author(comment=answering, viewer=AnonymousUser())
        answering_label = (
            _("Replying to @%(name)s") % {"name": by.public_name} if by else _("Replying to a reader in Japan")
        )
    context = {
        "article": article,
        "heading": selectors.heading_in(article, get_language()),
        "parent": parent,
        "thread": thread,
        "thread_html": page_cache.thread_html(
            thread=thread,
            viewer=user,
            csrf_token=get_token(request) if user.is_authenticated else None,
            next_path=request.get_full_path(),
        ),
        "form": form,
        "refusal": refusal,
        "reply_action": reverse("reply", args=[answering.pk]) + "#reply-form",
        "answering_label": answering_label,
        "comment_max_length": settings.COMMENT_MAX_LENGTH,
    }
    response = render(request, "forum/thread.html", context, status=status)
    if user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@require_GET
def comment_thread(request: HttpRequest, comment_id: int) -> HttpResponse:
    """A thread's own page (/comments/<id>/thread/): the top-level comment, all its replies
    oldest first (paginated), and the form to answer it. A reply's id leads to its thread."""
    comment, parent = _thread_comment(comment_id)
    if comment.pk != parent.pk:
        return redirect(comment)
    return _thread_response(request, parent, answering=parent, form=ReplyForm(prefix="reply"))


@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Answer a comment or a reply (/comments/<id>/reply/), HTML only. GET: the thread's page with
    the form answering it (where Reply leads without JavaScript). POST: the reply is posted
    (forum.services.post_comment) and the reader lands on it; a refusal or a bad text shows the
    form again with what was typed and why."""
    wait_seconds = _comment_rate_wait(request) if request.method == "POST" else None
    if wait_seconds is not None and not request.user.is_authenticated:
        return rate_limits.too_many_requests(request, wait_seconds=wait_seconds)
    comment, parent = _thread_comment(comment_id)
    if request.method == "GET":
        page = None
        if comment.pk != parent.pk and "page" not in request.GET:
            page = selectors.reply_place(reply=comment) // max(1, settings.FORUM_THREAD_REPLIES_PER_PAGE) + 1
        return _thread_response(request, parent, answering=comment, form=ReplyForm(prefix="reply"), page=page)
    if not request.user.is_authenticated:
        return redirect_to_login(f"{reverse('reply', args=[comment.pk])}#reply-form")
    form = ReplyForm(request.POST, prefix="reply")

    def again(status: int, error=None) -> HttpResponse:
        if error is not None:
            form.add_error("body", error)
        return _thread_response(request, parent, answering=comment, form=form, status=status)

    if wait_seconds is not None:
        response = again(429, _rate_limit_text(wait_seconds))
        response["Retry-After"] = str(wait_seconds)
        return response
    if not form.is_valid():
        return again(400)
    try:
        posted = services.post_comment(
            author=request.user,
            article=comment.article,
            body=form.cleaned_data["body"],
            language=form.cleaned_data["language"] or None,
            answering=comment,
        )
    except PermissionDenied as refusal:  # closed, a sanction, the new-account wait, unverified
        return again(403, str(refusal))
    except ValidationError as refusal:  # a screen refused the text, or the comment cannot be answered
        return again(400, refusal.messages)
    if posted.status == Comment.Status.PENDING:
        messages.info(request, _("Your reply is awaiting review: it appears once a moderator approves it."))
        return redirect(f"{reverse('comment_thread', args=[parent.pk])}#reply-form")
    messages.success(request, _("Your reply is posted."))
    return redirect(posted)


# --- The author's own comment: edit and delete ---------------------------------------------------


def _refused(request: HttpRequest, comment: Comment | None, refusal: Exception, template: str) -> HttpResponse:
    return render(request, template, {"comment": comment, "refusal": str(refusal)}, status=403)


def _edit_page(request: HttpRequest, comment: Comment, form: EditCommentForm, status: int = 200) -> HttpResponse:
    context = {"comment": comment, "form": form, "comment_max_length": settings.COMMENT_MAX_LENGTH}
    return render(request, "forum/comment_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Reword one's comment on its own page, without JavaScript (the script edits in place
    through the API). A refused POST (the window closed, a sanction, a rate limit) shows the form
    again with the reader's new wording in it and the reason beside it."""
    wait_seconds = _comment_rate_wait(request) if request.method == "POST" else None
    comment = get_object_or_404(Comment.objects.readable().select_related("article"), pk=comment_id)
    template = "forum/comment_edit.html"
    form = EditCommentForm(request.POST or None, initial={"body": comment.body, "language": comment.language})
    if wait_seconds is not None:
        form.add_error("body", _rate_limit_text(wait_seconds))
        response = _edit_page(request, comment, form, status=429)
        response["Retry-After"] = str(wait_seconds)
        return response
    try:
        services.ensure_can_edit_comment(user=request.user, comment=comment)
    except PermissionDenied as refusal:
        if request.method == "POST":
            form.add_error("body", str(refusal))
            return _edit_page(request, comment, form, status=403)
        return _refused(request, comment, refusal, template)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.edit_comment(
                    user=request.user,
                    comment=comment,
                    body=form.cleaned_data["body"],
                    language=form.cleaned_data["language"] or None,
                )
            except PermissionDenied as refusal:  # the window closed while the reader typed
                form.add_error("body", str(refusal))
                return _edit_page(request, comment, form, status=403)
            except ValidationError as error:
                form.add_error("language" if error.code == "invalid_choice" else "body", error)
            else:
                messages.success(request, _("Your comment is updated."))
                return redirect(comment)
        return _edit_page(request, comment, form, status=400)
    return _edit_page(request, comment, form)


@login_required
@require_http_methods(["GET", "POST"])
def delete_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Take back one's comment, after a confirmation page (the script asks in a dialog and
    deletes through the API)."""
    comment = get_object_or_404(Comment.objects.readable().select_related("article"), pk=comment_id)
    template = "forum/comment_delete.html"
    article = comment.article
    if request.method == "POST":
        try:
            services.delete_comment(user=request.user, comment=comment)
        except PermissionDenied as refusal:
            return _refused(request, comment, refusal, template)
        messages.success(request, _("Your comment is deleted."))
        return redirect(f"{article.get_absolute_url()}#{NAV_ANCHOR}")
    if refusal := services.delete_refusal(user=request.user, comment=comment):
        return _refused(request, comment, PermissionDenied(refusal), template)
    return render(request, template, {"comment": comment})


# --- Live counts (see forum/live.py; polls are mostly answered by config/live_shortcut.py) -----


@require_GET
def live(request: HttpRequest, article_id: int) -> HttpResponse:
    """What changed on an open article page since its version: see forum/live.py. A draft or an
    unknown id is a 404, and leaves nothing in the cache. The 304 carries the same headers as the
    200: how long a shared cache may keep it, and when the page should ask again."""
    sample = live_counts.published_sample(article_id)
    if sample is None:
        raise Http404
    headers = live_counts.headers_for(sample)
    not_modified = get_conditional_response(request, etag=headers["ETag"])
    if not_modified is not None:
        for name, value in headers.items():
            not_modified[name] = value
        return not_modified
    ids, after = live_counts.parse_query(request.GET.get("ids", ""), request.GET.get("after", ""))
    body = live_counts.answer(article_id, sample.version, ids, after)
    return HttpResponse(body, content_type="application/json", headers=headers)


# config.middleware.TimeZoneMiddleware skips the reader's zone here: a poll renders no time, and
# must touch neither the session nor the user.
live.renders_no_times = True


# --- The reader's own pages -------------------------------------------------------------------

MY_VOTES_PER_PAGE = 50


@login_required
def my_votes(request: HttpRequest) -> HttpResponse:
    """What the reader agreed and disagreed with, newest first."""
    paginator = Paginator(votes_of(user=request.user), MY_VOTES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "accounts/my_votes.html", {"page": page})


# --- Muting a comment's author --------------------------------------------------------------------


def _back_to(comment: Comment) -> HttpResponse:
    """To the comment on the page of its article that shows it (its permalink finds the page)."""
    return redirect(comment)


@require_POST
def mute_comment_author(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Mute the comment's author (signed or not: the page never says who it is), then back to the
    comment, collapsed. The page's script does the same through the API (POST /api/v1/me/mutes/)."""
    comment = get_object_or_404(selectors.visible_comments(), pk=comment_id)
    if not request.user.is_authenticated:
        return redirect_to_login(comment.get_absolute_url())
    try:
        services.mute_author_of(reader=request.user, comment=comment)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal), extra_tags=refusal_code(refusal))
    else:
        messages.success(
            request, _("You muted this reader: their comments and replies are collapsed for you. They are not told.")
        )
    return _back_to(comment)


@require_POST
def unmute_comment_author(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(selectors.visible_comments(), pk=comment_id)
    if not request.user.is_authenticated:
        return redirect_to_login(comment.get_absolute_url())
    if services.unmute_author_of(reader=request.user, comment=comment):
        messages.success(request, _("You unmuted this reader: their comments show again."))
    return _back_to(comment)


@login_required
def my_mutes(request: HttpRequest) -> HttpResponse:
    """The readers the reader muted, each with Unmute. An unsigned voice is named only by the
    comment it was muted from."""
    return render(request, "accounts/my_mutes.html", {"voices": selectors.muted_voices(reader=request.user)})


@login_required
@require_POST
def unmute(request: HttpRequest, mute_id: int) -> HttpResponse:
    if unmute_mute(reader=request.user, mute_id=mute_id):
        messages.success(request, _("You unmuted this reader: their comments show again."))
    return redirect("my_mutes")
