"""Two-factor authentication: a TOTP app's six-digit codes, with recovery codes for a lost phone.

django-allauth's mfa app keeps the authenticators (allauth.mfa.models.Authenticator: the TOTP
secret, the recovery codes' seed and which are used) and checks the codes; this module holds the
forum's rules around them, for the site's pages and the API alike:

- Readers may turn it on; staff (moderators and superusers) must, before the admin opens
  (StaffTwoFactorMiddleware, FORUM_STAFF_TWO_FACTOR_REQUIRED).
- Signing in to an account with it is two steps: the password (through the sign-in limits, as
  for everyone), then a code. Between them the account is *pending*: kept in the session for the
  pages, in a signed two-factor token for the apps, for TWO_FACTOR_SIGN_IN_SECONDS.
- Every code typed (signing in, turning it on or off, new recovery codes) counts toward the
  two-factor limits, per client address and per account (RATE_LIMITS two_factor_*).
- Turning it off or making new recovery codes asks for a code: whoever holds only a session or an
  API token cannot take the second factor away.
"""

import base64
import time
from dataclasses import dataclass

from allauth.mfa import signals as mfa_signals
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, validate_totp_code
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from infra.rate_limits import TWO_FACTOR, check

from .models import User

INCORRECT_CODE = _("That code is not right. Type the six digits your app shows now, or one of your recovery codes.")
ALREADY_ON = _("Two-factor authentication is on already.")
NOT_ON = _("Two-factor authentication is not on.")
INCORRECT_SETUP_CODE = _("That code is not right. Scan the QR code (or type the key) again and type the code it shows.")

PENDING_SESSION_KEY = "accounts.two_factor.pending"
TOKEN_SALT = "accounts.two_factor.sign-in"  # noqa: S105  (a signing salt, not a secret)
SETUP_SALT = "accounts.two_factor.setup"  # noqa: S105


class TwoFactorLimited(Exception):
    """Too many codes typed; ``wait_seconds`` until another may be."""

    def __init__(self, wait_seconds: int) -> None:
        super().__init__(wait_seconds)
        self.wait_seconds = wait_seconds


def ensure_within_two_factor_limits(request: HttpRequest, *, user: User) -> None:
    """Count a code typed for ``user``'s account; raises TwoFactorLimited past a limit."""
    wait = check(request, TWO_FACTOR, account=user.pk)
    if wait is not None:
        raise TwoFactorLimited(wait)


# --- Reads ----------------------------------------------------------------------------------------


def has_two_factor(user: User) -> bool:
    """Whether signing in as ``user`` asks for a code (a TOTP app is set up)."""
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def must_set_up_two_factor(user: User) -> bool:
    """A moderator or superuser without two-factor authentication: the admin stays shut to them."""
    if not settings.FORUM_STAFF_TWO_FACTOR_REQUIRED or not (user.is_staff or user.is_superuser):
        return False
    return not has_two_factor(user)


def recovery_codes_left(user: User) -> int:
    authenticator = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES).first()
    return 0 if authenticator is None else len(RecoveryCodes(authenticator).get_unused_codes())


@dataclass(frozen=True)
class TotpSetup:
    secret: str  # base32, for typing into an app by hand
    url: str  # otpauth://totp/..., what the QR code holds
    qr_code: str  # the QR code as a data: URL of an SVG image (img-src allows data:)
    setup_token: str  # the secret signed for this account, sent back with the first code


def totp_setup(*, user: User, setup_token: str | None = None) -> TotpSetup:
    """A new secret to scan, or the one a setup token carries (the form shown again after a wrong
    code keeps the QR code the reader has scanned)."""
    secret = secret_from_setup_token(user=user, setup_token=setup_token) if setup_token else None
    secret = secret or generate_totp_secret()
    adapter = get_adapter()
    url = adapter.build_totp_url(user, secret)
    svg = adapter.build_totp_svg(url)
    qr_code = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    token = signing.dumps({"u": user.pk, "s": secret}, salt=SETUP_SALT)
    return TotpSetup(secret=secret, url=url, qr_code=qr_code, setup_token=token)


def secret_from_setup_token(*, user: User, setup_token: str) -> str | None:
    """The secret a setup token made for ``user`` carries; None if it is not one (or is a day old)."""
    try:
        data = signing.loads(setup_token, salt=SETUP_SALT, max_age=86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.pk or not isinstance(data.get("s"), str):
        return None
    return data["s"]


def _normalized(code: str) -> str:
    return "".join(code.split()).replace("-", "")


def code_is_right(*, user: User, code: str) -> bool:
    """Whether ``code`` is the TOTP app's code now or an unused recovery code (which it uses up).
    A TOTP code counts once: the same code again is refused (allauth marks it used)."""
    code = _normalized(code)
    if not code:
        return False
    authenticators = Authenticator.objects.filter(
        user_id=user.pk, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    )
    # The app's code first: it is what is typed almost always.
    for authenticator in sorted(authenticators, key=lambda a: a.type != Authenticator.Type.TOTP):
        if authenticator.wrap().validate_code(code):
            authenticator.record_usage()
            return True
    return False


# --- Writes ---------------------------------------------------------------------------------------


def verify_code(request: HttpRequest, *, user: User, code: str) -> None:
    """Check a code typed for ``user``. Raises TwoFactorLimited, or ValidationError for a wrong one."""
    ensure_within_two_factor_limits(request, user=user)
    if not code_is_right(user=user, code=code):
        raise ValidationError(INCORRECT_CODE, code="incorrect_code")


def _new_recovery_codes(user: User) -> list[str]:
    Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES).delete()
    return RecoveryCodes.activate(user).generate_codes()


def activate_totp(request: HttpRequest, *, user: User, setup_token: str, code: str) -> list[str]:
    """Turn two-factor authentication on with the secret the reader scanned, once its first code
    shows the app has it. Returns the new recovery codes, to show once. Raises TwoFactorLimited, or
    ValidationError: already on (code "already_on"), a wrong code or setup token ("incorrect_code")."""
    ensure_within_two_factor_limits(request, user=user)
    secret = secret_from_setup_token(user=user, setup_token=setup_token)
    if secret is None or not validate_totp_code(secret, _normalized(code)):
        raise ValidationError(INCORRECT_SETUP_CODE, code="incorrect_code")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one activation at a time
        if has_two_factor(user):
            raise ValidationError(ALREADY_ON, code="already_on")
        totp = TOTP.activate(user, secret).instance
        codes = _new_recovery_codes(user)
        transaction.on_commit(
            lambda: mfa_signals.authenticator_added.send(
                sender=Authenticator, request=request, user=user, authenticator=totp
            )
        )
    return codes


def deactivate_two_factor(request: HttpRequest, *, user: User, code: str) -> None:
    """Turn two-factor authentication off, confirmed with a code. Raises TwoFactorLimited, or
    ValidationError: not on ("not_on"), a wrong code ("incorrect_code")."""
    if not has_two_factor(user):
        raise ValidationError(NOT_ON, code="not_on")
    verify_code(request, user=user, code=code)
    Authenticator.objects.filter(user_id=user.pk).delete()


def regenerate_recovery_codes(request: HttpRequest, *, user: User, code: str) -> list[str]:
    """New recovery codes in place of the old ones, confirmed with a code (an old recovery code
    does too). Raises as deactivate_two_factor."""
    if not has_two_factor(user):
        raise ValidationError(NOT_ON, code="not_on")
    verify_code(request, user=user, code=code)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        return _new_recovery_codes(user)


# --- The sign-in's second step --------------------------------------------------------------------


def start_pending_sign_in(request: HttpRequest, *, user: User) -> None:
    """The password was right for an account with two-factor: remember it (not signed in) until the
    code comes, for TWO_FACTOR_SIGN_IN_SECONDS. The session auth hash ties it to this password."""
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "hash": user.get_session_auth_hash(),
        "until": time.time() + settings.TWO_FACTOR_SIGN_IN_SECONDS,
    }


def _pending_user(user_id, auth_hash) -> User | None:
    user = User.objects.filter(pk=user_id, is_active=True).first() if isinstance(user_id, int) else None
    if user is None or not isinstance(auth_hash, str) or user.get_session_auth_hash() != auth_hash:
        return None  # gone, deactivated, or the password changed since
    return user


def pending_sign_in(request: HttpRequest) -> User | None:
    """The account whose password this browser gave, waiting for its code; None if none (or late)."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("until"), float) or pending["until"] < time.time():
        return None
    user = _pending_user(pending.get("user"), pending.get("hash"))
    if user is not None:
        user.backend = pending.get("backend") or settings.AUTHENTICATION_BACKENDS[-1]
    return user


def end_pending_sign_in(request: HttpRequest) -> None:
    request.session.pop(PENDING_SESSION_KEY, None)


def two_factor_token(user: User) -> str:
    """The apps' pending sign-in: a signed value naming the account (and its password, through the
    session auth hash), valid for TWO_FACTOR_SIGN_IN_SECONDS."""
    return signing.dumps({"u": user.pk, "h": user.get_session_auth_hash()}, salt=TOKEN_SALT)


def user_for_two_factor_token(token: str) -> User | None:
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=settings.TWO_FACTOR_SIGN_IN_SECONDS)
    except signing.BadSignature:  # also an expired one
        return None
    if not isinstance(data, dict):
        return None
    return _pending_user(data.get("u"), data.get("h"))


# --- Staff must have it ---------------------------------------------------------------------------


class StaffTwoFactorMiddleware:
    """A moderator or superuser without two-factor authentication who opens the admin is sent to
    set it up first, and comes back once it is on. (The admin's own sign-in page goes to the
    site's, which asks for the code: config.urls.)"""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self._admin_paths: tuple[str, str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Every request passes here (votes and /health/ too): the admin's paths are reversed once,
        # on the first request (the URLconf is not loaded yet when the middleware is made).
        if self._admin_paths is None:
            self._admin_paths = (reverse("admin:index"), reverse("admin:logout"))
        admin_index, admin_logout = self._admin_paths
        if (
            request.path.startswith(admin_index)
            and request.path != admin_logout
            and request.user.is_authenticated
            and must_set_up_two_factor(request.user)
        ):
            return HttpResponseRedirect(f"{reverse('two_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
