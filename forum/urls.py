from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("ready/", views.ready, name="ready"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("articles/<slug:slug>/comments/", views.post_comment, name="post_comment"),
    path("accounts/", include("accounts.urls")),
    path("", include("votes.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("forum.api_urls")),
]

# An outage met outside a view (a middleware saving the session) is a 503 too; see forum/outages.py.
handler500 = "forum.outages.server_error"
