"""The API's rate limits: DRF throttles over api/rate_limits.py, which owns the scopes, the rates
and the counting, so the site's pages and the API share one set of limits and one set of counters."""

from rest_framework.throttling import BaseThrottle

from . import rate_limits


class _ScopeThrottle(BaseThrottle):
    scope: str

    def __init__(self):
        self.wait_seconds: int | None = None

    def allow_request(self, request, view) -> bool:
        self.wait_seconds = rate_limits.check(request, [self.scope])
        return self.wait_seconds is None

    def wait(self) -> float | None:
        return self.wait_seconds


class CommentReaderThrottle(_ScopeThrottle):
    scope = "comment_user"


class CommentAddressThrottle(_ScopeThrottle):
    scope = "comment_anon"


class VoteReaderThrottle(_ScopeThrottle):
    scope = "vote_user"


class VoteAddressThrottle(_ScopeThrottle):
    scope = "vote_anon"


class ReportReaderThrottle(_ScopeThrottle):
    scope = "report_user"


class ReportAddressThrottle(_ScopeThrottle):
    scope = "report_anon"


class AuthAddressThrottle(_ScopeThrottle):
    """Sign-up and sign-in: guessing passwords or minting accounts in bulk."""

    scope = "auth_anon"


class SignUpAddressThrottle(_ScopeThrottle):
    """Accounts created from one address, over a longer window than sign-ins."""

    scope = "signup_anon"


COMMENT_THROTTLES = [CommentReaderThrottle, CommentAddressThrottle]
VOTE_THROTTLES = [VoteReaderThrottle, VoteAddressThrottle]
REPORT_THROTTLES = [ReportReaderThrottle, ReportAddressThrottle]
AUTH_THROTTLES = [AuthAddressThrottle]
SIGN_UP_THROTTLES = [AuthAddressThrottle, SignUpAddressThrottle]
