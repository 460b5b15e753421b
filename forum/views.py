"""Browser pages. The article page composes the forum's reads with the reader's votes."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.rate_limits import COMMENT, rate_limited
from votes.selectors import choices_of

from . import selectors, services
from .forms import CommentForm
from .models import Article, Comment


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "forum/home.html", {"articles": selectors.published_articles()[:50]})


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
    # The reader's own section may be closed while the other is open: the form is then disabled.
    my_section_closed = request.user.is_authenticated and not article.section_open(services.section_for(request.user))
    if my_section_closed:
        form.fields["body"].disabled = True
    context = {
        "my_section_closed": my_section_closed,
        "article": article,
        "sections": sections,
        "sort": sort,
        "sorts": selectors.SORT_LABELS,
        "form": form,
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
    except ValidationError as refusal:  # a screen refused the text (a banned word): say so, keep the text
        form.add_error("body", refusal.messages)
        return _render_article(request, article, form, status=400)
    if comment.status == Comment.Status.PENDING:
        messages.info(request, _("Your comment is awaiting review: it appears once a moderator approves it."))
        return redirect(article)
    messages.success(request, _("Your comment is posted."))
    return redirect(f"{article.get_absolute_url()}#comment-{comment.pk}")
