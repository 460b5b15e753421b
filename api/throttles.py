"""The API's rate limits: DRF throttles over infra/rate_limits.py, which owns the scopes, the rates
and the counting, so the site's pages and the API share one set of limits and one set of counters.

Each view gets one throttle class for all its scopes, so that a request counts in every scope in
one Redis round trip (DRF would call one throttle per scope, one round trip each)."""

from rest_framework.throttling import BaseThrottle

from infra import rate_limits


class _ScopesThrottle(BaseThrottle):
    scopes: tuple[str, ...]

    def __init__(self):
        self.wait_seconds: int | None = None

    def allow_request(self, request, view) -> bool:
        self.wait_seconds = rate_limits.check(request, self.scopes)
        return self.wait_seconds is None

    def wait(self) -> float | None:
        return self.wait_seconds


class CommentThrottle(_ScopesThrottle):
    """Comments posted by one reader, and from one address."""

    scopes = rate_limits.COMMENT


class VoteThrottle(_ScopesThrottle):
    """Votes cast or taken back by one reader, and from one address."""

    scopes = rate_limits.VOTE


class ReportThrottle(_ScopesThrottle):
    """Comments reported by one reader, and from one address."""

    scopes = rate_limits.REPORT


class AuthAddressThrottle(_ScopesThrottle):
    """Sign-up and sign-in: guessing passwords or minting accounts in bulk."""

    scopes = rate_limits.SIGN_IN


class SignUpThrottle(_ScopesThrottle):
    """Sign-ins from one address, and accounts created from it over a longer window."""

    scopes = rate_limits.SIGN_UP


COMMENT_THROTTLES = [CommentThrottle]
VOTE_THROTTLES = [VoteThrottle]
REPORT_THROTTLES = [ReportThrottle]
AUTH_THROTTLES = [AuthAddressThrottle]
SIGN_UP_THROTTLES = [SignUpThrottle]
