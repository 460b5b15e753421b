from allauth.account import views as allauth_views
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from infra.rate_limits import SIGN_IN, rate_limited

from . import views

urlpatterns = [
    path("sign-up/", views.sign_up, name="sign_up"),
    path("sign-in/", rate_limited(*SIGN_IN)(views.SignInView.as_view()), name="login"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/badge/", views.badge, name="badge"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("delete/", views.account_delete, name="account_delete"),
    path("export/", views.account_export, name="account_export"),
    # E-mail: the reader's address, its verification link, and password reset (django-allauth's
    # views with the forum's templates, under the names allauth reverses).
    path("email/", views.email_settings, name="email_settings"),
    path("email/resend/", views.email_resend, name="email_resend"),
    re_path(r"^confirm-email/(?P<key>[-:\w]+)/$", allauth_views.confirm_email, name="account_confirm_email"),
    path("password/reset/", views.PasswordResetView.as_view(), name="account_reset_password"),
    path("password/reset/done/", allauth_views.password_reset_done, name="account_reset_password_done"),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        allauth_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "password/reset/key/done/",
        allauth_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    # Sign-in with LINE, Yahoo! JAPAN ID, Google and Apple (accounts.social); "social/" is linked providers.
    path("social/", include("accounts.social_urls")),
    path("email/sent/", allauth_views.email_verification_sent, name="account_email_verification_sent"),
    # The names allauth's mails and redirects reverse, for the forum's own pages.
    path("sign-up/", views.sign_up, name="account_signup"),
    path("sign-in/", rate_limited(*SIGN_IN)(views.SignInView.as_view()), name="account_login"),
    path("email/", views.email_settings, name="account_email"),
]
