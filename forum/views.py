"""Browser pages. The article page composes the forum's reads with the reader's votes; the
comment pages (edit, delete) call the same services as the API; the live endpoint keeps an
open article page current."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api.rate_limits import COMMENT, rate_limited
from votes.selectors import overlay_own_votes, votes_of

from . import live as live_counts
from . import selectors, services
from .forms import CommentForm, EditCommentForm
from .models import Article, Comment
from .versions import article_version

# The comment box's anchor: a post that fails comes back here, with its errors beside the form.
FORM_ANCHOR = "comment-form"
# The sort links land on the comments' navigation, not on the top of the article.
NAV_ANCHOR = "comment-nav"


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "forum/home.html", {"articles": selectors.home_articles()})


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 7 else 1


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _render_article(request: HttpRequest, article: Article, form: CommentForm, status: int = 200) -> HttpResponse:
    sort = request.GET.get("sort", selectors.DEFAULT_SORT)
    if sort not in selectors.SORTS:
        sort = selectors.DEFAULT_SORT
    # Read before the comments: a change made while the page renders bumps past this number, so
    # the page's first live poll fetches it.
    live_version = article_version(article.pk)
    pages = {key: _page_number(request.GET.get(f"{key}_page")) for key in ("japan", "world")}
    sections = selectors.article_sections(article=article, sort=sort, pages=pages)
    # The reader's votes, and counts that include those newer than their comment's last tally.
    my_votes = overlay_own_votes(user=request.user, comments=[c for s in sections for c in s.comments])
    user = request.user
    for section in sections:
        for comment in section.comments:
            comment.my_choice = my_votes.get(comment.pk)
            comment.shown_author = selectors.shown_author(comment=comment, viewer=user)
            # The reader's own controls: computed only for their own comments.
            if user.is_authenticated and comment.author_id == user.pk and article.section_open(comment.section):
                comment.can_delete = True
                comment.can_edit = services.can_edit_comment(user=user, comment=comment)
    # The reader's own section may be closed while the other is open: the form is then disabled.
    my_section_closed = user.is_authenticated and not article.section_open(services.section_for(user))
    if my_section_closed:
        form.fields["body"].disabled = True
    context = {
        "my_section_closed": my_section_closed,
        "article": article,
        "sections": sections,
        "sort": sort,
        "sorts": selectors.SORT_LABELS,
        "form": form,
        "current_pages": {section.key: section.page for section in sections},
        "live_version": live_version,
        "newest_comment_id": sections[0].newest_id if sections else 0,
        "comment_max_length": settings.COMMENT_MAX_LENGTH,
        "form_anchor": FORM_ANCHOR,
        "nav_anchor": NAV_ANCHOR,
        "perception": selectors.perception(article=article),
    }
    return render(request, "forum/article.html", context, status=status)


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), slug=slug)
    return _render_article(request, article, CommentForm())


@require_POST
@rate_limited(*COMMENT)
def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(f"{article.get_absolute_url()}#{FORM_ANCHOR}")
    form = CommentForm(request.POST)
    if not form.is_valid():
        # The form's action carries #comment-form: the browser lands on the errors.
        return _render_article(request, article, form, status=400)
    try:
        comment = services.post_comment(author=request.user, article=article, body=form.cleaned_data["body"])
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
        return redirect(f"{article.get_absolute_url()}#{FORM_ANCHOR}")
    except ValidationError as refusal:  # a screen refused the text (a banned word): say so, keep the text
        form.add_error("body", refusal.messages)
        return _render_article(request, article, form, status=400)
    if comment.status == Comment.Status.PENDING:
        messages.info(request, _("Your comment is awaiting review: it appears once a moderator approves it."))
        return redirect(f"{article.get_absolute_url()}#{FORM_ANCHOR}")
    messages.success(request, _("Your comment is posted."))
    return redirect(f"{article.get_absolute_url()}?sort=newest#{FORM_ANCHOR}")


# --- The author's own comment: edit and delete ---------------------------------------------------


def _back_to(comment: Comment) -> str:
    return f"{comment.article.get_absolute_url()}#comment-{comment.pk}"


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
    form = EditCommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.edit_comment(user=request.user, comment=comment, body=form.cleaned_data["body"])
            except PermissionDenied as refusal:  # the window closed while the reader typed
                return _refused(request, comment, refusal, template)
            except ValidationError as error:
                form.add_error("body", error)
            else:
                if _wants_json(request):
                    return JsonResponse({"id": comment.pk, "body": comment.body, "is_edited": True})
                messages.success(request, _("Your comment is updated."))
                return redirect(_back_to(comment))
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
