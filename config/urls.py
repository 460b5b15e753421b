"""The site's address book: each app's pages, the admin, and the API under /api/."""

from django.contrib import admin
from django.urls import include, path

from api.rate_limits import SIGN_IN, rate_limited

from . import views

urlpatterns = [
    path("health/", views.health, name="health"),
    path("ready/", views.ready, name="ready"),
    path("csrf-token/", views.csrf_token, name="csrf_token"),
    # The language switcher in base.html posts here (Django's set_language; remembered in a cookie).
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("forum.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("votes.urls")),
    path("", include("moderation.urls")),
    # The admin's sign-in, under the same limits as the site's (matched before the admin's own).
    path("admin/login/", rate_limited(*SIGN_IN)(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
]

# An outage met outside a view (a middleware saving the session) is a 503 too; see config/outages.py.
handler500 = "config.outages.server_error"
