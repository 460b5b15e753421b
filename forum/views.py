"""Browser pages. The article page composes the forum's reads with the reader's votes."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.rate_limits import COMMENT, rate_limited
from votes.selectors import choices_of

from . import selectors, services
from .forms import CommentForm
from .models import Article


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "forum/home.html", {"articles": selectors.home_articles()})


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 7 else 1


def _render_article(request: HttpRequest, article: Article, form: CommentForm, status: int = 200) -> HttpResponse:
    sort = request.GET.get("sort", selectors.DEFAULT_SORT)
    if sort not in selectors.SORTS:
        sort = selectors.DEFAULT_SORT
    pages = {key: _page_number(request.GET.get(f"{key}_page")) for key in ("japan", "world")}
    sections = selectors.article_sections(article=article, sort=sort, pages=pages)
    my_votes = choices_of(user=request.user, comment_ids=[c.pk for s in sections for c in s.comments])
    for section in sections:
        for comment in section.comments:
            comment.my_choice = my_votes.get(comment.pk)
            comment.shown_author = selectors.shown_author(comment=comment, viewer=request.user)
    context = {
        "article": article,
        "sections": sections,
        "sort": sort,
        "sorts": selectors.SORT_LABELS,
        "form": form,
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
        return redirect_to_login(article.get_absolute_url())
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _render_article(request, article, form, status=400)
    try:
        comment = services.post_comment(author=request.user, article=article, body=form.cleaned_data["body"])
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
        return redirect(article)
    messages.success(request, _("Your comment is posted."))
    return redirect(f"{article.get_absolute_url()}#comment-{comment.pk}")
