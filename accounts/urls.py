from django.contrib.auth import views as auth_views
from django.urls import path

from api.rate_limits import SIGN_IN, rate_limited

from . import views

urlpatterns = [
    path("sign-up/", views.sign_up, name="sign_up"),
    path("sign-in/", rate_limited(*SIGN_IN)(auth_views.LoginView.as_view()), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("delete/", views.account_delete, name="account_delete"),
    path("export/", views.account_export, name="account_export"),
]
