"""Sign-in with LINE, Yahoo! JAPAN ID, Google and Apple: allauth's socialaccount pages (the sign-up
form, linked providers, a cancelled or failed sign-in) and each provider's sign-in and callback
addresses (Yahoo! JAPAN ID under oidc/yahoo-japan/), with the forum's templates."""

from allauth.socialaccount import urls as socialaccount_urls
from allauth.urls import build_provider_urlpatterns

urlpatterns = [*socialaccount_urls.urlpatterns, *build_provider_urlpatterns()]
