"""The vote buttons as plain forms, for a page without JavaScript: a POST, then back to the
comment. Pressing the button already pressed takes the vote back. With JavaScript the page's
script calls the API instead (PUT or DELETE /api/v1/comments/<id>/vote/, votes.api), which goes
through the same services, so a vote means one thing on every path.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.services import refusal_code
from forum.models import Comment
from forum.serializers import CountsOutput
from infra.rate_limits import VOTE, rate_limited

from .models import Vote
from .selectors import comment_to_vote_on, overlay_own_votes
from .services import VoteNotAllowed, toggle_vote


@require_POST
@rate_limited(*VOTE)
def vote(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Back on the comment, whatever happened: the page the redirect lands on lays the reader's
    votes over its counts (so they include this one), and says why a vote was refused."""
    comment = comment_to_vote_on(comment_id)
    back = f"{comment.article.get_absolute_url()}#comment-{comment.pk}"
    if not request.user.is_authenticated:
        return redirect_to_login(comment.article.get_absolute_url())
    choice = request.POST.get("choice", "")
    if choice not in Vote.Choice.values:
        messages.error(request, _("Choose agree or disagree."))
        return redirect(back)
    try:
        toggle_vote(user=request.user, comment=comment, choice=choice)
    except VoteNotAllowed as refusal:
        messages.error(request, str(refusal), extra_tags=refusal_code(refusal))
    return redirect(back)


@require_GET
def counts(request: HttpRequest, comment_id: int) -> JsonResponse:
    """The comment's counts, which the page's script polls after a vote: for a signed-in reader
    whose vote is newer than the last tally, counted from the votes (the same overlay as the
    page), so a poll never shows a count without the vote the reader just cast."""
    comment = get_object_or_404(Comment.objects.readable(), pk=comment_id)
    overlay_own_votes(user=request.user, comments=[comment])
    return JsonResponse(CountsOutput(comment).data)
