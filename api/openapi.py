"""What the OpenAPI schema says of the toolkit's own classes: drf-spectacular's extensions, which
register when this module is imported (config.apps.SiteConfig.ready, as drf-spectacular advises)."""

from drf_spectacular.authentication import SessionScheme


class CsrfCheckedSessionScheme(SessionScheme):
    """api.authentication.SessionAuthentication is DRF's session authentication with its CSRF
    refusal worded for the page's script; the schema describes it as DRF's (cookieAuth)."""

    target_class = "api.authentication.SessionAuthentication"
