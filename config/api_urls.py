"""/api/: the v1 operations, the OpenAPI schema and its interactive docs; anything else under
/api/ is a JSON 404 (never Django's HTML page, nor a slash-appending redirect)."""

from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api import MeApi, MeExportApi, MyBadgeApi, SignUpApi, TokenApi
from accounts.email_api import (
    EmailChangeApi,
    EmailResendApi,
    EmailVerifyApi,
    PasswordResetApi,
    PasswordResetConfirmApi,
)
from accounts.social_api import MySocialAccountApi, MySocialAccountsApi, SocialSignUpApi, SocialTokenApi
from accounts.two_factor_api import MeRecoveryCodesApi, MeTotpApi, MeTwoFactorApi, TokenTwoFactorApi
from api.converters import IdConverter
from api.errors import api_not_found
from forum.api import (
    ArticleDetailApi,
    ArticleListApi,
    ArticlePerceptionApi,
    CommentDetailApi,
    CommentListApi,
    CommentRepliesApi,
)
from forum.mutes_api import MyMuteApi, MyMutesApi
from moderation.api import CommentReportApi, MyCommentsApi
from notifications.api import (
    MailPreferenceApi,
    NotificationListApi,
    NotificationReadApi,
    NotificationsReadAllApi,
    UnreadCountApi,
)
from votes.api import CommentVoteApi

register_converter(IdConverter, "id")

v1 = [
    path("auth/sign-up/", SignUpApi.as_view(), name="api_sign_up"),
    path("auth/token/", TokenApi.as_view(), name="api_token"),
    path("auth/social/token/", SocialTokenApi.as_view(), name="api_social_token"),
    path("auth/social/sign-up/", SocialSignUpApi.as_view(), name="api_social_sign_up"),
    path("auth/token/two-factor/", TokenTwoFactorApi.as_view(), name="api_token_two_factor"),
    path("auth/email/verify/", EmailVerifyApi.as_view(), name="api_email_verify"),
    path("auth/password-reset/", PasswordResetApi.as_view(), name="api_password_reset"),
    path("auth/password-reset/confirm/", PasswordResetConfirmApi.as_view(), name="api_password_reset_confirm"),
    path("me/", MeApi.as_view(), name="api_me"),
    path("me/email/", EmailChangeApi.as_view(), name="api_me_email"),
    path("me/email/resend/", EmailResendApi.as_view(), name="api_me_email_resend"),
    path("me/social/", MySocialAccountsApi.as_view(), name="api_me_social"),
    path("me/social/<slug:provider>/", MySocialAccountApi.as_view(), name="api_me_social_provider"),
    path("me/two-factor/", MeTwoFactorApi.as_view(), name="api_me_two_factor"),
    path("me/two-factor/totp/", MeTotpApi.as_view(), name="api_me_two_factor_totp"),
    path("me/two-factor/recovery-codes/", MeRecoveryCodesApi.as_view(), name="api_me_two_factor_recovery_codes"),
    path("me/export/", MeExportApi.as_view(), name="api_me_export"),
    path("me/badge/", MyBadgeApi.as_view(), name="api_me_badge"),
    path("me/comments/", MyCommentsApi.as_view(), name="api_me_comments"),
    path("me/notifications/", NotificationListApi.as_view(), name="api_me_notifications"),
    path("me/notifications/unread/", UnreadCountApi.as_view(), name="api_me_notifications_unread"),
    path("me/notifications/read/", NotificationsReadAllApi.as_view(), name="api_me_notifications_read_all"),
    path(
        "me/notifications/<id:notification_id>/read/",
        NotificationReadApi.as_view(),
        name="api_me_notification_read",
    ),
    path("me/notifications/email/", MailPreferenceApi.as_view(), name="api_me_notifications_email"),
    path("me/mutes/", MyMutesApi.as_view(), name="api_me_mutes"),
    path("me/mutes/<id:mute_id>/", MyMuteApi.as_view(), name="api_me_mute"),
    path("articles/", ArticleListApi.as_view(), name="api_articles"),
    path("articles/<slug:slug>/", ArticleDetailApi.as_view(), name="api_article"),
    path("articles/<slug:slug>/perception/", ArticlePerceptionApi.as_view(), name="api_article_perception"),
    path("articles/<slug:slug>/comments/", CommentListApi.as_view(), name="api_comments"),
    path("comments/<id:comment_id>/", CommentDetailApi.as_view(), name="api_comment"),
    path("comments/<id:comment_id>/replies/", CommentRepliesApi.as_view(), name="api_comment_replies"),
    path("comments/<id:comment_id>/vote/", CommentVoteApi.as_view(), name="api_vote"),
    path("comments/<id:comment_id>/report/", CommentReportApi.as_view(), name="api_report"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's initialiser as a file (?script), so the page needs no
    # inline script under the Content-Security-Policy.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    re_path(r"", api_not_found),
]
