"""REST API for readers' e-mail: verify an address, re-send its link, change it, reset a forgotten
password. The same flows as the site's pages (accounts.email_addresses, over django-allauth), so
the links, their expiry and the limits are the same for the apps."""

from allauth.account.models import EmailConfirmationHMAC
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, Throttled, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ForumApiView, TextField
from api.errors import BODY_ERRORS, RefusedInput, error_responses
from api.throttles import AUTH_THROTTLES

from .email_addresses import (
    INVALID_RESET_LINK,
    MailLimited,
    change_email,
    reader_for_reset_key,
    request_password_reset,
    resend_verification,
    reset_password,
)
from .email_domains import DISPOSABLE_EMAIL

MAIL_LIMITS = (
    "Too many e-mails asked for from this address, by this reader or to this e-mail address; Retry-After "
    "says when to ask again."
)


class DetailOutput(serializers.Serializer):
    detail = serializers.CharField(help_text="What happened, in your language.")


class NothingToVerify(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "No address is waiting for verification."
    default_code = "nothing_to_verify"


def _field_error(error: DjangoValidationError, field: str) -> ValidationError:
    return ValidationError({field: error.messages})


def _limited(limited: MailLimited) -> Throttled:
    return Throttled(wait=limited.wait_seconds)


class EmailVerifyApi(ForumApiView):
    """Verify an address with the key from the link we mailed (the part after /confirm-email/)."""

    permission_classes = [AllowAny]
    throttle_classes = AUTH_THROTTLES

    class VerifyInput(serializers.Serializer):
        key = TextField(max_length=200, help_text="The last part of the verification link.")

    @extend_schema(
        operation_id="auth_email_verify",
        summary="Verify an e-mail address with the key from its link",
        request=VerifyInput,
        responses={
            200: DetailOutput,
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                404,
                429,
                d400="Another account has verified the address (under `key`).",
                d403="A CSRF failure (signed in through the site's session).",
                d404="The key is invalid or expired: ask for a new link.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.VerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        confirmation = EmailConfirmationHMAC.from_key(data.validated_data["key"])
        if confirmation is None:  # no address waits for this key: nothing to verify (404)
            raise NotFound(_("This verification link is invalid or has expired."))
        address = confirmation.confirm(request._request)
        if not address:
            raise ValidationError({"key": [_("This address cannot be verified: another account uses it.")]})
        return Response({"detail": _("Your address %(email)s is verified.") % {"email": address.email}})


class EmailResendApi(ForumApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_email_resend",
        summary="Send the verification link for your address again",
        request=None,
        responses={
            202: DetailOutput,
            **error_responses(
                401,
                403,
                409,
                429,
                d403="A CSRF failure (signed in through the session).",
                d409="No address is waiting for verification.",
                d429=MAIL_LIMITS,
            ),
        },
    )
    def post(self, request: Request) -> Response:
        try:
            address = resend_verification(request._request, user=request.user)
        except MailLimited as limited:
            raise _limited(limited) from limited
        if address is None:
            raise NothingToVerify(_("No address is waiting for verification."))
        return Response(
            {"detail": _("We sent the link to %(email)s again.") % {"email": address.email}},
            status=status.HTTP_202_ACCEPTED,
        )


class EmailChangeApi(ForumApiView):
    permission_classes = [IsAuthenticated]

    class EmailInput(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    @extend_schema(
        operation_id="me_email_change",
        summary="Change your e-mail address (it takes effect once you follow the link we mail to it)",
        request=EmailInput,
        examples=[OpenApiExample("New address", value={"email": "hanako@example.jp"}, request_only=True)],
        responses={
            202: DetailOutput,
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                429,
                d400="Not an e-mail address, or already yours, or at a domain of throwaway mailboxes (code "
                "`disposable_email`).",
                d403="A CSRF failure (signed in through the session).",
                d429=MAIL_LIMITS,
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.EmailInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            address = change_email(request._request, user=request.user, email=data.validated_data["email"])
        except DjangoValidationError as error:
            if getattr(error, "code", None) == DISPOSABLE_EMAIL:
                raise RefusedInput({"email": error.messages}, app_code=DISPOSABLE_EMAIL) from error
            raise _field_error(error, "email") from error
        except MailLimited as limited:
            raise _limited(limited) from limited
        return Response(
            {"detail": _("We sent a link to %(email)s. Follow it to verify the address.") % {"email": address.email}},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetApi(ForumApiView):
    permission_classes = [AllowAny]
    throttle_classes = AUTH_THROTTLES

    class ResetInput(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    @extend_schema(
        operation_id="auth_password_reset",
        summary="Mail a password reset link",
        description="The answer is the same whether or not an account has the address. The link works once, "
        "for an hour; its last part is the key for POST /api/v1/auth/password-reset/confirm/.",
        request=ResetInput,
        responses={
            202: DetailOutput,
            **error_responses(
                *BODY_ERRORS, 401, 403, 429, d403="A CSRF failure (signed in through the session).", d429=MAIL_LIMITS
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.ResetInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            request_password_reset(request._request, email=data.validated_data["email"])
        except DjangoValidationError as error:
            raise _field_error(error, "email") from error
        except MailLimited as limited:
            raise _limited(limited) from limited
        return Response(
            {"detail": _("If an account has this address, we have sent it a link to reset the password.")},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmApi(ForumApiView):
    permission_classes = [AllowAny]
    throttle_classes = AUTH_THROTTLES

    class ConfirmInput(serializers.Serializer):
        key = TextField(max_length=200, help_text="The last part of the reset link: <uid>-<token>.")
        password = TextField(max_length=128, trim_whitespace=False, help_text="The new password.")

    @extend_schema(
        operation_id="auth_password_reset_confirm",
        summary="Set a new password with the key from a reset link",
        description="Every session and API token of the account ends; sign in again with the new password.",
        request=ConfirmInput,
        responses={
            204: None,
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                404,
                429,
                d400="The password is too weak (under `password`); the body says why.",
                d403="A CSRF failure (signed in through the session).",
                d404="The key is invalid, expired or used already: ask for a new link.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.ConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        # A key that names no valid reset is a link that leads nowhere (404), not bad input.
        if reader_for_reset_key(data.validated_data["key"]) is None:
            raise NotFound(str(INVALID_RESET_LINK))
        try:
            reset_password(key=data.validated_data["key"], password=data.validated_data["password"])
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(status=status.HTTP_204_NO_CONTENT)
