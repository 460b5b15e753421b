"""REST API for articles and comments (/api/v1/): the views. One view per path; the shapes are
in forum.serializers, the signed-out list's cache in forum.list_cache; reads go through
forum.selectors, writes through forum.services."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ForumApiView
from api.errors import BODY_ERRORS, error_responses
from api.pagination import (
    PageQuery,
    next_page_url,
    page_of,
    paginate,
    query_values,
)
from api.throttles import COMMENT_THROTTLES

from . import caching, list_cache, selectors, services
from .models import Article, Comment, Section
from .serializers import (
    COMMENT_ID,
    SLUG,
    CommentBodyInput,
    CommentEditInput,
    CommentOutput,
    comment_context,
    comment_data,
)

ARTICLE_ORDERING = ("-published_at", "-id")

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


class ArticleVersionOutput(serializers.Serializer):
    """The article in one of its languages (a forum.models.ArticleText)."""

    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    title = serializers.CharField()
    body_html = serializers.CharField(help_text="Sanitised HTML.")
    discussion_prompt = serializers.CharField()
    is_original = serializers.BooleanField(help_text="The original; the others are the newsroom's translations.")


ARTICLE_LANGUAGE = OpenApiParameter(
    "language",
    {"type": "string", "enum": [code for code, _name in settings.LANGUAGES]},
    OpenApiParameter.QUERY,
    required=False,
    description="The version to serve in `title`, `body_html` and `discussion_prompt`. Without it, the "
    "Accept-Language header's, when the article has that version; else the original.",
)


class ArticleDetailApi(ForumApiView):
    permission_classes = [AllowAny]

    class ArticleDetailOutput(ArticleOutput):
        title = serializers.CharField(source="shown.title", help_text="In `language`.")
        body_html = serializers.CharField(
            source="shown.body_html", help_text="The article in `language`, sanitised HTML."
        )
        discussion_prompt = serializers.CharField(source="shown.discussion_prompt", help_text="In `language`.")
        language = serializers.ChoiceField(
            source="shown.language",
            choices=settings.LANGUAGES,
            help_text="The language `title`, `body_html` and `discussion_prompt` are served in.",
        )
        original_language = serializers.ChoiceField(source="ORIGINAL_LANGUAGE", choices=settings.LANGUAGES)
        versions = ArticleVersionOutput(many=True, help_text="Every version of the article, the original first.")
        comment_totals = serializers.DictField(
            child=serializers.IntegerField(), help_text='Visible comments per section: {"japan": n, "world": n}.'
        )

    class ArticleQuery(serializers.Serializer):
        language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)

    @extend_schema(
        operation_id="articles_retrieve",
        summary="One published article, in the reader's language when it has that version, with its comment totals",
        parameters=[SLUG, ARTICLE_LANGUAGE],
        responses={200: ArticleDetailOutput, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        query = self.ArticleQuery(data=query_values(request))
        query.is_valid(raise_exception=True)
        article = get_object_or_404(Article.objects.published(), slug=slug)
        article.shown = article.text_in(query.validated_data.get("language") or get_language())
        article.versions = [article.text_in(language) for language in article.languages]
        article.comment_totals = selectors.section_totals(article=article)
        response = Response(self.ArticleDetailOutput(article).data)
        patch_vary_headers(response, ("Accept-Language",))
        return response


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
            "unsigned comments stay unsigned."
        ),
        parameters=[SLUG],
        responses={200: PerceptionOutput, **error_responses(401, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        article = get_object_or_404(Article.objects.published(), slug=slug)
        picks = {pick.kind: pick for pick in selectors.perception(article=article)}
        context = comment_context([pick.comment for pick in picks.values()], request.user)
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

    def dispatch(self, request, *args, **kwargs):
        # A signed-out reader's page that is in the cache is answered before DRF's request
        # handling and without the article's query: about half the CPU of the cached answer.
        if request.method == "GET" and list_cache.signed_out(request):
            cached = self._cached_answer(request, kwargs["slug"])
            if cached is not None:
                return cached
        return super().dispatch(request, *args, **kwargs)

    def _cached_answer(self, request, slug: str) -> HttpResponse | None:
        """The cached signed-out answer, or None to go the whole way. An entry is made only for an
        article published when it was made, under the version it had then: unpublishing,
        deleting or renaming the article bumps that version, so the entry is not served again."""
        query = list_cache.canonical_query(request)
        if query is None:
            return None
        section, sort, page_size, cursor = query
        key = caching.comment_list_key(slug=slug, section=section, sort=sort, page_size=page_size, cursor=cursor)
        entry = caching.shared_cache().get(key)
        if entry is None or caching.article_version(entry.article_id) != entry.version:
            return None
        etag = caching.comment_list_etag(key=key, version=entry.version)
        if etag in list_cache.if_none_match(request):
            return list_cache.signed_out_headers(HttpResponseNotModified(), etag)
        return list_cache.signed_out_headers(list_cache.response(request, entry), etag)

    @extend_schema(
        operation_id="comments_list",
        summary="One section's comments, in one of the six sorts",
        parameters=[SLUG, CommentListQuery],
        responses={200: CommentPage, **error_responses(400, 401, 404, d404="No such article, or an invalid cursor.")},
    )
    def get(self, request: Request, slug: str) -> HttpResponse:
        query = self.CommentListQuery(data=query_values(request))
        query.is_valid(raise_exception=True)
        params = query.validated_data
        article = get_object_or_404(Article.objects.published(), slug=slug)
        if request.user.is_authenticated:
            # Signed-in readers are not served the shared copy: is_mine, my_vote and (on unsigned
            # comments, for their own and for staff) the author differ per reader. See NOTES.
            next_cursor, results = self._page(request, article, params)
            response = Response({"next": next_page_url(request, next_cursor), "results": results})
            patch_vary_headers(response, list_cache.LIST_VARY)
            return response
        # The version is read before the page: a change committed meanwhile is in the page and
        # its bump, right after its commit, retires this entry.
        version = caching.article_version(article.pk)
        key = caching.comment_list_key(
            slug=slug,
            section=params["section"],
            sort=params["sort"],
            page_size=params["page_size"],
            cursor=params.get("cursor"),
        )
        etag = caching.comment_list_etag(key=key, version=version)
        if etag in list_cache.if_none_match(request):
            return list_cache.signed_out_headers(HttpResponseNotModified(), etag)
        cache = caching.shared_cache()
        entry = cache.get(key)
        if entry is None or (entry.article_id, entry.version) != (article.pk, version):
            next_cursor, results = self._page(request, article, params)
            entry = list_cache.CachedList(article.pk, version, next_cursor, JSONRenderer().render(results))
            cache.set(key, entry)
        return list_cache.signed_out_headers(list_cache.response(request, entry), etag)

    def _page(self, request: Request, article: Article, params: dict) -> tuple[str | None, list]:
        sort = params["sort"]
        page = paginate(
            queryset=selectors.with_reply_counts(
                selectors.section_comments(article=article, section=params["section"], sort=sort)
            ),
            ordering=selectors.SORTS[sort],
            request=request,
            cursor=params.get("cursor"),
            size=params["page_size"],
        )
        for comment in page.items:
            comment.article = article  # already loaded; no query per comment
        return page.next_cursor, comment_data(page.items, request, many=True)

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
                d403="Comments on this article or in your section are closed, or the account is too new, suspended "
                "or banned (the detail says until when), or a CSRF failure.",
            ),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        article = get_object_or_404(Article.objects.published(), slug=slug)
        data = CommentBodyInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.post_comment(
            author=request.user,
            article=article,
            body=data.validated_data["body"],
            language=data.validated_data.get("language"),
        )
        headers = {"Location": request.build_absolute_uri(reverse("api_comment", args=[comment.pk]))}
        return Response(comment_data([comment], request), status=status.HTTP_201_CREATED, headers=headers)


class CommentDetailApi(ForumApiView):
    """Hidden comments do not exist here (404), for anyone: moderators hide and restore them in
    the admin, not through the API."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_throttles(self):
        # A new wording counts against the comment limits, as a new comment does, on every face
        # (the edit page counts it the same way): rewording is writing.
        return [throttle() for throttle in COMMENT_THROTTLES] if self.request.method == "PATCH" else []

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
        summary="Reword your comment or correct its language, within the edit window",
        description=(
            f"Only the author, within {settings.COMMENT_EDIT_WINDOW_SECONDS} seconds of posting "
            "(see the comment's `editable_until`); a new wording then shows as edited (a corrected "
            "`language` alone does not). After the window: 403 with a detail saying so."
        ),
        parameters=[COMMENT_ID],
        request=CommentEditInput,
        examples=[
            OpenApiExample("New wording", value={"body": "On reflection, slower than expected."}, request_only=True)
        ],
        responses={
            200: CommentOutput,
            **error_responses(
                *BODY_ERRORS, 401, 403, 404, 429, d403="Not your comment, or the edit window has passed."
            ),
        },
    )
    def patch(self, request: Request, comment_id: int) -> Response:
        comment = self._comment(comment_id)
        # Whether this reader may edit at all comes first: a stranger learns nothing from the body.
        services.ensure_can_edit_comment(user=request.user, comment=comment)
        data = CommentEditInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.edit_comment(
            user=request.user,
            comment=comment,
            body=data.validated_data.get("body"),
            language=data.validated_data.get("language"),
        )
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


class CommentRepliesApi(ForumApiView):
    """A thread: the replies to a comment, and answering it. Threads are one level deep: the
    replies of a comment that starts a thread, and an answer to a reply joins that reply's thread
    (naming the reply in ``reply_to``)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    ReplyPage = page_of(CommentOutput, "ReplyPage")

    def get_throttles(self):
        return [throttle() for throttle in COMMENT_THROTTLES] if self.request.method == "POST" else []

    @extend_schema(
        operation_id="comments_replies_list",
        summary="A thread's replies, oldest first",
        description=(
            "The visible replies in the thread of the comment given: the comment's own when it starts a "
            "thread, else the thread the reply is in. A deleted comment with replies (`deleted`) still "
            "has its thread. Replies in the thread of a comment that is hidden or awaiting a moderator "
            "are not shown (404) until it is shown again."
        ),
        parameters=[COMMENT_ID, PageQuery],
        responses={
            200: ReplyPage,
            **error_responses(400, 401, 404, d404="No such comment (or not visible), or an invalid cursor."),
        },
    )
    def get(self, request: Request, comment_id: int) -> Response:
        query = PageQuery(data=query_values(request))
        query.is_valid(raise_exception=True)
        comment = get_object_or_404(selectors.visible_comments(), pk=comment_id)
        parent = comment.parent if comment.parent_id is not None else comment
        page = paginate(
            queryset=selectors.thread_replies(parent=parent),
            ordering=selectors.THREAD_ORDER,
            request=request,
            cursor=query.validated_data.get("cursor"),
            size=query.validated_data["page_size"],
        )
        for reply in page.items:
            reply.article = comment.article  # already loaded; no query per reply
        return Response({"next": page.next_url, "results": comment_data(page.items, request, many=True)})

    @extend_schema(
        operation_id="comments_replies_create",
        summary="Reply to a comment or to a reply (the reply joins its thread)",
        description=(
            "Anyone who may comment may reply in either section's threads. The reply goes to the "
            "thread's section, whatever your country; it is signed (your name and country shown) when "
            'you live outside Japan, and unsigned ("A reader in Japan") when you live in Japan. The '
            "same rules, limits and moderation as a comment apply: it may come back `pending`."
        ),
        parameters=[COMMENT_ID],
        request=CommentBodyInput,
        examples=[OpenApiExample("A reply", value={"body": "Here in Osaka we see it differently."}, request_only=True)],
        responses={
            201: CommentOutput,
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                404,
                429,
                d403="The comment was deleted (`comment_deleted`), comments in its section or on the article "
                "are closed, or the account is too new, suspended or banned (the detail says until when), or "
                "a CSRF failure.",
                d404="No such comment, or it is not visible (hidden, awaiting a moderator, or in such a thread).",
            ),
        },
    )
    def post(self, request: Request, comment_id: int) -> Response:
        answering = get_object_or_404(selectors.visible_comments(), pk=comment_id)
        data = CommentBodyInput(data=request.data)
        data.is_valid(raise_exception=True)
        reply = services.post_comment(
            author=request.user,
            article=answering.article,
            body=data.validated_data["body"],
            language=data.validated_data.get("language"),
            answering=answering,
        )
        headers = {"Location": request.build_absolute_uri(reverse("api_comment", args=[reply.pk]))}
        return Response(comment_data([reply], request), status=status.HTTP_201_CREATED, headers=headers)
