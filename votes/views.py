"""The vote buttons: plain forms that work without JavaScript, JSON when the script asks."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from forum.models import Comment
from forum.rate_limits import VOTE, rate_limited
from forum.selectors import comments_to_vote_on

from .models import Vote
from .services import VoteNotAllowed, toggle_vote


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def counts_payload(comment: Comment) -> dict[str, object]:
    return {
        "comment": comment.pk,
        "agree": comment.agree_count,
        "disagree": comment.disagree_count,
        "agree_japan": comment.agree_japan_count,
        "agree_world": comment.agree_world_count,
        "disagree_japan": comment.disagree_japan_count,
        "disagree_world": comment.disagree_world_count,
        "tallied_at": comment.tallied_at.isoformat() if comment.tallied_at else None,
    }


@require_POST
@rate_limited(*VOTE)
def vote(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(comments_to_vote_on(), pk=comment_id)
    back = f"{comment.article.get_absolute_url()}#comment-{comment.pk}"
    if not request.user.is_authenticated:
        if _wants_json(request):
            return JsonResponse({"detail": _("Sign in to vote.")}, status=401)
        return redirect(f"/accounts/sign-in/?next={comment.article.get_absolute_url()}")
    choice = request.POST.get("choice", "")
    if choice not in Vote.Choice.values:
        if _wants_json(request):
            return JsonResponse({"choice": [_("Choose agree or disagree.")]}, status=400)
        messages.error(request, _("Choose agree or disagree."))
        return redirect(back)
    try:
        new_choice = toggle_vote(user=request.user, comment=comment, choice=choice)
    except VoteNotAllowed as refusal:
        if _wants_json(request):
            return JsonResponse({"detail": str(refusal)}, status=403)
        messages.error(request, str(refusal))
        return redirect(back)
    if _wants_json(request):
        # The counters are derived by a task; the script polls `counts` until tallied_at passes
        # `answered_at`, the moment after this vote was committed.
        return JsonResponse(
            {"choice": new_choice, "answered_at": timezone.now().isoformat(), **counts_payload(comment)}
        )
    return redirect(back)


@require_GET
def counts(request: HttpRequest, comment_id: int) -> JsonResponse:
    comment = get_object_or_404(Comment.objects.visible(), pk=comment_id)
    return JsonResponse(counts_payload(comment))
