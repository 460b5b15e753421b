"""REST API of a reader's notifications and their e-mail preference (all under /api/v1/me/)."""

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ForumApiView
from api.converters import MAX_ID
from api.errors import BODY_ERRORS, error_responses
from api.pagination import PageQuery, page_of, paginate, query_values

from . import selectors, services
from .models import Notification, ReplyMail

ORDERING = ("-created_at", "-id")

NOTIFICATION_ID = OpenApiParameter(
    "notification_id",
    {"type": "integer", "minimum": 0, "maximum": MAX_ID},
    OpenApiParameter.PATH,
    description="The notification's id.",
)


class ReplyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    article = serializers.SlugField(source="article.public_slug")
    article_title = serializers.CharField(source="article.public_title")
    body = serializers.CharField()
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    parent = serializers.IntegerField(source="parent_id", help_text="The top-level comment of its thread.")
    reply_to = serializers.IntegerField(
        source="reply_to_id", allow_null=True, help_text="The comment it answers (the thread's own, or a reply)."
    )
    created_at = serializers.DateTimeField()
    url = serializers.CharField(source="get_absolute_url", help_text="The reply's page (its permalink).")


class NotificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(
        choices=Notification.Kind.choices,
        help_text="`reply`: a reply in the thread of your comment; `answer`: a reply that answers yours.",
    )
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    from_name = serializers.SerializerMethodField(
        help_text="Who replied, in words to show: a signed reply's author, or “A reader in Japan” for an unsigned "
        "one (whose author is never named)."
    )
    reply = ReplyOutput()

    @extend_schema_field({"type": "string"})
    def get_from_name(self, notification: Notification) -> str:
        return selectors.replier_name(notification.reply)


class UnreadOutput(serializers.Serializer):
    unread = serializers.IntegerField(min_value=0)


class MarkedOutput(UnreadOutput):
    marked = serializers.IntegerField(min_value=0, help_text="How many were unread.")


class PreferenceOutput(serializers.Serializer):
    reply_mail = serializers.ChoiceField(
        choices=ReplyMail.choices,
        help_text="`off`, `immediate` (one e-mail per reply) or `daily` (one digest a day). "
        "Only a verified address gets e-mail.",
    )
    language = serializers.ChoiceField(choices=settings.LANGUAGES, help_text="The language of the e-mail.")
    verified_email = serializers.BooleanField(help_text="Whether your address is verified (else no e-mail goes out).")


class PreferenceInput(serializers.Serializer):
    reply_mail = serializers.ChoiceField(choices=ReplyMail.choices)
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, required=False, help_text="Default: the language of this request."
    )


class NotificationListApi(ForumApiView):
    permission_classes = [IsAuthenticated]
    per_reader = True
    NotificationPage = page_of(NotificationOutput, "NotificationPage")

    @extend_schema(
        operation_id="me_notifications_list",
        summary="Your notifications of replies, newest first",
        parameters=[PageQuery],
        responses={200: NotificationPage, **error_responses(400, 401, 404, d404="An invalid cursor.")},
    )
    def get(self, request: Request) -> Response:
        query = PageQuery(data=query_values(request))
        query.is_valid(raise_exception=True)
        page = paginate(
            queryset=selectors.notifications_of(user=request.user),
            ordering=ORDERING,
            request=request,
            cursor=query.validated_data.get("cursor"),
            size=query.validated_data["page_size"],
        )
        return Response({"next": page.next_url, "results": NotificationOutput(page.items, many=True).data})


class UnreadCountApi(ForumApiView):
    permission_classes = [IsAuthenticated]
    per_reader = True

    @extend_schema(
        operation_id="me_notifications_unread",
        summary="How many of your notifications are unread (what the site's bell shows)",
        responses={200: UnreadOutput, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response({"unread": selectors.unread_count(user=request.user)})


class NotificationReadApi(ForumApiView):
    permission_classes = [IsAuthenticated]
    per_reader = True

    @extend_schema(
        operation_id="me_notifications_read",
        summary="Mark one notification read (again: no change)",
        parameters=[NOTIFICATION_ID],
        request=None,
        responses={200: NotificationOutput, **error_responses(401, 404, d404="No such notification of yours.")},
    )
    def post(self, request: Request, notification_id: int) -> Response:
        notification = services.mark_read(user=request.user, notification_id=notification_id)
        if notification is None:
            raise NotFound(_("No such notification of yours."), code="not_found")
        notification = selectors.notifications_of(user=request.user).filter(pk=notification.pk).first() or notification
        return Response(NotificationOutput(notification).data)


class NotificationsReadAllApi(ForumApiView):
    permission_classes = [IsAuthenticated]
    per_reader = True

    @extend_schema(
        operation_id="me_notifications_read_all",
        summary="Mark all your notifications read",
        request=None,
        responses={200: MarkedOutput, **error_responses(401)},
    )
    def post(self, request: Request) -> Response:
        marked = services.mark_all_read(user=request.user)
        return Response({"marked": marked, "unread": 0})


class MailPreferenceApi(ForumApiView):
    permission_classes = [IsAuthenticated]
    per_reader = True

    def _answer(self, request: Request) -> Response:
        preference = selectors.mail_preference(user_id=request.user.pk)
        return Response(
            {
                "reply_mail": preference.reply_mail,
                "language": preference.language or get_language() or settings.LANGUAGE_CODE,
                "verified_email": selectors.may_mail(request.user),
            }
        )

    @extend_schema(
        operation_id="me_notifications_email_retrieve",
        summary="How replies are e-mailed to you",
        responses={200: PreferenceOutput, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return self._answer(request)

    @extend_schema(
        operation_id="me_notifications_email_update",
        summary="Set how replies are e-mailed to you: off, at once, or a daily digest",
        request=PreferenceInput,
        responses={200: PreferenceOutput, **error_responses(*BODY_ERRORS, 401)},
    )
    def put(self, request: Request) -> Response:
        data = PreferenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_reply_mail(
            user=request.user,
            reply_mail=data.validated_data["reply_mail"],
            language=data.validated_data.get("language") or get_language(),
        )
        return self._answer(request)
