"""The reader's pages of moderation: reporting a comment (a plain form; static/js/report.js
opens the same form in a dialog and sends it to the API, moderation.api), and "My comments"
with what moderators decided and why. They answer HTML only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from accounts.services import EMAIL_UNVERIFIED, refusal_code
from forum.selectors import visible_comments
from infra.rate_limits import REPORT, rate_limited

from . import selectors
from .forms import ReportForm
from .services import report_comment

MY_COMMENTS_PAGE_SIZE = 20


@login_required
@rate_limited(*REPORT)
def report(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The report form; the page's script shows it in a dialog (and sends it to the API).
    Without the script, a sent report is answered on this page (not on the comment far down the
    article, where the confirmation was out of view): the confirmation on top, the comment, a
    link back to it."""
    comment = get_object_or_404(visible_comments(), pk=comment_id)
    form = ReportForm(request.POST or None)

    def page(status: int = 200) -> HttpResponse:
        existing = selectors.open_report_of(reporter=request.user, comment_id=comment.pk)
        context = {"comment": comment, "form": form, "existing": existing}
        return render(request, "moderation/report.html", context, status=status)

    if request.method == "POST":
        if not form.is_valid():
            return page(status=400)
        try:
            result = report_comment(reporter=request.user, comment=comment, **form.cleaned_data)
        except PermissionDenied as refusal:
            if refusal_code(refusal) == EMAIL_UNVERIFIED:  # with what to do about it (the re-send button)
                messages.error(request, str(refusal), extra_tags=refusal_code(refusal))
            else:
                form.add_error(None, str(refusal))  # shown on this page, with what the reader wrote
            return page(status=403)
        if result.created:
            message = _("Thank you. The moderators will look at this comment.")
        else:
            message = _("You have already reported this comment. The moderators will look at it.")
        # Shown on this page, not after a redirect: the report may just have held the comment,
        # which then has no report page (nor a place on the article) to be redirected to.
        messages.success(request, message)
        return page()
    return page()


@login_required
def my_comments(request: HttpRequest) -> HttpResponse:
    comments = selectors.comments_of(author=request.user).order_by("-created_at", "-id")
    paginator = Paginator(comments, MY_COMMENTS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    for comment in page:
        comment.reason_text = selectors.rejection_reason_text(comment)
    return render(request, "accounts/my_comments.html", {"page": page})
