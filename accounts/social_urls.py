"""Sign-in with LINE, Yahoo! JAPAN ID, Google and Apple: allauth's socialaccount pages (the sign-up
form, linked providers, a cancelled or failed sign-in) and each provider's sign-in and callback
addresses (Yahoo! JAPAN ID under oidc/yahoo-japan/), with the forum's templates. The sign-up form
is under the same limits as the site's own sign-up."""

from functools import wraps

from allauth.socialaccount import urls as socialaccount_urls
from allauth.socialaccount import views as socialaccount_views
from allauth.socialaccount.models import SocialApp
from allauth.urls import build_provider_urlpatterns
from django.http import Http404
from django.urls import URLPattern, URLResolver, path

from infra.rate_limits import SIGN_UP, rate_limited


def _not_found_while_off(view):
    """A provider that is not switched on has no pages: 404, where allauth's views raise (a 500)."""

    @wraps(view)
    def provider_view(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except SocialApp.DoesNotExist as off:
            raise Http404("This sign-in provider is not switched on.") from off

    return provider_view


def _guarded(patterns: list) -> list:
    guarded = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            guarded.append(
                URLResolver(
                    pattern.pattern,
                    _guarded(pattern.url_patterns),
                    pattern.default_kwargs,
                    pattern.app_name,
                    pattern.namespace,
                )
            )
        else:
            guarded.append(
                URLPattern(pattern.pattern, _not_found_while_off(pattern.callback), pattern.default_args, pattern.name)
            )
    return guarded


urlpatterns = [
    path("signup/", rate_limited(*SIGN_UP)(socialaccount_views.signup), name="socialaccount_signup"),
    *(pattern for pattern in socialaccount_urls.urlpatterns if pattern.name != "socialaccount_signup"),
    *_guarded(build_provider_urlpatterns()),
]
