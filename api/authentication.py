"""Session authentication for the site's own pages: their scripts call the API with the
reader's session and the page's CSRF token, so a CSRF refusal is one the script can act on.

Imports nothing of the API toolkit's: DRF imports this module while its own views module loads
(DEFAULT_AUTHENTICATION_CLASSES), before api.errors can be imported."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

# A session's unsafe request without a valid CSRF token.
CSRF_FAILED = "csrf_failed"


class CsrfFailed(exceptions.PermissionDenied):
    """403 with code ``csrf_failed`` (api.errors adds the code to the body): the page holding the
    token is stale, the reader signed in or out in another tab. Worded as the site's own CSRF page
    words it (config.views.csrf_failure)."""

    default_code = CSRF_FAILED

    def __init__(self):
        # Worded when raised, in the reader's language.
        super().__init__(
            _("This page has expired, probably because you signed in or out in another tab. Reload it and try again.")
        )


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's, which checks the CSRF token of every unsafe request a session authenticates, but
    answers a failure as a 403 with code ``csrf_failed`` and a sentence in the reader's language
    (DRF's own is "CSRF Failed: …" in English): the page's script takes a fresh token and tries
    once more."""

    def enforce_csrf(self, request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as failure:
            raise CsrfFailed() from failure
