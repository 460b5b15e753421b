"""/api/: the v1 operations, the OpenAPI schema and its interactive docs; anything else under
/api/ is a JSON 404 (never Django's HTML page, nor a slash-appending redirect)."""

from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.api import MeApi, MeExportApi, SignUpApi, TokenApi
from votes.api import CommentVoteApi

from .api import ArticleDetailApi, ArticleListApi, CommentDetailApi, CommentListApi
from .api_errors import api_not_found


class CommentIdConverter:
    """Up to 18 digits: always within PostgreSQL's bigint, so no id can make a query fail."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(CommentIdConverter, "comment_id")

v1 = [
    path("auth/sign-up/", SignUpApi.as_view(), name="api_sign_up"),
    path("auth/token/", TokenApi.as_view(), name="api_token"),
    path("me/", MeApi.as_view(), name="api_me"),
    path("me/export/", MeExportApi.as_view(), name="api_me_export"),
    path("articles/", ArticleListApi.as_view(), name="api_articles"),
    path("articles/<slug:slug>/", ArticleDetailApi.as_view(), name="api_article"),
    path("articles/<slug:slug>/comments/", CommentListApi.as_view(), name="api_comments"),
    path("comments/<comment_id:comment_id>/", CommentDetailApi.as_view(), name="api_comment"),
    path("comments/<comment_id:comment_id>/vote/", CommentVoteApi.as_view(), name="api_vote"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    re_path(r"", api_not_found),
]
