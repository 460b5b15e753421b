"""REST API for votes: PUT a choice (idempotent), DELETE to take it back."""

from datetime import datetime

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import CachedTokenAuthentication
from api.authentication import SessionAuthentication
from api.base import ForumApiView
from api.errors import BODY_ERRORS, error_responses
from api.throttles import VOTE_THROTTLES
from forum.models import COUNT_FIELDS, Comment
from forum.serializers import COMMENT_ID, CountsOutput

from .models import Vote
from .selectors import comment_to_vote_on, counted_now
from .services import cast_vote, retract_vote

REFUSALS = (
    "Your own comment, the discussion or its section is closed, or the account is too new to vote, suspended or "
    "banned (the detail says which, and until when), or a CSRF failure."
)


class VoteOutput(serializers.Serializer):
    comment = serializers.IntegerField(source="comment.pk")
    my_vote = serializers.ChoiceField(choices=Vote.Choice.choices, allow_null=True)
    counts = CountsOutput(
        source="comment",
        help_text="Counted from the votes as this answer was made, so they include this vote; "
        "`tallied_at` is still when the stored counters last changed.",
    )
    answered_at = serializers.DateTimeField(
        help_text="When the vote was stored: the stored counters (GET .../counts/, the lists) include it once "
        "their `tallied_at` is later than this."
    )


_DATETIME = serializers.DateTimeField()


def vote_answer(*, comment: Comment, choice: str | None, answered_at: datetime) -> dict:
    """VoteOutput's data, built without a DRF serializer: instantiating VoteOutput and its nested
    CountsOutput cost a vote more CPU than its database statements. VoteOutput stays the
    documented shape, and tests/api/test_votes_api_round_trips.py checks the two agree."""
    counts = {name.removesuffix("_count"): getattr(comment, name) for name in COUNT_FIELDS}
    counts["tallied_at"] = _DATETIME.to_representation(comment.tallied_at) if comment.tallied_at else None
    return {
        "comment": comment.pk,
        "my_vote": choice,
        "counts": counts,
        "answered_at": _DATETIME.to_representation(answered_at),
    }


class CommentVoteApi(ForumApiView):
    # The token's reader from a short-lived cache: no database round trip to authenticate a vote.
    authentication_classes = [CachedTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = VOTE_THROTTLES

    class VoteInput(serializers.Serializer):
        choice = serializers.ChoiceField(choices=Vote.Choice.choices)

    def _comment(self, comment_id: int) -> Comment:
        return comment_to_vote_on(comment_id)

    def _answer(self, comment: Comment, choice: str | None) -> Response:
        answered_at = timezone.now()
        counted = counted_now(comment=comment)
        return Response(vote_answer(comment=counted, choice=choice, answered_at=answered_at))

    @extend_schema(
        operation_id="comments_vote_update",
        summary="Agree or disagree with a comment (idempotent; switches an earlier vote)",
        parameters=[COMMENT_ID],
        request=VoteInput,
        examples=[OpenApiExample("I agree", value={"choice": "agree"}, request_only=True)],
        responses={200: VoteOutput, **error_responses(*BODY_ERRORS, 401, 403, 404, 429, d403=REFUSALS)},
    )
    def put(self, request: Request, comment_id: int) -> Response:
        comment = self._comment(comment_id)
        data = self.VoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        vote = cast_vote(user=request.user, comment=comment, choice=data.validated_data["choice"])
        return self._answer(comment, vote.choice)

    @extend_schema(
        operation_id="comments_vote_destroy",
        summary="Take your vote back (taking back no vote changes nothing)",
        parameters=[COMMENT_ID],
        responses={200: VoteOutput, **error_responses(401, 403, 404, 429, d403=REFUSALS)},
    )
    def delete(self, request: Request, comment_id: int) -> Response:
        comment = self._comment(comment_id)
        retract_vote(user=request.user, comment=comment)
        return self._answer(comment, None)
