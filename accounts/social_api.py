"""REST API for sign-in with a provider (LINE, Yahoo! JAPAN ID, Google, Apple) from the apps: the
app signs the reader in with the provider's native SDK and sends us the id_token it got; we check
it against the provider's published keys (accounts.social) and answer the forum's own token, as
POST /api/v1/auth/token/ does for a password. An identity no account is linked to yet gets a
sign-up token: the app asks the reader for a username and a country and sends them with it."""

from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException, AuthenticationFailed, NotFound, PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ForumApiView, TextField
from api.errors import BODY_ERRORS, error_responses
from api.throttles import AUTH_THROTTLES, SIGN_UP_THROTTLES

from .api import (
    DEVICE_TOKEN_HELP,
    DISPLAY_NAME_HELP,
    MeOutput,
    TwoFactorRequiredOutput,
    UsernameTaken,
    _country_field,
    _form_errors,
    two_factor_required,
)
from .forms import SocialSignUpForm
from .models import User
from .services import Refusal
from .sign_in_limits import issue_device_token
from .social import (
    LAST_WAY_IN,
    SIGNUP_TOKEN_SECONDS,
    InvalidProviderToken,
    LinkedElsewhere,
    UnknownProvider,
    link_provider,
    linked_accounts,
    send_pending_verification,
    signup_token,
    social_login_from_signup_token,
    social_login_from_token,
    unlink_provider,
)
from .two_factor import has_two_factor

PROVIDER_HELP = (
    "`yahoo-japan`, `google` or `apple` (an OpenID Connect id_token); only the providers this site has switched "
    "on (404 otherwise). LINE signs in through the web page."
)


def _login_from_token(request: Request, data: dict) -> SocialLogin:
    """The sign-in a provider's id_token stands for: 404 for a provider not switched on here, 401
    for a token that proves nothing."""
    try:
        return social_login_from_token(request._request, provider_id=data["provider"], id_token=data["id_token"])
    except UnknownProvider as unknown:
        raise NotFound(str(unknown.args[0])) from unknown
    except InvalidProviderToken as invalid:
        raise AuthenticationFailed(str(invalid.args[0])) from invalid


class AlreadyLinked(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "An account is linked to this identity already: sign in with the provider's token."
    default_code = "already_linked"


class LinkedToAnother(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This identity is linked to another account."
    default_code = "linked_elsewhere"


class SignedInOutput(serializers.Serializer):
    token = serializers.CharField(help_text='Send it as "Authorization: Token <token>".')
    device_token = serializers.CharField(help_text=DEVICE_TOKEN_HELP)
    user = MeOutput()


class SignUpNeededOutput(serializers.Serializer):
    detail = serializers.CharField(help_text="What to do, in your language.")
    code = serializers.ChoiceField(choices=["signup_required"])
    signup_token = serializers.CharField(
        help_text=f"Send it to POST /api/v1/auth/social/sign-up/ within {SIGNUP_TOKEN_SECONDS // 60} minutes, "
        "with the reader's choices."
    )
    username = serializers.CharField(allow_blank=True, help_text="The provider's suggestion (may be taken).")
    email = serializers.CharField(allow_blank=True, help_text="The address the provider gave, if any.")
    email_verified = serializers.BooleanField(help_text="Whether the provider states that it verified the address.")


class CheckYourMailOutput(serializers.Serializer):
    detail = serializers.CharField(help_text="What happened, in your language.")


def _signed_in(user: User, *, created: bool) -> Response:
    if not user.is_active:
        raise PermissionDenied(_("This account is closed."))
    token, _created = Token.objects.get_or_create(user=user)
    body = {"token": token.key, "device_token": issue_device_token(user), "user": MeOutput(user).data}
    return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class SocialTokenApi(ForumApiView):
    """Sign in with the id_token of a provider's native SDK."""

    permission_classes = [AllowAny]
    throttle_classes = AUTH_THROTTLES
    per_reader = True  # the answer is a token

    class SocialTokenInput(serializers.Serializer):
        provider = TextField(max_length=64, help_text=PROVIDER_HELP)
        id_token = TextField(
            max_length=8192,
            help_text="The OpenID Connect id_token the provider's SDK returned: signed by the provider, issued for "
            "this site's client id, not expired.",
        )

    @extend_schema(
        operation_id="auth_social_token",
        summary="Sign in with a provider's id_token (LINE, Yahoo! JAPAN ID, Google, Apple)",
        description="An identity linked to an account signs in to it (200). One linked to none answers 409 "
        "with code `signup_required` and a `signup_token`: ask the reader for a username and a country, then "
        "POST /api/v1/auth/social/sign-up/. A provider's address never signs in to an account by itself.",
        request=SocialTokenInput,
        examples=[
            OpenApiExample(
                "Yahoo! JAPAN ID", value={"provider": "yahoo-japan", "id_token": "eyJhbGciOi..."}, request_only=True
            )
        ],
        responses={
            200: SignedInOutput,
            202: OpenApiResponse(
                TwoFactorRequiredOutput,
                description="The linked account has two-factor authentication: no token yet. Send the code with "
                "`two_factor_token` to POST /api/v1/auth/token/two-factor/, which answers the token.",
            ),
            409: OpenApiResponse(SignUpNeededOutput, description="No account is linked to this identity yet."),
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                404,
                429,
                d401="The id_token is not valid: expired, issued for another client, or not signed by the provider.",
                d403="The linked account is closed, or a CSRF failure (signed in through the site's session).",
                d404="No provider of that name is switched on here (or its tokens cannot be checked: LINE).",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.SocialTokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        login = _login_from_token(request, data.validated_data)
        if login.is_existing:
            if has_two_factor(login.user):  # the provider stands for the password: the code still follows
                return two_factor_required(login.user)
            return _signed_in(login.user, created=False)
        address = login.email_addresses[0] if login.email_addresses else None
        body = {
            "detail": _("No account is linked to this identity yet: choose a username and a country to create one."),
            "code": "signup_required",
            "signup_token": signup_token(login),
            "username": login.user.username or "",
            "email": address.email if address else "",
            "email_verified": bool(address and address.verified),
        }
        return Response(body, status=status.HTTP_409_CONFLICT)


class SocialSignUpApi(ForumApiView):
    """Create the account for an identity the provider's id_token proved (its sign-up token)."""

    permission_classes = [AllowAny]
    throttle_classes = SIGN_UP_THROTTLES

    class SocialSignUpInput(serializers.Serializer):
        signup_token = TextField(max_length=8192, help_text="From the 409 answer of POST /api/v1/auth/social/token/.")
        username = TextField(max_length=150, help_text="Under the same rules as POST /api/v1/auth/sign-up/.")
        email = serializers.EmailField(
            max_length=254,
            required=False,
            help_text="Defaults to the provider's. An address the provider verified is verified here too; any "
            "other gets a link (until it is followed, voting, commenting and reporting answer 403 with code "
            "`email_unverified`).",
        )
        display_name = TextField(
            max_length=60, required=False, allow_blank=True, default="", help_text=DISPLAY_NAME_HELP
        )
        country = _country_field(required=True)

    @extend_schema(
        operation_id="auth_social_sign_up",
        summary="Create an account for a provider's identity, choosing a username and a country",
        request=SocialSignUpInput,
        examples=[
            OpenApiExample(
                "A reader in Osaka",
                value={"signup_token": "eyJhY2NvdW50Ijp7...", "username": "hanako", "country": "JP"},
                request_only=True,
            )
        ],
        responses={
            201: SignedInOutput,
            202: OpenApiResponse(
                CheckYourMailOutput,
                description="Another account has this address: nothing is created, and the address is told so "
                "by e-mail (the answer does not say whether an account has it).",
            ),
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                409,
                429,
                d400="The input is invalid, or the name breaks a rule; the body says which.",
                d401="The sign-up token is invalid or expired: sign in with the provider again.",
                d403="A CSRF failure (signed in through the site's session).",
                d409="The username is taken, or an account is linked to this identity already.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.SocialSignUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        try:
            login: SocialLogin = social_login_from_signup_token(fields["signup_token"])
        except InvalidProviderToken as invalid:
            raise AuthenticationFailed(str(invalid.args[0])) from invalid
        if login.is_existing:
            raise AlreadyLinked(_("An account is linked to this identity already: sign in with the provider's token."))
        suggested = login.email_addresses[0].email if login.email_addresses else ""
        form = SocialSignUpForm(
            data={
                "username": fields["username"],
                "email": fields.get("email") or suggested,
                "display_name": fields["display_name"],
                "country": fields["country"],
            },
            sociallogin=login,
        )
        if not form.is_valid():
            if any(error.code == "username_taken" for error in form.errors.as_data().get("username", [])):
                raise UsernameTaken(_("A reader with that username already exists."))
            raise _form_errors(form)
        try:
            with transaction.atomic():
                user, _response = form.try_save(request._request)
        except (IntegrityError, DjangoValidationError) as race:  # the same name or identity at the same moment
            raise UsernameTaken(_("A reader with that username already exists.")) from race
        if user is None:  # the address has an account: its owner is mailed, nothing is said here
            return Response(
                {"detail": _("We have sent an e-mail to the address you gave: follow what it says to go on.")},
                status=status.HTTP_202_ACCEPTED,
            )
        send_pending_verification(request._request, user=user)
        return _signed_in(user, created=True)


class LinkedProviderOutput(serializers.Serializer):
    provider = serializers.CharField(help_text="`line`, `yahoo-japan`, `google` or `apple`.")
    name = serializers.CharField(help_text="The provider's name as readers see it.")
    linked_at = serializers.DateTimeField(source="date_joined")


def _linked_output(account: SocialAccount) -> dict:
    return {"provider": account.provider, "name": account.get_provider().name, "date_joined": account.date_joined}


class MySocialAccountsApi(ForumApiView):
    """The providers linked to your account, and linking one more from the app."""

    permission_classes = [IsAuthenticated]
    per_reader = True

    class LinkInput(serializers.Serializer):
        provider = TextField(max_length=64, help_text=PROVIDER_HELP)
        id_token = TextField(max_length=8192, help_text="The id_token the provider's SDK returned for the reader.")

    @extend_schema(
        operation_id="me_social_list",
        summary="The sign-in providers linked to your account",
        responses={200: LinkedProviderOutput(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        accounts = linked_accounts(user=request.user)
        return Response(LinkedProviderOutput([_linked_output(account) for account in accounts], many=True).data)

    @extend_schema(
        operation_id="me_social_link",
        summary="Link a provider to your account with its id_token (you can then sign in with it)",
        request=LinkInput,
        responses={
            201: LinkedProviderOutput,
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                404,
                409,
                d401="Not signed in, or the id_token is not valid (expired, for another client, not signed by "
                "the provider).",
                d403="A CSRF failure (signed in through the session).",
                d404="No provider of that name is switched on here.",
                d409="The identity is linked to another account.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.LinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        login = _login_from_token(request, data.validated_data)
        try:
            account = link_provider(request._request, user=request.user, login=login)
        except LinkedElsewhere as elsewhere:
            raise LinkedToAnother(str(elsewhere.args[0])) from elsewhere
        return Response(LinkedProviderOutput(_linked_output(account)).data, status=status.HTTP_201_CREATED)


class MySocialAccountApi(ForumApiView):
    permission_classes = [IsAuthenticated]
    per_reader = True

    @extend_schema(
        operation_id="me_social_unlink",
        summary="Unlink a provider from your account",
        responses={
            204: None,
            **error_responses(
                401,
                403,
                404,
                d403="It is your last way to sign in (no password, or no verified address to set one with): the "
                "body's code is `last_sign_in_method`. Or a CSRF failure (signed in through the session).",
                d404="No provider of that name is linked to your account.",
            ),
        },
    )
    def delete(self, request: Request, provider: str) -> Response:
        account = next((a for a in linked_accounts(user=request.user) if a.provider == provider), None)
        if account is None:
            raise NotFound(_("No provider of that name is linked to your account."))
        try:
            unlink_provider(request._request, account=account)
        except DjangoValidationError as refusal:
            raise DjangoPermissionDenied(Refusal(refusal.messages[0], LAST_WAY_IN)) from refusal
        return Response(status=status.HTTP_204_NO_CONTENT)
