"""REST API for articles and comments (/api/v1/). One view per path, one small Input/Output pair
per operation; reads go through forum.selectors, writes through forum.services."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import HAS_TEXT, ForumApiView, TextField
from api.converters import MAX_ID
from api.errors import BODY_ERRORS, error_responses
from api.pagination import PageQuery, page_of, paginate, query_values
from api.throttles import COMMENT_THROTTLES
from votes.models import Vote
from votes.selectors import choices_of

from . import selectors, services
from .models import COUNT_FIELDS, Article, Comment, Section

ARTICLE_ORDERING = ("-published_at", "-id")
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


class AuthorOutput(serializers.Serializer):
    display_name = serializers.CharField(source="public_name")
    country = serializers.SerializerMethodField(help_text="ISO 3166 code, for voices from around the world.")

    @extend_schema_field({"type": "string", "nullable": True})
    def get_country(self, author) -> str | None:
        if self.context.get("section") == Section.JAPAN or not author.country:
            return None
        return author.country.code


class CommentOutput(serializers.Serializer):
    """A comment as every list and answer shows it. The view passes the reader and their votes
    on these comments in the context (``user``, ``my_votes``), so no field costs a query."""

    id = serializers.IntegerField()
    article = serializers.SlugField(source="article.slug")
    section = serializers.ChoiceField(choices=Section.choices)
    body = serializers.CharField()
    author = serializers.SerializerMethodField(
        help_text="Null on reactions in Japan, which are unsigned, except for their author and moderators."
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

    @extend_schema_field(AuthorOutput(allow_null=True))
    def get_author(self, comment: Comment) -> dict | None:
        # Reactions in Japan are unsigned: null for anyone but their author and moderators.
        author = selectors.shown_author(comment=comment, viewer=self.context["user"])
        if author is None:
            return None
        return AuthorOutput(author, context={"section": comment.section}).data

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


def comment_data(comments: list[Comment], request: Request, *, many: bool = False):
    """Serialize comments with the reader's own votes on them (one query for all of them)."""
    my_votes = choices_of(user=request.user, comment_ids=[comment.pk for comment in comments])
    context = {"user": request.user, "my_votes": my_votes}
    if many:
        return CommentOutput(comments, many=True, context=context).data
    return CommentOutput(comments[0], context=context).data


class CommentBodyInput(serializers.Serializer):
    body = TextField(
        max_length=settings.COMMENT_MAX_LENGTH,
        trim_whitespace=False,  # the service strips it; the raw length is what the schema states
        validators=[HAS_TEXT],
        help_text="Plain text; must contain something besides white space.",
    )

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            value["body"] = services.clean_comment_body(value["body"])
        except DjangoValidationError as error:
            raise serializers.ValidationError({"body": error.messages}) from error
        return value


# --- Articles ---------------------------------------------------------------------------------


class ArticleOutput(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    dateline = serializers.DateField()
    published_at = serializers.DateTimeField()
    discussion_prompt = serializers.CharField()
    comments_open = serializers.BooleanField()


class ArticleListApi(ForumApiView):
    permission_classes = [AllowAny]
    ArticlePage = page_of(ArticleOutput, "ArticlePage")

    @extend_schema(
        operation_id="articles_list",
        summary="Published articles, newest first",
        parameters=[PageQuery],
        responses={200: ArticlePage, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        query = PageQuery(data=query_values(request))
        query.is_valid(raise_exception=True)
        page = paginate(
            queryset=selectors.published_articles(),
            ordering=ARTICLE_ORDERING,
            request=request,
            cursor=query.validated_data.get("cursor"),
            size=query.validated_data["page_size"],
        )
        return Response({"next": page.next_url, "results": ArticleOutput(page.items, many=True).data})


class ArticleDetailApi(ForumApiView):
    permission_classes = [AllowAny]

    class ArticleDetailOutput(ArticleOutput):
        body_html = serializers.CharField(help_text="The article, sanitised HTML.")
        comment_totals = serializers.DictField(
            child=serializers.IntegerField(), help_text='Visible comments per section: {"japan": n, "world": n}.'
        )

    @extend_schema(
        operation_id="articles_retrieve",
        summary="One published article with its comment totals",
        parameters=[SLUG],
        responses={200: ArticleDetailOutput, **error_responses(401, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        article = get_object_or_404(Article.objects.published(), slug=slug)
        article.comment_totals = selectors.section_totals(article=article)
        return Response(self.ArticleDetailOutput(article).data)


class RegionAgreementOutput(serializers.Serializer):
    agree = serializers.IntegerField()
    disagree = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="agree / (agree + disagree); null without votes.")


class PerceptionPickOutput(serializers.Serializer):
    comment = serializers.SerializerMethodField()
    japan = RegionAgreementOutput(help_text="Votes from readers in Japan.")
    world = RegionAgreementOutput(help_text="Votes from readers elsewhere.")

    @extend_schema_field(CommentOutput)
    def get_comment(self, pick: selectors.PerceptionPick) -> dict:
        return CommentOutput(pick.comment, context=self.context).data


class ArticlePerceptionApi(ForumApiView):
    permission_classes = [AllowAny]

    class PerceptionOutput(serializers.Serializer):
        min_votes_per_region = serializers.IntegerField(
            help_text="Votes each region must have cast on a comment for its gap to count."
        )
        japan_favourite = PerceptionPickOutput(allow_null=True, help_text="Most net agreement from Japan.")
        world_favourite = PerceptionPickOutput(allow_null=True, help_text="Most net agreement from elsewhere.")
        common_ground = PerceptionPickOutput(
            allow_null=True, help_text="Highest common-ground score: both regions agree."
        )
        widest_gap = PerceptionPickOutput(
            allow_null=True, help_text="Largest difference between the two regions' agreement rates."
        )

    @extend_schema(
        operation_id="articles_perception",
        summary="The perception gap: how Japan and the world see an article's comments",
        description=(
            "Read from the counters the vote tally stores, so it trails a new vote by about a second. "
            "A pick is null when no comment qualifies; hidden or held comments never appear, and "
            "reactions in Japan stay unsigned."
        ),
        parameters=[SLUG],
        responses={200: PerceptionOutput, **error_responses(401, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        article = get_object_or_404(Article.objects.published(), slug=slug)
        picks = {pick.kind: pick for pick in selectors.perception(article=article)}
        my_votes = choices_of(user=request.user, comment_ids=[pick.comment.pk for pick in picks.values()])
        context = {"user": request.user, "my_votes": my_votes}
        body = {"min_votes_per_region": settings.PERCEPTION_MIN_VOTES_PER_REGION}
        for kind in selectors.PERCEPTION_KINDS:
            pick = picks.get(kind)
            body[kind] = None if pick is None else PerceptionPickOutput(pick, context=context).data
        return Response(body)


# --- Comments ---------------------------------------------------------------------------------


class CommentListApi(ForumApiView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    class CommentListQuery(PageQuery):
        section = serializers.ChoiceField(choices=Section.choices)
        sort = serializers.ChoiceField(choices=list(selectors.SORTS), default=selectors.DEFAULT_SORT)

    CommentPage = page_of(CommentOutput, "CommentPage")

    def get_throttles(self):
        return [throttle() for throttle in COMMENT_THROTTLES] if self.request.method == "POST" else []

    @extend_schema(
        operation_id="comments_list",
        summary="One section's comments, in one of the six sorts",
        parameters=[SLUG, CommentListQuery],
        responses={200: CommentPage, **error_responses(400, 401, 404, d404="No such article, or an invalid cursor.")},
    )
    def get(self, request: Request, slug: str) -> Response:
        query = self.CommentListQuery(data=query_values(request))
        query.is_valid(raise_exception=True)
        article = get_object_or_404(Article.objects.published(), slug=slug)
        sort = query.validated_data["sort"]
        page = paginate(
            queryset=selectors.section_comments(article=article, section=query.validated_data["section"], sort=sort),
            ordering=selectors.SORTS[sort],
            request=request,
            cursor=query.validated_data.get("cursor"),
            size=query.validated_data["page_size"],
        )
        for comment in page.items:
            comment.article = article  # already loaded; no query per comment
        return Response({"next": page.next_url, "results": comment_data(page.items, request, many=True)})

    @extend_schema(
        operation_id="comments_create",
        summary="Post a comment (its section follows your profile's country)",
        parameters=[SLUG],
        request=CommentBodyInput,
        examples=[
            OpenApiExample(
                "A comment", value={"body": "Supply chains will adapt faster than expected."}, request_only=True
            )
        ],
        responses={
            201: CommentOutput,
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                404,
                429,
                d403="Comments on this article are closed, or the account is too new (the detail says from when it may "
                "comment), or a CSRF failure.",
            ),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        article = get_object_or_404(Article.objects.published(), slug=slug)
        data = CommentBodyInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.post_comment(author=request.user, article=article, body=data.validated_data["body"])
        headers = {"Location": request.build_absolute_uri(reverse("api_comment", args=[comment.pk]))}
        return Response(comment_data([comment], request), status=status.HTTP_201_CREATED, headers=headers)


class CommentDetailApi(ForumApiView):
    """Hidden comments do not exist here (404), for anyone: moderators hide and restore them in
    the admin, not through the API."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    def _comment(self, comment_id: int) -> Comment:
        return get_object_or_404(selectors.visible_comments(), pk=comment_id)

    @extend_schema(
        operation_id="comments_retrieve",
        summary="One comment, with its current counts",
        parameters=[COMMENT_ID],
        responses={200: CommentOutput, **error_responses(401, 404)},
    )
    def get(self, request: Request, comment_id: int) -> Response:
        return Response(comment_data([self._comment(comment_id)], request))

    @extend_schema(
        operation_id="comments_partial_update",
        summary="Reword your comment, within the edit window",
        description=(
            f"Only the author, within {settings.COMMENT_EDIT_WINDOW_SECONDS} seconds of posting "
            "(see the comment's `editable_until`); the comment then shows as edited. "
            "After the window: 403 with a detail saying so."
        ),
        parameters=[COMMENT_ID],
        request=CommentBodyInput,
        examples=[
            OpenApiExample("New wording", value={"body": "On reflection, slower than expected."}, request_only=True)
        ],
        responses={
            200: CommentOutput,
            **error_responses(*BODY_ERRORS, 401, 403, 404, d403="Not your comment, or the edit window has passed."),
        },
    )
    def patch(self, request: Request, comment_id: int) -> Response:
        comment = self._comment(comment_id)
        # Whether this reader may edit at all comes first: a stranger learns nothing from the body.
        services.ensure_can_edit_comment(user=request.user, comment=comment)
        data = CommentBodyInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.edit_comment(user=request.user, comment=comment, body=data.validated_data["body"])
        return Response(comment_data([comment], request))

    @extend_schema(
        operation_id="comments_destroy",
        summary="Delete your comment (its votes go with it)",
        parameters=[COMMENT_ID],
        responses={
            204: None,
            **error_responses(
                401, 403, 404, d403="Not your comment, or the discussion is closed (the detail says which)."
            ),
        },
    )
    def delete(self, request: Request, comment_id: int) -> Response:
        services.delete_comment(user=request.user, comment=self._comment(comment_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
