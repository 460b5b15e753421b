"""Sign-in limits that never lock an account for everyone (OWASP's "device cookies").

django-axes counts failed passwords per (username, address) pair and per address
(settings.AXES_LOCKOUT_PARAMETERS): guessing from one address stops, and nobody elsewhere is
affected. Guessing one reader's password from many addresses is slowed per account, but only for
clients the account has never signed in on:

- A successful sign-in hands the client a *device token*: a signed value naming the account and a
  random nonce. Browsers keep it as an HttpOnly cookie; the app gets it from the token sign-in and
  sends it back in the ``X-Device-Token`` header.
- A client with a valid device token for the username it signs in as is *trusted*: axes neither
  refuses nor counts it (AXES_WHITELIST_CALLABLE), so an attacker elsewhere cannot keep the owner
  out. Its own failures are counted per device token; past the limit that token is locked.
- Every other client is *untrusted*: axes' pair and address limits apply, and once
  SIGN_IN_ACCOUNT_FAILURE_LIMIT untrusted failures for the account fall within the cool-off,
  untrusted clients are refused for that account until they age out.

A refused attempt is not a failure (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is off), so a
locked address adds nothing to anyone's count, and nobody can keep a lock going by trying again.
Password change and account deletion check the password through ``password_confirmed``, which
goes through the same limits.
"""

import math
import secrets
from dataclasses import dataclass

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied, AxesBackendRequestParameterRequired
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core import signing
from django.db.models import Max, QuerySet, Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from infra.rate_limits import add_failure, lock_left, lockout_seconds, set_lock

from .backends import lockout_username
from .models import User

DEVICE_TOKEN_SALT = "accounts.sign_in_limits.device-token"  # noqa: S105  (a signing salt, not a secret)
DEVICE_TOKEN_HEADER = "X-Device-Token"  # noqa: S105  (a header name)


@dataclass(frozen=True)
class DeviceToken:
    account: str  # the lock-out key of the account it was issued for (accounts.backends.lockout_username)
    nonce: str


def issue_device_token(user: User) -> str:
    """A new device token for a client that has just signed in as ``user``."""
    account = lockout_username(None, {"username": user.get_username()})
    return signing.dumps({"u": account, "n": secrets.token_urlsafe(16)}, salt=DEVICE_TOKEN_SALT)


def presented_device_token(request: HttpRequest) -> DeviceToken | None:
    """The device token the client sent (cookie, or header from the app), if it is ours and not expired."""
    value = request.COOKIES.get(settings.DEVICE_COOKIE_NAME) or request.headers.get(DEVICE_TOKEN_HEADER)
    if not value:
        return None
    try:
        data = signing.loads(value, salt=DEVICE_TOKEN_SALT, max_age=settings.DEVICE_TOKEN_MAX_AGE_SECONDS)
    except signing.BadSignature:  # also an expired one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str) or not isinstance(data.get("n"), str):
        return None
    return DeviceToken(account=data["u"], nonce=data["n"])


def trusted_device(request: HttpRequest, credentials: dict | None) -> DeviceToken | None:
    """The client's device token if it was issued for the account these credentials name."""
    account = lockout_username(request, credentials)
    token = presented_device_token(request)
    if account is None or token is None or token.account != account:
        return None
    return token


def is_trusted_device(request: HttpRequest, credentials: dict | None) -> bool:
    """AXES_WHITELIST_CALLABLE: axes leaves trusted clients to the device token's own limit."""
    return trusted_device(request, credentials) is not None


def _device_key(token: DeviceToken) -> str:
    return f"sign_in_device:{token.nonce}"


def _wait_from(attempts: QuerySet, limit: int) -> int | None:
    """Seconds until these recent failures, if they reach the limit, stop locking: at most one
    cool-off after the latest of them."""
    totals = attempts.aggregate(failures=Sum("failures_since_start"), latest=Max("attempt_time"))
    if (totals["failures"] or 0) < limit or totals["latest"] is None:
        return None
    ends = totals["latest"] + settings.AXES_COOLOFF_TIME
    return max(1, math.ceil((ends - timezone.now()).total_seconds()))


def _recent(attempts: QuerySet) -> QuerySet:
    return attempts.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)


def untrusted_account_wait(account: str | None) -> int | None:
    """Seconds untrusted clients must wait to sign in as this account, or None if they need not.
    axes records only untrusted clients' failures, so its rows for the username are exactly these."""
    if account is None:
        return None
    return _wait_from(_recent(AccessAttempt.objects.filter(username=account)), settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT)


def _refuse(request: HttpRequest, credentials: dict, *, lock: str, wait: int) -> None:
    """Stop this sign-in: the AxesMiddleware answers 429 (infra.rate_limits.sign_in_locked_out)."""
    request.axes_locked_out = True
    request.axes_credentials = credentials
    request.sign_in_lock = lock
    request.sign_in_wait = wait
    request.sign_in_refused = True
    raise AxesBackendPermissionDenied(f"signing in is locked ({lock})")


class SignInLimitBackend(AxesStandaloneBackend):
    """First in AUTHENTICATION_BACKENDS: refuses a sign-in that a limit locks, before the password
    is checked. It signs nobody in itself."""

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if not settings.AXES_ENABLED:
            return None
        if request is None:
            raise AxesBackendRequestParameterRequired("signing in needs the request, for its limits")
        credentials = get_credentials(username=username, password=password, **kwargs)
        device = trusted_device(request, credentials)
        if device is not None:
            wait = lock_left(f"{_device_key(device)}:locked")
            if wait is not None:
                _refuse(request, credentials, lock="device", wait=wait)
            return None
        if not AxesProxyHandler.is_allowed(request, credentials):
            handler = AxesProxyHandler.get_implementation()
            limit = get_failure_limit(request, credentials)
            waits = [_wait_from(attempts, limit) for attempts in handler.get_user_attempts(request, credentials)]
            _refuse(request, credentials, lock="address", wait=max((w for w in waits if w), default=lockout_seconds()))
        account_wait = untrusted_account_wait(lockout_username(request, credentials))
        if account_wait is not None:
            _refuse(request, credentials, lock="account", wait=account_wait)
        return None


@receiver(user_login_failed)
def count_trusted_device_failure(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    """A trusted client's wrong password counts against its device token (axes counts the rest);
    the failure that reaches the limit is answered with the lock-out already."""
    if request is None or getattr(request, "sign_in_refused", False) or not settings.AXES_ENABLED:
        return
    device = trusted_device(request, credentials)
    if device is None:
        return
    if add_failure(_device_key(device), lockout_seconds()) >= settings.SIGN_IN_DEVICE_FAILURE_LIMIT:
        set_lock(f"{_device_key(device)}:locked", lockout_seconds())
        request.axes_locked_out = True
        request.axes_credentials = credentials
        request.sign_in_lock = "device"
        request.sign_in_wait = lockout_seconds()


@receiver(user_logged_in)
def hand_out_device_cookie(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """A browser that signs in becomes a known device for the account (DeviceCookieMiddleware)."""
    if request is not None:
        request.new_device_token = issue_device_token(user)


class DeviceCookieMiddleware:
    """Sets the device cookie a sign-in on this request asked for (see hand_out_device_cookie)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        token = getattr(request, "new_device_token", None)
        if token is not None:
            response.set_cookie(
                settings.DEVICE_COOKIE_NAME,
                token,
                max_age=settings.DEVICE_TOKEN_MAX_AGE_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def password_confirmed(request: HttpRequest, user: User, password: str) -> bool:
    """Whether ``password`` is the signed-in ``user``'s, checked as a sign-in is: a wrong one
    counts toward the sign-in limits, and while one locks, even the right one is refused (the
    AxesMiddleware then answers 429, whatever the view says)."""
    authenticated = authenticate(request, username=user.get_username(), password=password)
    return authenticated is not None and authenticated.pk == user.pk
