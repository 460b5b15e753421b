"""The reader's pages of moderation: reporting a comment (a plain form; static/js/report.js
opens it in a dialog), and "My comments" with what moderators decided and why."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.services import refusal_code
from api.rate_limits import REPORT, rate_limited
from forum.selectors import visible_comments

from . import selectors
from .forms import ReportForm
from .services import report_comment

MY_COMMENTS_PAGE_SIZE = 20


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@rate_limited(*REPORT)
def report(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(visible_comments(), pk=comment_id)
    back = comment.get_absolute_url()
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            if _wants_json(request):
                return JsonResponse(form.errors.get_json_data(), status=400)
            return render(request, "moderation/report.html", {"comment": comment, "form": form}, status=400)
        try:
            result = report_comment(reporter=request.user, comment=comment, **form.cleaned_data)
        except PermissionDenied as refusal:
            if _wants_json(request):
                return JsonResponse({"detail": str(refusal), "code": refusal_code(refusal)}, status=403)
            messages.error(request, str(refusal), extra_tags=refusal_code(refusal))
            return redirect(back)
        if result.created:
            message = _("Thank you. The moderators will look at this comment.")
        else:
            message = _("You have already reported this comment. The moderators will look at it.")
        if _wants_json(request):
            return JsonResponse({"detail": message}, status=201 if result.created else 200)
        messages.success(request, message)
        return redirect(back)
    return render(request, "moderation/report.html", {"comment": comment, "form": form})


@login_required
def my_comments(request: HttpRequest) -> HttpResponse:
    comments = selectors.comments_of(author=request.user).order_by("-created_at", "-id")
    paginator = Paginator(comments, MY_COMMENTS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    for comment in page:
        comment.reason_text = selectors.rejection_reason_text(comment)
    return render(request, "accounts/my_comments.html", {"page": page})
