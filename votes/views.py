"""The vote buttons: plain forms that work without JavaScript, JSON when the script asks.

The JSON answers have the API's shapes (votes.api.VoteOutput, forum.serializers.CountsOutput), and the
write goes through the same services as the API's, so a vote means one thing on every path.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.services import refusal_code
from forum.models import Comment
from forum.serializers import CountsOutput
from infra.rate_limits import VOTE, rate_limited

from .api import vote_answer
from .models import Vote
from .selectors import comment_to_vote_on, counted_now, overlay_own_votes
from .services import VoteNotAllowed, toggle_vote


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
@rate_limited(*VOTE)
def vote(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = comment_to_vote_on(comment_id)
    back = f"{comment.article.get_absolute_url()}#comment-{comment.pk}"
    if not request.user.is_authenticated:
        if _wants_json(request):
            return JsonResponse({"detail": _("Sign in to vote.")}, status=401)
        return redirect_to_login(comment.article.get_absolute_url())
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
            return JsonResponse({"detail": str(refusal), "code": refusal_code(refusal)}, status=403)
        messages.error(request, str(refusal), extra_tags=refusal_code(refusal))
        return redirect(back)
    if _wants_json(request):
        # The counts are counted from the votes now, so they include this one; the stored counters
        # follow when the tally task has run (tallied_at passes `answered_at`). Without the script,
        # the page the redirect lands on lays the reader's votes over its counts the same way.
        answered_at = timezone.now()
        counted = counted_now(comment=comment)
        return JsonResponse(vote_answer(comment=counted, choice=new_choice, answered_at=answered_at))
    return redirect(back)


@require_GET
def counts(request: HttpRequest, comment_id: int) -> JsonResponse:
    """The comment's counts, which the page's script polls after a vote: for a signed-in reader
    whose vote is newer than the last tally, counted from the votes (the same overlay as the
    page), so a poll never shows a count without the vote the reader just cast."""
    comment = get_object_or_404(Comment.objects.readable(), pk=comment_id)
    overlay_own_votes(user=request.user, comments=[comment])
    return JsonResponse(CountsOutput(comment).data)
