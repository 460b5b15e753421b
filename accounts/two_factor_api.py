"""REST API for two-factor authentication: the token sign-in's code step, and a reader turning it
on and off and making new recovery codes. The same rules and limits as the site's pages
(accounts.two_factor).

Signing in, for an app: POST /api/v1/auth/token/ with the password answers 202 with code
``two_factor_required`` and a ``two_factor_token`` when the account has two-factor authentication;
POST /api/v1/auth/token/two-factor/ with that token and the code from the reader's app (or a
recovery code) answers the API token.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException, AuthenticationFailed, Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ForumApiView, TextField
from api.errors import BODY_ERRORS, error_responses
from api.throttles import AUTH_THROTTLES

from .api import BodyOnDeleteSchema, TokenApi
from .services import Refusal
from .sign_in_limits import issue_device_token
from .sign_in_methods import PASSWORD, record_sign_in_method
from .two_factor import (
    TwoFactorLimited,
    activate_totp,
    deactivate_two_factor,
    has_two_factor,
    recovery_codes_left,
    regenerate_recovery_codes,
    totp_setup,
    user_for_two_factor_token,
    verify_code,
)

INCORRECT_CODE = "incorrect_code"
CODE_HELP = "The six digits the reader's authenticator app shows now, or one of their unused recovery codes."
CODE_LIMITS = (
    "Too many codes typed from this address or for this account; Retry-After says when to try again (the "
    "detail says it in words)."
)


class TwoFactorNotOn(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "two_factor_not_on"


class TwoFactorAlreadyOn(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "two_factor_already_on"


def _refusal(error: DjangoValidationError) -> Exception:
    """A service's refusal as the API answers it: 409 for the state; a wrong code is refused (403
    with code ``incorrect_code``), as a wrong password is, not invalid input."""
    if error.code == "not_on":
        return TwoFactorNotOn(error.messages[0])
    if error.code == "already_on":
        return TwoFactorAlreadyOn(error.messages[0])
    return DjangoPermissionDenied(Refusal(error.messages[0], INCORRECT_CODE))


def _limited(limited: TwoFactorLimited) -> Throttled:
    return Throttled(wait=limited.wait_seconds)


class TokenTwoFactorApi(ForumApiView):
    """The token sign-in's second step, for an account with two-factor authentication."""

    permission_classes = [AllowAny]
    throttle_classes = AUTH_THROTTLES
    per_reader = True  # the answer is a token

    class TwoFactorSignInInput(serializers.Serializer):
        two_factor_token = TextField(max_length=500, help_text="From the 202 answer of POST /api/v1/auth/token/.")
        otp = TextField(max_length=32, help_text=CODE_HELP)

    @extend_schema(
        operation_id="auth_token_two_factor",
        summary="Sign in, second step: the code from the authenticator app for the token",
        description="After POST /api/v1/auth/token/ answered 202 with code `two_factor_required`. Codes are "
        "limited per address and per account (RATE_LIMITS two_factor_*); a TOTP code works once.",
        request=TwoFactorSignInInput,
        examples=[
            OpenApiExample(
                "The app's code", value={"two_factor_token": "eyJ1Ijo...", "otp": "492039"}, request_only=True
            )
        ],
        responses={
            200: TokenApi.TokenOutput,
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                429,
                d401="The two_factor_token is invalid or expired, or the password changed since: sign in again "
                "with the password.",
                d403="The code is not right (code `incorrect_code`): ask for it again. Or a CSRF failure "
                "(signed in through the site's session).",
                d429=CODE_LIMITS,
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.TwoFactorSignInInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_for_two_factor_token(data.validated_data["two_factor_token"])
        if user is None:
            raise AuthenticationFailed(_("The time to type the code ran out. Sign in again with your password."))
        try:
            verify_code(request._request, user=user, code=data.validated_data["otp"])
        except TwoFactorLimited as limited:
            raise _limited(limited) from limited
        except DjangoValidationError as error:
            raise _refusal(error) from error
        token, _created = Token.objects.get_or_create(user=user)
        record_sign_in_method(user=user, method=PASSWORD)
        return Response({"token": token.key, "device_token": issue_device_token(user)})


class TwoFactorStatusOutput(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="true: signing in asks for a code after the password.")
    recovery_codes_left = serializers.IntegerField(help_text="Unused recovery codes (0 when off).")


class RecoveryCodesOutput(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Show them to the reader once, to keep somewhere safe: each works once in place of the "
        "app's code. They cannot be read again, only replaced.",
    )


class CodeInput(serializers.Serializer):
    otp = TextField(max_length=32, help_text=CODE_HELP)


# The answers of a change the reader confirms with a current code (turning off, new recovery codes).
CODE_CONFIRMED_ERRORS = error_responses(
    *BODY_ERRORS,
    401,
    403,
    409,
    429,
    d403="The code is not right (code `incorrect_code`), or a CSRF failure (signed in through the session).",
    d409="Two-factor authentication is not on (code `two_factor_not_on`).",
    d429=CODE_LIMITS,
)


def _confirmed_with_code(request: Request, change):
    """Run ``change`` (a two_factor service taking the request, the reader and the code) with the
    code the body sends; its refusals answered as the API answers them."""
    data = CodeInput(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        return change(request._request, user=request.user, code=data.validated_data["otp"])
    except TwoFactorLimited as limited:
        raise _limited(limited) from limited
    except DjangoValidationError as error:
        raise _refusal(error) from error


class MeTwoFactorApi(ForumApiView):
    """Whether two-factor authentication is on; turning it off."""

    permission_classes = [IsAuthenticated]
    per_reader = True
    schema = BodyOnDeleteSchema()

    @extend_schema(
        operation_id="me_two_factor_retrieve",
        summary="Whether two-factor authentication is on",
        responses={200: TwoFactorStatusOutput, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        enabled = has_two_factor(request.user)
        left = recovery_codes_left(request.user) if enabled else 0
        return Response({"enabled": enabled, "recovery_codes_left": left})

    @extend_schema(
        operation_id="me_two_factor_destroy",
        summary="Turn two-factor authentication off (confirmed with a code)",
        request=CodeInput,
        examples=[OpenApiExample("The app's code", value={"otp": "492039"}, request_only=True)],
        responses={
            204: None,
            **CODE_CONFIRMED_ERRORS,
        },
    )
    def delete(self, request: Request) -> Response:
        _confirmed_with_code(request, deactivate_two_factor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeTotpApi(ForumApiView):
    """Setting up an authenticator app: a new secret to show, then its first code turns it on."""

    permission_classes = [IsAuthenticated]
    per_reader = True

    class SetupOutput(serializers.Serializer):
        secret = serializers.CharField(help_text="The key, in base32, for a reader who types it into the app.")
        otpauth_url = serializers.CharField(help_text="otpauth://totp/... : open it, or show it as a QR code.")
        setup_token = serializers.CharField(help_text="Send it back with the app's first code (valid for a day).")

    class ActivateInput(serializers.Serializer):
        setup_token = TextField(max_length=500, help_text="From GET /api/v1/me/two-factor/totp/.")
        otp = TextField(max_length=32, help_text="The code the app shows now for the new key.")

    @extend_schema(
        operation_id="me_two_factor_totp_setup",
        summary="A new key for an authenticator app (nothing changes until its code is sent back)",
        responses={200: SetupOutput, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        setup = totp_setup(user=request.user)
        return Response({"secret": setup.secret, "otpauth_url": setup.url, "setup_token": setup.setup_token})

    @extend_schema(
        operation_id="me_two_factor_totp_activate",
        summary="Turn two-factor authentication on with the app's first code; answers the recovery codes",
        request=ActivateInput,
        responses={
            201: RecoveryCodesOutput,
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                409,
                429,
                d403="The code is not right for the key, or the setup_token is not one we gave you (code "
                "`incorrect_code`); or a CSRF failure (signed in through the session).",
                d409="Two-factor authentication is on already (code `two_factor_already_on`).",
                d429=CODE_LIMITS,
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.ActivateInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            codes = activate_totp(
                request._request,
                user=request.user,
                setup_token=data.validated_data["setup_token"],
                code=data.validated_data["otp"],
            )
        except TwoFactorLimited as limited:
            raise _limited(limited) from limited
        except DjangoValidationError as error:
            raise _refusal(error) from error
        return Response({"recovery_codes": codes}, status=status.HTTP_201_CREATED)


class MeRecoveryCodesApi(ForumApiView):
    permission_classes = [IsAuthenticated]
    per_reader = True

    @extend_schema(
        operation_id="me_two_factor_recovery_codes",
        summary="New recovery codes in place of the old ones (confirmed with a code)",
        request=CodeInput,
        responses={
            200: RecoveryCodesOutput,
            **CODE_CONFIRMED_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        codes = _confirmed_with_code(request, regenerate_recovery_codes)
        return Response({"recovery_codes": codes})
