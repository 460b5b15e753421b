from django.contrib import admin
from django.urls import include, path

from . import views
from .rate_limits import SIGN_IN, rate_limited

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("articles/<slug:slug>/comments/", views.post_comment, name="post_comment"),
    path("accounts/", include("accounts.urls")),
    path("", include("votes.urls")),
    # The admin's sign-in, under the same limits as the site's (matched before the admin's own).
    path("admin/login/", rate_limited(*SIGN_IN)(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/", include("forum.api_urls")),
]
