"""Sign-in with LINE, Yahoo! JAPAN ID, Google and Apple: allauth's socialaccount pages (the sign-up
form, linked providers, a cancelled or failed sign-in) and each provider's sign-in and callback
addresses (Yahoo! JAPAN ID under oidc/yahoo-japan/), with the forum's templates. The sign-up form
is under the same limits as the site's own sign-up."""

from allauth.socialaccount import urls as socialaccount_urls
from allauth.socialaccount import views as socialaccount_views
from allauth.urls import build_provider_urlpatterns
from django.urls import path

from infra.rate_limits import SIGN_UP, rate_limited

urlpatterns = [
    path("signup/", rate_limited(*SIGN_UP)(socialaccount_views.signup), name="socialaccount_signup"),
    *(pattern for pattern in socialaccount_urls.urlpatterns if pattern.name != "socialaccount_signup"),
    *build_provider_urlpatterns(),
]
