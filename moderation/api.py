"""REST API of the reader's side of moderation: reporting a comment, and one's own comments with
their status and, when a moderator rejected one, why."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ForumApiView, TextField
from api.errors import BODY_ERRORS, error_responses
from api.pagination import PageQuery, page_of, paginate, query_values
from api.throttles import REPORT_THROTTLES
from forum.models import Comment, Section
from forum.selectors import visible_comments
from forum.serializers import COMMENT_ID

from . import selectors
from .models import Decision, Report
from .services import report_comment

MY_COMMENTS_ORDERING = ("-created_at", "-id")


class ReportInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    detail = TextField(required=False, allow_blank=True, max_length=500, default="")


class ReportOutput(serializers.Serializer):
    comment = serializers.IntegerField(source="comment_id")
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    detail = serializers.CharField()
    created_at = serializers.DateTimeField()


class CommentReportApi(ForumApiView):
    """Only the reporter's own report is ever shown: nobody learns who else reported."""

    permission_classes = [IsAuthenticated]
    throttle_classes = REPORT_THROTTLES

    @extend_schema(
        operation_id="comments_report_create",
        summary="Report a comment to the moderators (once: reporting again changes nothing)",
        description=(
            "201 with the new report; 200 with your open report if you had already reported this comment "
            "(nothing changes). Enough readers' reports hold the comment out of view until a moderator decides."
        ),
        parameters=[COMMENT_ID],
        request=ReportInput,
        examples=[OpenApiExample("Spam", value={"reason": "spam", "detail": "Links to a shop."}, request_only=True)],
        responses={
            200: ReportOutput,
            201: ReportOutput,
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                404,
                429,
                d403="Your own comment, or the account is too new (the detail says which), or a CSRF failure.",
            ),
        },
    )
    def post(self, request: Request, comment_id: int) -> Response:
        comment = get_object_or_404(visible_comments(), pk=comment_id)
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = report_comment(reporter=request.user, comment=comment, **data.validated_data)
        answer = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(ReportOutput(result.report).data, status=answer)


class MyCommentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    article = serializers.SerializerMethodField(
        help_text="The article's slug as readers last saw it; null if it was never published."
    )
    article_title = serializers.SerializerMethodField(
        help_text="The article's title as readers last saw it: an article taken out of view keeps the title it had "
        "while published (null if it never was)."
    )
    section = serializers.ChoiceField(choices=Section.choices)
    signed = serializers.BooleanField(help_text="Whether other readers see your name with it.")
    parent = serializers.IntegerField(
        source="parent_id", allow_null=True, help_text="A reply: the comment whose thread it is in; null otherwise."
    )
    reply_to = serializers.IntegerField(
        source="reply_to_id", allow_null=True, help_text="A reply: the comment or reply it answers."
    )
    deleted = serializers.BooleanField(
        source="is_placeholder", help_text="You deleted it while it had replies: its text is gone, its thread stays."
    )
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    status = serializers.ChoiceField(
        choices=Comment.Status.choices,
        help_text="visible; held (out of view after readers' reports) or pending (waiting for a moderator); "
        "hidden (removed by a moderator: see `reason`).",
    )
    reason = serializers.SerializerMethodField(
        help_text="Why a moderator removed it; null unless hidden with a reason."
    )
    reason_text = serializers.SerializerMethodField(help_text="The reason, in words to show the reader.")

    @extend_schema_field({"type": "string", "nullable": True})
    def get_article(self, comment: Comment) -> str | None:
        return comment.article.public_slug or None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_article_title(self, comment: Comment) -> str | None:
        return comment.article.public_title or None

    @extend_schema_field(serializers.ChoiceField(choices=Decision.RejectReason.choices, allow_null=True))
    def get_reason(self, comment: Comment) -> str | None:
        return comment.rejection_reason if comment.status == Comment.Status.HIDDEN else None

    @extend_schema_field({"type": "string"})
    def get_reason_text(self, comment: Comment) -> str:
        return selectors.rejection_reason_text(comment)


class MyCommentsApi(ForumApiView):
    permission_classes = [IsAuthenticated]
    per_reader = True
    MyCommentPage = page_of(MyCommentOutput, "MyCommentPage")

    @extend_schema(
        operation_id="me_comments_list",
        summary="Your comments, newest first, with their status and why a moderator removed any",
        parameters=[PageQuery],
        responses={200: MyCommentPage, **error_responses(400, 401, 404, d404="An invalid cursor.")},
    )
    def get(self, request: Request) -> Response:
        query = PageQuery(data=query_values(request))
        query.is_valid(raise_exception=True)
        page = paginate(
            queryset=selectors.comments_of(author=request.user),
            ordering=MY_COMMENTS_ORDERING,
            request=request,
            cursor=query.validated_data.get("cursor"),
            size=query.validated_data["page_size"],
        )
        return Response({"next": page.next_url, "results": MyCommentOutput(page.items, many=True).data})
