"""REST API of a reader's mutes: the voices they muted, muting the author of a comment, undoing a
mute. An unsigned voice (a reader in Japan) is never named, not even by id: a mute answers its own
id, whether the voice is signed, and the comment it was muted from."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.services import unmute
from api.base import ForumApiView
from api.converters import MAX_ID
from api.errors import BODY_ERRORS, error_responses

from . import selectors, services
from .selectors import MutedVoice


class StrictIdField(serializers.IntegerField):
    """A JSON integer and nothing else: DRF's IntegerField would take "12", 12.0 or true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class MuteInput(serializers.Serializer):
    comment = StrictIdField(min_value=0, max_value=MAX_ID, help_text="The comment whose author you mute.")


class MuteOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="The mute's id (DELETE /api/v1/me/mutes/{id}/ undoes it).")
    signed = serializers.BooleanField(
        help_text="true: a signed voice, named here. false: an unsigned voice (a reader in Japan): never named, "
        "only the comment you muted it from."
    )
    name = serializers.CharField(
        allow_null=True, help_text="The muted reader's public name; null for an unsigned voice."
    )
    country = serializers.CharField(allow_null=True, help_text="Their country (ISO 3166); null for an unsigned voice.")
    label = serializers.CharField(help_text="The voice in words, in your language, as your list of mutes shows it.")
    comment = serializers.IntegerField(
        allow_null=True, help_text="The comment you muted them from; null once that comment is deleted."
    )
    article_title = serializers.CharField(allow_null=True, help_text="That comment's article.")
    created_at = serializers.DateTimeField()


def mute_data(voice: MutedVoice) -> dict:
    return {
        "id": voice.id,
        "signed": voice.signed,
        "name": voice.name,
        "country": voice.country.code if voice.country else None,
        "label": voice.label,
        "comment": voice.comment_id,
        "article_title": voice.article_title,
        "created_at": serializers.DateTimeField().to_representation(voice.created_at),
    }


class MuteList(serializers.Serializer):
    results = MuteOutput(many=True)


MUTE_ID = OpenApiParameter(
    "mute_id", {"type": "integer", "minimum": 0, "maximum": MAX_ID}, OpenApiParameter.PATH, description="The mute's id."
)


class MyMutesApi(ForumApiView):
    """The muted reader is never told: nothing any of their answers say changes."""

    permission_classes = [IsAuthenticated]
    per_reader = True

    @extend_schema(
        operation_id="me_mutes_list",
        summary="The readers you muted, newest first",
        responses={200: MuteList, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response({"results": [mute_data(voice) for voice in selectors.muted_voices(reader=request.user)]})

    @extend_schema(
        operation_id="me_mutes_create",
        summary="Mute the author of a comment (signed or not; muting again changes nothing)",
        description=(
            "Their comments and replies in that comment's voice (signed, or unsigned) collapse for you on the "
            "article page, and their replies do not notify you. 201 with the new mute; 200 with the mute you "
            "already had. An unsigned comment's author stays unnamed."
        ),
        request=MuteInput,
        examples=[OpenApiExample("Mute", value={"comment": 1}, request_only=True)],
        responses={
            200: MuteOutput,
            201: MuteOutput,
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                404,
                d403="Your own comment (code `own_comment`), or a CSRF failure.",
                d404="No such comment in view.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = MuteInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = get_object_or_404(selectors.visible_comments(), pk=data.validated_data["comment"])
        muted = services.mute_author_of(reader=request.user, comment=comment)
        (voice,) = selectors.muted_voices(reader=request.user, mute_ids=[muted.mute.pk])
        answer = status.HTTP_201_CREATED if muted.created else status.HTTP_200_OK
        return Response(mute_data(voice), status=answer)


class MyMuteApi(ForumApiView):
    permission_classes = [IsAuthenticated]
    per_reader = True

    @extend_schema(
        operation_id="me_mutes_destroy",
        summary="Unmute: undo one of your mutes",
        parameters=[MUTE_ID],
        responses={204: None, **error_responses(401, 403, 404, d403="A CSRF failure.", d404="No such mute of yours.")},
    )
    def delete(self, request: Request, mute_id: int) -> Response:
        if not unmute(reader=request.user, mute_id=mute_id):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)
