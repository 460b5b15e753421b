"""The site's address book: each app's pages, the admin, and the API under /api/."""

from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from django.views.i18n import set_language

from . import views

urlpatterns = [
    path("health/", views.health, name="health"),
    path("ready/", views.ready, name="ready"),
    path("csrf-token/", views.csrf_token, name="csrf_token"),
    # Pages link the icon (base.html); clients that ask the old address anyway are sent to it
    # rather than logging a 404 at every first visit.
    path("favicon.ico", views.favicon, name="favicon"),
    # The language switcher in base.html posts here (Django's set_language; remembered in a cookie).
    # Without CSRF: a forged post can do no worse than switch a reader's language, and a token in
    # the switcher would set a CSRF cookie on every signed-out page, which no shared cache could keep.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("", include("forum.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("votes.urls")),
    path("", include("moderation.urls")),
    path("", include("notifications.urls")),
    # The admin signs in through the site's sign-in, with its limits and its two-factor step
    # (matched before the admin's own page, which would sign in with the password alone).
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
]

# An outage met outside a view (a middleware saving the session) is a 503 too; see config/outages.py.
handler500 = "config.outages.server_error"
