"""Browser pages. The article page composes the forum's reads with the reader's votes; the
comment pages (edit, delete) call the same services as the API; the live endpoint keeps an
open article page current."""

import gzip
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api.rate_limits import COMMENT, rate_limited
from votes.selectors import votes_of

from . import live as live_counts
from . import page_cache, selectors, services
from .forms import CommentForm, EditCommentForm
from .models import Article, Comment
from .versions import article_version

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


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# How long a shared cache in front may keep a signed-out article page: short, because a change
# reaches readers only after it; the page answers conditional requests, so a check is cheap.
SHARED_CACHE_SECONDS = 10


def _sort_and_pages(request: HttpRequest) -> tuple[str, dict[str, int]]:
    sort = request.GET.get("sort", selectors.DEFAULT_SORT)
    if sort not in selectors.SORTS:
        sort = selectors.DEFAULT_SORT
    return sort, {key: _page_number(request.GET.get(f"{key}_page")) for key in ("japan", "world")}


def _render_article(
    request: HttpRequest,
    article: Article,
    form: CommentForm,
    version: int,
    status: int = 200,
    language: str | None = None,
) -> HttpResponse:
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
    # The reader's own section may be closed while the other is open: the form is then disabled.
    my_section_closed = user.is_authenticated and not article.section_open(services.section_for(user))
    if my_section_closed:
        form.fields["body"].disabled = True
    context = {
        "my_section_closed": my_section_closed,
        "perception": page_cache.perception(article=article, version=version),
        "article": article,
        "text": text,
        "other_versions": selectors.other_versions(article=article, shown=text),
        "sections": sections.summaries,
        "sections_html": page_cache.fill_slots(sections.html, csrf_token=csrf_token, next_path=request.get_full_path()),
        "sort": sort,
        "sorts": selectors.SORT_LABELS,
        "form": form,
        # Read before the comments: a change made while the page renders bumps past this number,
        # so the page's first live poll fetches it.
        "live_version": version,
        "newest_comment_id": sections.newest_id,
        "comment_max_length": settings.COMMENT_MAX_LENGTH,
        "form_anchor": FORM_ANCHOR,
        "nav_anchor": NAV_ANCHOR,
    }
    return render(request, "forum/article.html", context, status=status)


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
        etag = page_cache.etag(version=version, full_path=full_path, signed_in=False)
    if not personal and etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    elif kept is not None:
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(kept, headers={"Content-Encoding": "gzip"})
        else:
            response = HttpResponse(gzip.decompress(kept))
    else:
        response = _render_article(request, article, CommentForm(), version, language=language)
        if _shareable(request):
            page_cache.keep_page(article_id=article.pk, full_path=full_path, etag=etag, content=response.content)
    response["ETag"] = etag
    if _shareable(request):
        patch_cache_control(response, public=True, max_age=SHARED_CACHE_SECONDS)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Accept-Language", "Cookie", "Accept-Encoding"))
    return response


@require_POST
@rate_limited(*COMMENT)
def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(f"{article.get_absolute_url()}#{FORM_ANCHOR}")
    form = CommentForm(request.POST)
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
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
        return redirect(f"{article.get_absolute_url()}#{FORM_ANCHOR}")
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
        Comment.objects.filter(article__in=Article.objects.published()).select_related("article"), pk=comment_id
    )
    if comment.status != Comment.Status.VISIBLE:
        return redirect(comment.article)
    sort, _pages = _sort_and_pages(request)
    page = selectors.comment_page(comment=comment, sort=sort)
    query = {"sort": sort} if sort != selectors.DEFAULT_SORT else {}
    if page > 1:
        query[f"{comment.section}_page"] = page
    address = comment.article.get_absolute_url() + (f"?{urlencode(query)}" if query else "")
    return redirect(f"{address}#comment-{comment.pk}")


# --- The author's own comment: edit and delete ---------------------------------------------------


def _refused(request: HttpRequest, comment: Comment | None, refusal: Exception, template: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": str(refusal)}, status=403)
    return render(request, template, {"comment": comment, "refusal": str(refusal)}, status=403)


def _edit_page(request: HttpRequest, comment: Comment, form: EditCommentForm, status: int = 200) -> HttpResponse:
    context = {"comment": comment, "form": form, "comment_max_length": settings.COMMENT_MAX_LENGTH}
    return render(request, "forum/comment_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited(*COMMENT)
def edit_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Reword one's comment: its own page without JavaScript; the page's script posts here too."""
    comment = get_object_or_404(Comment.objects.readable().select_related("article"), pk=comment_id)
    template = "forum/comment_edit.html"
    try:
        services.ensure_can_edit_comment(user=request.user, comment=comment)
    except PermissionDenied as refusal:
        return _refused(request, comment, refusal, template)
    form = EditCommentForm(request.POST or None, initial={"body": comment.body, "language": comment.language})
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
                return _refused(request, comment, refusal, template)
            except ValidationError as error:
                form.add_error("language" if error.code == "invalid_choice" else "body", error)
            else:
                if _wants_json(request):
                    return JsonResponse(
                        {
                            "id": comment.pk,
                            "body": comment.body,
                            "language": comment.language,
                            "is_edited": comment.is_edited,
                        }
                    )
                messages.success(request, _("Your comment is updated."))
                return redirect(comment)
        if _wants_json(request):
            return JsonResponse({"body": form.errors.get("body", [])}, status=400)
        return _edit_page(request, comment, form, status=400)
    return _edit_page(request, comment, form)


@login_required
@require_http_methods(["GET", "POST"])
def delete_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Take back one's comment, after a confirmation page (or the script's dialog)."""
    comment = get_object_or_404(Comment.objects.readable().select_related("article"), pk=comment_id)
    template = "forum/comment_delete.html"
    article = comment.article
    if request.method == "POST":
        try:
            services.delete_comment(user=request.user, comment=comment)
        except PermissionDenied as refusal:
            return _refused(request, comment, refusal, template)
        if _wants_json(request):
            return JsonResponse({"deleted": comment_id})
        messages.success(request, _("Your comment is deleted."))
        return redirect(f"{article.get_absolute_url()}#{NAV_ANCHOR}")
    if comment.author_id != request.user.pk:
        return _refused(request, comment, PermissionDenied(_("Only the author can delete this comment.")), template)
    return render(request, template, {"comment": comment})


# --- Live counts (see forum/live.py; polls are mostly answered before Django) ------------------


@require_GET
def live(request: HttpRequest, article_id: int) -> HttpResponse:
    """What changed on an open article page since its version: see forum/live.py."""
    ids, after = live_counts.parse_query(request.GET.get("ids", ""), request.GET.get("after", ""))
    status, etag, body = live_counts.answer(article_id, ids, after, request.headers.get("If-None-Match"))
    headers = {"ETag": etag, **dict(live_counts.HEADERS)}
    if status == 304:
        return HttpResponseNotModified(headers=headers)
    return HttpResponse(body, content_type="application/json", headers=headers)


# --- The reader's own pages -------------------------------------------------------------------

MY_VOTES_PER_PAGE = 50


@login_required
def my_votes(request: HttpRequest) -> HttpResponse:
    """What the reader agreed and disagreed with, newest first."""
    paginator = Paginator(votes_of(user=request.user), MY_VOTES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "accounts/my_votes.html", {"page": page})
