"""REST API for readers: sign up, obtain and revoke a token, read and change the profile.

Sign-up and the profile go through the site's own forms (accounts.forms), so the rules for a
username, a password (Django's validators) and a country are the same on the page and here.
"""

from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException, AuthenticationFailed, NotFound, PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ForumApiView, TextField
from api.errors import BODY_ERRORS, RefusedInput, error_responses
from api.throttles import AUTH_THROTTLES, SIGN_UP_THROTTLES

from .email_addresses import add_sign_up_address
from .email_domains import DISPOSABLE_EMAIL
from .forms import ProfileForm, SignUpForm
from .models import AccountDeletion, Badge, User
from .selectors import badge_of, reader_data_export, standing_of
from .services import (
    WRONG_PASSWORD_NOT_DELETED,
    accept_badge,
    decline_badge,
    delete_account,
    ensure_country_change_allowed,
    sign_up,
    update_profile,
)
from .sign_in_limits import DEVICE_TOKEN_HEADER, issue_device_token, password_confirmed
from .sign_in_methods import PASSWORD, record_sign_in_method
from .two_factor import has_two_factor, two_factor_token

USERNAME_PATTERN = r"\A[\w.@+-]+\Z"  # Django's UnicodeUsernameValidator, stated in the schema
DISPLAY_NAME_HELP = (
    "Signs your voices from around the world. No control, zero-width or text-direction characters, no staff "
    "title (moderator, admin, official, 運営, 公式 ...), no banned word, and not a look-alike of another "
    "reader's username or display name (400, the message says which)."
)


class UsernameTaken(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A reader with that username already exists."
    default_code = "username_taken"


def _country_field(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=[code for code, _name in countries],
        allow_blank=True,
        help_text="ISO 3166 code. JP puts your comments under Reactions in Japan; any other, under Voices "
        "from Around the World.",
        **kwargs,
    )


class StandingOutput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["good", "premoderated", "suspended", "banned"],
        help_text="`suspended` and `banned`: you cannot vote or comment; `premoderated`: your new comments "
        "wait for a moderator.",
    )
    suspended_until = serializers.DateTimeField(allow_null=True, help_text="When a suspension ends; null if none.")
    premoderated = serializers.BooleanField()
    message = serializers.CharField(help_text="The standing in words, in your language.")


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField(help_text="Shown with your comments (your username when empty).")
    country = serializers.CharField(source="country.code")
    email = serializers.CharField(help_text="Your verified address (empty if none yet).")
    email_verified = serializers.BooleanField(
        help_text="false: voting, commenting and reporting answer 403 with code `email_unverified` until you "
        "follow the link we mailed (POST /api/v1/me/email/resend/ sends it again)."
    )
    section = serializers.SerializerMethodField()
    standing = serializers.SerializerMethodField()

    def get_section(self, user: User) -> str:
        return user.region.value  # the section a reader's comments go to is named after their region

    @extend_schema_field(StandingOutput)
    def get_standing(self, user: User) -> dict:
        return StandingOutput(standing_of(user=user)).data


def _form_errors(form) -> serializers.ValidationError:
    """The form's errors under the API's field names (one "password" for the form's two)."""
    errors: dict[str, list[str]] = {}
    for field, field_errors in form.errors.as_data().items():
        name = {"password1": "password", "password2": "password", "__all__": "non_field_errors"}.get(field, field)
        for error in field_errors:
            errors.setdefault(name, []).extend(error.messages)
    return serializers.ValidationError(errors)


DEVICE_TOKEN_HELP = (
    f"Keep it and send it as the {DEVICE_TOKEN_HEADER} header when you sign in again: repeated failed "
    "sign-ins for this account from unknown clients then do not lock this app out (it is locked only by "
    "its own failures). Valid for a year; each sign-in gives a new one."
)
DEVICE_TOKEN_PARAMETER = OpenApiParameter(
    DEVICE_TOKEN_HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    description="The device_token an earlier sign-in as this account returned (optional).",
)


class SignUpApi(ForumApiView):
    permission_classes = [AllowAny]
    throttle_classes = SIGN_UP_THROTTLES

    class SignUpInput(serializers.Serializer):
        username = TextField(
            max_length=150,
            validators=[RegexValidator(USERNAME_PATTERN, code="invalid_username")],
            help_text="Taken (409) if another reader has it in any case; refused (400) if it reads as a staff title, "
            "holds a banned word or looks like another reader's name (Cyrillic а for a, 1 for l ...).",
        )
        password = TextField(
            min_length=8,
            max_length=128,
            trim_whitespace=False,
            validators=[RegexValidator(r"\A(?!\d+\Z)[^\x00]*\Z", gettext_lazy("This password is entirely numeric."))],
            help_text="At least 8 characters, not all digits nor all white space, not a common password, not close "
            "to the username.",
        )
        email = serializers.EmailField(
            max_length=254,
            help_text="We mail a verification link to it (POST /api/v1/auth/email/verify/ takes its key). Until "
            "it is followed, voting, commenting and reporting answer 403 with code `email_unverified`.",
        )
        display_name = TextField(
            max_length=60, required=False, allow_blank=True, default="", help_text=DISPLAY_NAME_HELP
        )
        country = _country_field(required=False, default="")

    class SignUpOutput(serializers.Serializer):
        token = serializers.CharField(help_text='Send it as "Authorization: Token <token>".')
        device_token = serializers.CharField(help_text=DEVICE_TOKEN_HELP)
        user = MeOutput()

    @extend_schema(
        operation_id="auth_sign_up",
        summary="Create a reader account and get its token",
        request=SignUpInput,
        examples=[
            OpenApiExample(
                "A reader in Osaka",
                value={
                    "username": "hanako",
                    "password": "plum blossom 1994",
                    "email": "hanako@example.jp",
                    "display_name": "Hanako",
                    "country": "JP",
                },
                request_only=True,
            )
        ],
        responses={
            201: SignUpOutput,
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                409,
                429,
                d400="The input is invalid, or the password is too weak (too common, too close to the username, "
                "all digits); the body says why. An address at a domain of throwaway mailboxes adds code "
                "`disposable_email`.",
                d403="A CSRF failure (signed in through the site's session).",
                d409="The username is taken.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.SignUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        form = SignUpForm(
            data={
                "username": fields["username"],
                "password1": fields["password"],
                "password2": fields["password"],
                "email": fields["email"],
                "display_name": fields["display_name"],
                "country": fields["country"],
            }
        )
        if not form.is_valid():
            if any(error.code == "unique" for error in form.errors.as_data().get("username", [])):
                raise UsernameTaken(_("A reader with that username already exists."))
            if any(error.code == DISPOSABLE_EMAIL for error in form.errors.as_data().get("email", [])):
                raise RefusedInput(_form_errors(form).detail, app_code=DISPOSABLE_EMAIL)
            raise _form_errors(form)
        try:
            account = sign_up(user=form.save(commit=False), with_api_token=True)
        except DjangoValidationError as race:  # the same username, signed up at the same moment
            raise UsernameTaken(_("A reader with that username already exists.")) from race
        user = account.user
        add_sign_up_address(request._request, user=user, email=fields["email"])
        return Response(
            {"token": account.api_token.key, "device_token": issue_device_token(user), "user": MeOutput(user).data},
            status=status.HTTP_201_CREATED,
        )


TWO_FACTOR_REQUIRED = "two_factor_required"


class TwoFactorRequiredOutput(serializers.Serializer):
    detail = serializers.CharField(help_text="What to do next, in the reader's language.")
    code = serializers.ChoiceField(
        choices=[TWO_FACTOR_REQUIRED],
        help_text="Always `two_factor_required`: ask the reader for the code from their authenticator app.",
    )
    two_factor_token = serializers.CharField(
        help_text="Send it with the code to POST /api/v1/auth/token/two-factor/. It stands for the password just "
        "given: it expires after `expires_in` seconds, or at once if the password changes."
    )
    expires_in = serializers.IntegerField(help_text="Seconds the two_factor_token stays valid.")


def two_factor_required(user: User) -> Response:
    """The 202 that asks an app for the code of an account with two-factor, after its password or
    its provider's token: no token yet."""
    return Response(
        {
            "detail": _("Type the code from your authenticator app to finish signing in."),
            "code": TWO_FACTOR_REQUIRED,
            "two_factor_token": two_factor_token(user),
            "expires_in": settings.TWO_FACTOR_SIGN_IN_SECONDS,
        },
        status=status.HTTP_202_ACCEPTED,
    )


class TokenApi(ForumApiView):
    """Mobile sign-in and sign-out. A reader has one token; signing out revokes it everywhere, and so
    do a password change and deactivation (accounts.services). The username matches without regard
    to case or Unicode compatibility form (accounts.backends)."""

    throttle_classes = AUTH_THROTTLES
    per_reader = True  # the answer is a token

    class TokenInput(serializers.Serializer):
        username = TextField(max_length=150)
        password = TextField(max_length=128, trim_whitespace=False)

    class TokenOutput(serializers.Serializer):
        token = serializers.CharField(help_text='Send it as "Authorization: Token <token>".')
        device_token = serializers.CharField(help_text=DEVICE_TOKEN_HELP)

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    def get_throttles(self):
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        operation_id="auth_token_create",
        summary="Sign in: exchange a username and password for a token",
        description="An account with two-factor authentication answers 202 (code `two_factor_required`) in "
        "place of the token: the code step follows. "
        "Failed passwords lock the username from this address, and this address, for a while. "
        "Clients without a device token for the account are also refused for it after many failures from "
        "anywhere; a client that sends the device_token from an earlier sign-in is not.",
        request=TokenInput,
        parameters=[DEVICE_TOKEN_PARAMETER],
        examples=[
            OpenApiExample("Sign in", value={"username": "hanako", "password": "plum blossom 1994"}, request_only=True)
        ],
        responses={
            200: TokenOutput,
            202: OpenApiResponse(
                TwoFactorRequiredOutput,
                description="The password is right and the account has two-factor authentication: no token yet. "
                "Ask the reader for the code from their app and send it with `two_factor_token` to POST "
                "/api/v1/auth/token/two-factor/, which answers the token.",
            ),
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                429,
                d401="Wrong username or password (or an invalid token sent along).",
                d403="A CSRF failure (signed in through the site's session).",
                d429="Too many requests from this address, or signing in is locked for this username from this "
                "address, for this address, for this account from unknown clients, or for this device token, after "
                "repeated failures; the detail says for how long, Retry-After in seconds.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request._request, **data.validated_data)
        if user is None:
            raise AuthenticationFailed(_("Unable to sign in with this username and password."))
        if has_two_factor(user):
            return two_factor_required(user)
        token, _created = Token.objects.get_or_create(user=user)
        record_sign_in_method(user=user, method=PASSWORD)
        return Response({"token": token.key, "device_token": issue_device_token(user)})

    @extend_schema(
        operation_id="auth_token_destroy",
        summary="Sign out: revoke the token",
        responses={204: None, **error_responses(401, 403, d403="A CSRF failure (signed in through the session).")},
    )
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class BodyOnDeleteSchema(AutoSchema):
    """drf-spectacular leaves out a DELETE's request body (OpenAPI 3.0 gives it no defined
    meaning), but DELETE /me/ needs the password in one, and the schema must say so."""

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


class MeApi(ForumApiView):
    permission_classes = [IsAuthenticated]
    per_reader = True
    schema = BodyOnDeleteSchema()

    class ProfileInput(serializers.Serializer):
        display_name = TextField(max_length=60, required=False, allow_blank=True, help_text=DISPLAY_NAME_HELP)
        country = _country_field(required=False)

    @extend_schema(
        operation_id="me_retrieve",
        summary="Your profile",
        responses={200: MeOutput, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response(MeOutput(request.user).data)

    @extend_schema(
        operation_id="me_partial_update",
        summary="Change your display name or country (your next comments follow the country)",
        description="The country can change once every 30 days (FORUM_COUNTRY_CHANGE_DAYS); the one chosen at "
        "sign-up does not count. Comments already posted stay in their section.",
        request=ProfileInput,
        examples=[OpenApiExample("Moved abroad", value={"country": "DE"}, request_only=True)],
        responses={
            200: MeOutput,
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                d403="The country was changed less than 30 days ago (the detail says when it can change "
                "again), or a CSRF failure (signed in through the session).",
            ),
        },
    )
    def patch(self, request: Request) -> Response:
        data = self.ProfileInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        if "country" in data.validated_data:
            # A valid country that may not be chosen yet: refused (403), not invalid input (400).
            try:
                ensure_country_change_allowed(user=user, country=data.validated_data["country"])
            except DjangoValidationError as refusal:
                raise PermissionDenied(refusal.messages[0]) from refusal
        current = {"display_name": user.display_name, "country": user.country.code or ""}
        form = ProfileForm(data={**current, **data.validated_data}, instance=user)
        if not form.is_valid():
            raise _form_errors(form)
        try:
            update_profile(
                user=user, display_name=form.cleaned_data["display_name"], country=form.cleaned_data["country"]
            )
        except DjangoValidationError as refusal:  # a country change raced past the check above
            raise PermissionDenied(refusal.messages[0]) from refusal
        return Response(MeOutput(user).data)

    class AccountDeleteInput(serializers.Serializer):
        password = TextField(max_length=128, trim_whitespace=False, help_text="Your password, to confirm.")

    @extend_schema(
        operation_id="me_destroy",
        summary="Delete your account, your comments and your votes",
        description="Your votes leave the counts within one reconciliation period (seconds); your token and "
        "sessions stop working at once. This cannot be undone.",
        request=AccountDeleteInput,
        parameters=[DEVICE_TOKEN_PARAMETER],
        examples=[OpenApiExample("Confirm", value={"password": "plum blossom 1994"}, request_only=True)],
        responses={
            204: None,
            **error_responses(
                *BODY_ERRORS,
                401,
                403,
                429,
                d403="The password is not right (nothing is deleted), or a CSRF failure (signed in through "
                "the session).",
                d429="Wrong passwords count toward the sign-in limits: while one locks (the detail says for how "
                "long, Retry-After in seconds), even the right password is refused and nothing is deleted.",
            ),
        },
    )
    def delete(self, request: Request) -> Response:
        data = self.AccountDeleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        # Checked as a sign-in is: while a limit locks, AxesMiddleware answers 429 instead.
        if not password_confirmed(request._request, request.user, data.validated_data["password"]):
            raise PermissionDenied(str(WRONG_PASSWORD_NOT_DELETED))
        delete_account(user=request.user, via=AccountDeletion.Via.API)
        logout(request._request)  # signed in through the site's session: end it too
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileExport(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    email = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166 code, or empty.")
    date_joined = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)


ARTICLE_AS_SEEN = (
    "As readers last saw it: an article taken out of view keeps the slug and title it had while published "
    "(null if it never was)."
)


class CommentExport(serializers.Serializer):
    id = serializers.IntegerField()
    article = serializers.CharField(allow_null=True, help_text=f"The article's slug. {ARTICLE_AS_SEEN}")
    article_title = serializers.CharField(allow_null=True, help_text=ARTICLE_AS_SEEN)
    section = serializers.CharField()
    signed = serializers.BooleanField(help_text="Whether other readers see your name with it.")
    body = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    agree_count = serializers.IntegerField()
    disagree_count = serializers.IntegerField()
    parent = serializers.IntegerField(
        allow_null=True, help_text="A reply: the id of the comment whose thread it is in; null on a comment."
    )
    reply_to = serializers.IntegerField(
        allow_null=True, help_text="A reply: the id of the comment or reply it answers (null if that was deleted)."
    )
    deleted_at = serializers.DateTimeField(
        allow_null=True, help_text="When you deleted it while it had replies: its text is gone, the thread stays."
    )


class CommentRevisionExport(serializers.Serializer):
    comment = serializers.IntegerField(help_text="The id of your comment (in comments).")
    body = serializers.CharField(help_text="What the comment said before this edit.")
    language = serializers.CharField()
    replaced_at = serializers.DateTimeField(help_text="When the edit replaced this text.")
    by_moderator = serializers.BooleanField(help_text="Whether a moderator's edit replaced it, not yours.")


class VoteExport(serializers.Serializer):
    comment = serializers.IntegerField()
    article = serializers.CharField(allow_null=True, help_text=f"The slug of the comment's article. {ARTICLE_AS_SEEN}")
    choice = serializers.CharField(allow_null=True, help_text="null: a vote you took back.")
    region = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ReportExport(serializers.Serializer):
    comment = serializers.IntegerField()
    article = serializers.CharField(allow_null=True, help_text=f"The slug of the comment's article. {ARTICLE_AS_SEEN}")
    reason = serializers.CharField()
    detail = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True, help_text="null: still waiting for a moderator.")
    decision = serializers.CharField(allow_blank=True, help_text="The moderator's decision on the comment.")


class SanctionExport(serializers.Serializer):
    kind = serializers.CharField(help_text="suspend, ban or premoderate.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True, help_text="null: until lifted.")
    reason = serializers.CharField()
    lifted_at = serializers.DateTimeField(allow_null=True)
    lift_reason = serializers.CharField(allow_blank=True)


class BadgeExport(serializers.Serializer):
    kind = serializers.CharField(help_text="expert, journalist or custom.")
    title = serializers.CharField(allow_blank=True, help_text="A custom badge's title.")
    description = serializers.CharField()
    given_at = serializers.DateTimeField(help_text="When the editors offered it.")
    accepted_at = serializers.DateTimeField(allow_null=True, help_text="When you accepted it; null: not yet.")


class ExportOutput(serializers.Serializer):
    exported_at = serializers.DateTimeField()
    profile = ProfileExport()
    comments = CommentExport(many=True)
    comment_revisions = CommentRevisionExport(
        many=True, help_text="Your comments' earlier texts, kept each time one was edited, oldest first."
    )
    votes = VoteExport(many=True)
    reports = ReportExport(many=True, help_text="Comments you reported.")
    sanctions = SanctionExport(many=True, help_text="Suspensions, bans and pre-moderation, lifted ones too.")
    badge = BadgeExport(allow_null=True, help_text="The badge the editors gave or offered you; null if none.")


class MeExportApi(ForumApiView):
    """Everything the forum holds about you (GDPR access and portability), as one document."""

    permission_classes = [IsAuthenticated]
    per_reader = True

    @extend_schema(
        operation_id="me_export",
        summary="Download your data: profile, comments and earlier texts, votes, reports, sanctions, as one JSON file",
        responses={200: ExportOutput, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response(ExportOutput(reader_data_export(user=request.user)).data)


# --- Your badge -----------------------------------------------------------------------------------


class MyBadgeOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Badge.Kind.choices)
    label = serializers.CharField(help_text="What it says, in your language (or the custom title).")
    description = serializers.CharField(help_text="Its short public description.")
    given_at = serializers.DateTimeField(help_text="When the editors offered it.")
    accepted_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When you accepted it. null: only offered; your comments are not signed with it until you accept.",
    )


class MyBadgeApi(ForumApiView):
    """The badge the editors offered you (Expert, Journalist or a custom title). Accepting it means
    your comments and replies from then on are signed with your name, your country and the badge,
    in both sections, Reactions in Japan included; those already posted stay as they were."""

    permission_classes = [IsAuthenticated]
    per_reader = True

    def _badge(self, request: Request) -> Badge:
        badge = badge_of(user=request.user)
        if badge is None:
            raise NotFound(_("There is no badge on your account."))
        return badge

    @extend_schema(
        operation_id="me_badge_retrieve",
        summary="Your badge: offered or accepted",
        responses={200: MyBadgeOutput, **error_responses(401, 404, d404="You have no badge.")},
    )
    def get(self, request: Request) -> Response:
        return Response(MyBadgeOutput(self._badge(request)).data)

    @extend_schema(
        operation_id="me_badge_accept",
        summary="Accept the badge offered to you: your next comments are signed with it, in both sections",
        request=None,
        responses={
            200: MyBadgeOutput,
            **error_responses(
                401, 403, 404, d404="You have no badge.", d403="A CSRF failure (signed in through the session)."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        self._badge(request)
        accept_badge(user=request.user)  # accepting an accepted badge changes nothing
        return Response(MyBadgeOutput(self._badge(request)).data)

    @extend_schema(
        operation_id="me_badge_destroy",
        summary="Decline the badge offered to you, or give up the one you hold",
        description="Comments already posted keep how they were posted; your next ones follow your country again.",
        request=None,
        responses={
            204: None,
            **error_responses(
                401, 403, 404, d404="You have no badge.", d403="A CSRF failure (signed in through the session)."
            ),
        },
    )
    def delete(self, request: Request) -> Response:
        if not decline_badge(user=request.user):
            raise NotFound(_("There is no badge on your account."))
        return Response(status=status.HTTP_204_NO_CONTENT)
