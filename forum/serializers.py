"""The API's shared shapes: the path parameters, a comment as every answer shows it, and the
inputs of posting and editing one. forum.api and the votes and moderation APIs use them."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from accounts.models import Badge
from api.base import HAS_TEXT, TextField
from api.converters import MAX_ID
from votes.models import Vote
from votes.selectors import choices_of

from . import selectors, services
from .models import COUNT_FIELDS, Comment, Section

COMMENT_ID = OpenApiParameter(
    "comment_id",
    {"type": "integer", "minimum": 0, "maximum": MAX_ID},
    OpenApiParameter.PATH,
    description="The comment's id.",
)
SLUG = OpenApiParameter(
    "slug", {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$"}, OpenApiParameter.PATH, description="The article's slug."
)


# --- Shared output ----------------------------------------------------------------------------


class CountsOutput(serializers.Serializer):
    """The comment's stored counters: derived from the votes by a task, so they trail a new vote
    by about a second; ``tallied_at`` is when they last changed. Each count is named after its
    Comment field less ``_count`` (agree, disagree, agree_japan, ...)."""

    tallied_at = serializers.DateTimeField(allow_null=True)

    def get_fields(self):
        counts = {name.removesuffix("_count"): serializers.IntegerField(source=name) for name in COUNT_FIELDS}
        return {**counts, **super().get_fields()}


class BadgeOutput(serializers.Serializer):
    """A selectors.ShownBadge: the badge staff gave the author, which they accepted."""

    kind = serializers.ChoiceField(choices=Badge.Kind.choices)
    label = serializers.CharField(help_text="What the badge says, in the reader's language (or the custom title).")
    description = serializers.CharField(help_text="Its short public description.")


class AuthorOutput(serializers.Serializer):
    """A selectors.ShownAuthor: what the reader may know of who wrote a comment."""

    display_name = serializers.CharField(source="public_name")
    country = serializers.SerializerMethodField(help_text="ISO 3166 code, on signed comments only.")
    badge = BadgeOutput(
        allow_null=True,
        help_text="The author's badge (Expert, Journalist or a custom title), on signed comments only: "
        "null on an unsigned comment, whoever reads it.",
    )

    @extend_schema_field({"type": "string", "nullable": True})
    def get_country(self, author: selectors.ShownAuthor) -> str | None:
        return author.country.code if author.country else None


class CommentOutput(serializers.Serializer):
    """A comment or a reply as every list and answer shows it. The view passes the reader, their
    votes on these comments and the comments' visible replies in the context (``user``,
    ``my_votes``, ``reply_counts``: comment_context), so no field costs a query.

    A placeholder (a comment its author deleted while it had replies) shows ``deleted``, with
    an empty body and no author: only its thread stays."""

    id = serializers.IntegerField()
    article = serializers.SlugField(source="article.slug")
    section = serializers.ChoiceField(choices=Section.choices)
    parent = serializers.IntegerField(
        source="parent_id",
        allow_null=True,
        help_text="A reply: the id of the comment whose thread it is in (threads are one level deep). "
        "Null on a comment that starts a thread.",
    )
    reply_to = serializers.IntegerField(
        source="reply_to_id",
        allow_null=True,
        help_text="A reply: the id of the comment or reply it answers (the parent when it answers the "
        "thread; null on a comment, or when the reply it answered was deleted).",
    )
    reply_count = serializers.SerializerMethodField(
        help_text="The visible replies in its thread (0 on a reply). List them at /comments/{id}/replies/."
    )
    deleted = serializers.BooleanField(
        source="is_placeholder",
        help_text="Deleted by its author while it had replies: shown as a placeholder, with no text and "
        "no author, so that its replies keep their context. It takes no votes, edits, reports or replies.",
    )
    is_pick = serializers.BooleanField(help_text="An editors' pick.")
    pick_note = serializers.CharField(help_text="The editors' note on a pick (may be empty).")
    body = serializers.CharField(help_text="Empty on a deleted comment (`deleted`).")
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        help_text="The language it is written in: detected when posted, or as its author set it. "
        "Mark its text with it (lang), for screen readers and fonts.",
    )
    status = serializers.ChoiceField(
        choices=Comment.Status.choices,
        help_text="`pending`: awaiting a moderator's review (only its author sees it, right after posting).",
    )
    signed = serializers.BooleanField(
        help_text="Whether every reader sees who wrote it. Reactions in Japan are unsigned (except a badge "
        "holder's, who agreed to sign), and so is a reaction a moderator moved to the world."
    )
    author = serializers.SerializerMethodField(
        help_text="Null on unsigned comments, except for their author and moderators; null on deleted ones."
    )
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    is_edited = serializers.BooleanField()
    edited_by_moderator = serializers.BooleanField(
        help_text="Staff changed its text or its author after it was posted; show it with the comment."
    )
    editable_until = serializers.SerializerMethodField()
    is_mine = serializers.SerializerMethodField(help_text="Whether you wrote it (false when not signed in).")
    counts = CountsOutput(source="*")
    my_vote = serializers.SerializerMethodField(help_text="The signed-in reader's vote; null if none.")
    is_pick = serializers.BooleanField(help_text="An editors' pick (編集部ピックアップ): the page shows it at the top.")
    pick_note = serializers.CharField(help_text="The editors' note on a pick (may be empty); empty when not a pick.")

    @extend_schema_field(AuthorOutput(allow_null=True))
    def get_author(self, comment: Comment) -> dict | None:
        # Unsigned comments: null for anyone but their author and moderators; placeholders: null.
        if comment.is_placeholder:
            return None
        author = selectors.shown_author(comment=comment, viewer=self.context["user"])
        return None if author is None else AuthorOutput(author).data

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_editable_until(self, comment: Comment):
        return serializers.DateTimeField().to_representation(
            comment.created_at + timedelta(seconds=settings.COMMENT_EDIT_WINDOW_SECONDS)
        )

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_mine(self, comment: Comment) -> bool:
        user = self.context["user"]
        return user.is_authenticated and comment.author_id == user.pk

    @extend_schema_field(serializers.ChoiceField(choices=Vote.Choice.choices, allow_null=True))
    def get_my_vote(self, comment: Comment) -> str | None:
        return self.context["my_votes"].get(comment.pk)

    @extend_schema_field(OpenApiTypes.INT)
    def get_reply_count(self, comment: Comment) -> int:
        counted = getattr(comment, "reply_total", None)  # selectors.with_reply_counts
        return counted if counted is not None else self.context["reply_counts"].get(comment.pk, 0)


def comment_context(comments: list[Comment], user) -> dict:
    """What CommentOutput reads besides the comments: the reader's votes on them (one query when
    signed in) and their threads' visible replies (one query when any starts a thread and was
    not read with them, selectors.with_reply_counts)."""
    uncounted = [c.pk for c in comments if c.parent_id is None and getattr(c, "reply_total", None) is None]
    return {
        "user": user,
        "my_votes": choices_of(user=user, comment_ids=[comment.pk for comment in comments]),
        "reply_counts": selectors.reply_counts(comment_ids=uncounted),
    }


def comment_data(comments: list[Comment], request: Request, *, many: bool = False):
    """Serialize comments with the reader's own votes on them and their reply counts (a query
    each for all of them, see comment_context)."""
    context = comment_context(comments, request.user)
    if many:
        return CommentOutput(comments, many=True, context=context).data
    return CommentOutput(comments[0], context=context).data


def _language_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text="The language the comment is written in. Leave it out to have it detected from the text.",
    )


class CommentBodyInput(serializers.Serializer):
    body = TextField(
        max_length=settings.COMMENT_MAX_LENGTH,
        trim_whitespace=False,  # the service strips it; the raw length is what the schema states
        validators=[HAS_TEXT],
        help_text="Plain text; must contain something besides white space.",
    )
    language = _language_field()

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if "body" in value:
            try:
                value["body"] = services.clean_comment_body(value["body"])
            except DjangoValidationError as error:
                raise serializers.ValidationError({"body": error.messages}) from error
        return value


class CommentEditInput(CommentBodyInput):
    """A new wording, a corrected language, or both. The language alone changes no word: the
    comment does not show as edited for it. A new wording without a language has it detected."""

    body = TextField(
        max_length=settings.COMMENT_MAX_LENGTH,
        trim_whitespace=False,
        validators=[HAS_TEXT],
        required=False,
        help_text="Plain text; must contain something besides white space.",
    )

    def validate(self, attrs):
        if "body" not in attrs and "language" not in attrs:
            raise serializers.ValidationError({"body": [_("Send a new wording (body), a language, or both.")]})
        return attrs
