"""Sign-in with LINE, Yahoo! JAPAN ID, Google and Apple, through django-allauth's socialaccount.

The providers and their apps come from settings (SOCIALACCOUNT_PROVIDERS, built from the
environment): one whose client id is not set is not offered anywhere. A new reader coming from a
provider fills in the social sign-up form (accounts.forms.SocialSignUpForm: username, display
name and country, under the same name rules as the site's sign-up). An address the provider states
as verified counts as verified; the user row follows (User.email_verified, as for a link followed).

The apps sign in with the token their provider's native SDK gives them (an OpenID Connect
id_token, verified against the provider's published keys): ``social_login_from_token``. A new
identity gets a signed, short-lived sign-up token (``signup_token``) that the app sends back with
the reader's choices, so the provider's token is checked once.
"""

import logging

import jwt
import requests
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, _build_apps_from_settings
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.internal.flows.connect import disconnect, validate_disconnect
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .email_addresses import MailLimited, ensure_within_mail_limits, pending_address, refresh_email_verified
from .models import User
from .two_factor import has_two_factor, start_pending_sign_in

logger = logging.getLogger(__name__)

# How providers are named to readers (allauth's own names are "Line" and "OpenID Connect").
PROVIDER_NAMES = {"line": "LINE", "google": "Google", "apple": "Apple"}

SIGNUP_TOKEN_SALT = "accounts.social.signup"  # noqa: S105 - a signing salt, not a secret
SIGNUP_TOKEN_SECONDS = 15 * 60

INVALID_TOKEN = _("The provider's token is not valid (expired, for another app, or not signed by the provider).")
UNKNOWN_PROVIDER = _("Signing in with this provider is not switched on here.")
NO_TOKEN_SIGN_IN = _("This provider's tokens cannot be checked here: sign in through the web page.")
INVALID_SIGNUP_TOKEN = _("The sign-up token is invalid or has expired: sign in with the provider again.")


class UnknownProvider(Exception):
    """No provider is switched on under this id."""


class InvalidProviderToken(Exception):
    """A provider's token (or a sign-up token) that does not prove who the reader is."""


class ForumSocialAccountAdapter(DefaultSocialAccountAdapter):
    error_messages = {
        **DefaultSocialAccountAdapter.error_messages,
        # The last way to sign in: said when a reader without a password unlinks their only provider.
        "no_password": _(
            "This is your last way to sign in, so it cannot be removed. Link another provider first, or set a "
            "password with “Forgot your password?” on the sign-in page."
        ),
        "no_verified_email": _(
            "This is your last way to sign in with a verified address behind it: verify your e-mail address "
            "first, so that you can always reset your password."
        ),
        "email_taken": _(
            "An account already uses this e-mail address. Sign in to it first, then link your %s account from "
            "your profile."
        ),
        "invalid_token": INVALID_TOKEN,
    }

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """A provider stands for the password, not for the code: an account with two-factor goes on to
        the sign-in's code step (accounts.views.sign_in_code) before it is signed in, as after its
        password. (allauth.mfa's own step needs allauth's sign-in pages, which the site does not use.)"""
        super().pre_social_login(request, sociallogin)
        if sociallogin.is_existing and sociallogin.state.get("process") != AuthProcess.CONNECT:
            user = sociallogin.user
            if has_two_factor(user):
                start_pending_sign_in(request, user=user)
                raise ImmediateHttpResponse(redirect("sign_in_code"))

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict) -> User:
        user = super().populate_user(request, sociallogin, data)
        # allauth puts the provider's full name in first_name/last_name; the forum has a display name.
        if not user.display_name and data.get("name"):
            user.display_name = str(data["name"])[:60]
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form=None) -> User:
        user = super().save_user(request, sociallogin, form=form)
        refresh_email_verified(user=user)
        if not user.email_verified and user.email:
            # User.email holds a verified address only; the unverified one waits in EmailAddress.
            user.email = ""
            user.save(update_fields=["email"])
        return user

    def list_apps(self, request: HttpRequest, provider=None, client_id=None) -> list[SocialApp]:
        """The apps in settings only (SOCIALACCOUNT_PROVIDERS, from the environment): no query on
        every sign-in page for SocialApp rows the forum never uses."""
        by_provider = _build_apps_from_settings(provider=provider, client_id=client_id)
        return [app for apps in by_provider.values() for app in apps]

    def list_providers(self, request: HttpRequest) -> list:
        providers = super().list_providers(request)
        for provider in providers:
            provider.name = PROVIDER_NAMES.get(provider.id, provider.name)
        return providers


def enabled_providers(request: HttpRequest) -> list:
    """The providers switched on (a client id in settings), for the sign-in page and the profile."""
    return get_social_adapter(request).list_providers(request)


def linked_accounts(*, user: User) -> list[SocialAccount]:
    return list(SocialAccount.objects.filter(user=user).order_by("pk"))


def provider_for(request: HttpRequest, provider_id: str):
    """The provider switched on under this id ("line", "yahoo-japan", "google", "apple"), or None."""
    try:
        return get_social_adapter(request).get_provider(request, provider_id)
    except (SocialApp.DoesNotExist, SocialApp.MultipleObjectsReturned, LookupError):
        return None


def social_login_from_token(request: HttpRequest, *, provider_id: str, id_token: str) -> SocialLogin:
    """Check a provider's id_token (its signature against the provider's published keys, its
    issuer, audience and expiry) and return the sign-in it stands for, looked up: ``is_existing``
    when an account is linked to the identity. Raises UnknownProvider, InvalidProviderToken."""
    provider = provider_for(request, provider_id)
    if provider is None:
        raise UnknownProvider(UNKNOWN_PROVIDER)
    if not provider.supports_token_authentication:
        raise UnknownProvider(NO_TOKEN_SIGN_IN)
    try:
        # allauth reads the key id from the header unguarded: a token without one is refused here.
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        header = {}
    if not isinstance(header.get("kid"), str) or not isinstance(header.get("alg"), str):
        raise InvalidProviderToken(INVALID_TOKEN)
    try:
        login = provider.verify_token(request, {"id_token": id_token})
    except (ValidationError, OAuth2Error, requests.RequestException, KeyError, ValueError) as error:
        logger.info("Social token for %s refused: %s", provider_id, error)
        raise InvalidProviderToken(INVALID_TOKEN) from error
    login.state["process"] = AuthProcess.LOGIN
    login.lookup()
    return login


def signup_token(login: SocialLogin) -> str:
    """A signed token holding a checked identity not yet linked to an account: the app sends it
    back with the reader's choices (username, country) within SIGNUP_TOKEN_SECONDS."""
    return signing.dumps(login.serialize(), salt=SIGNUP_TOKEN_SALT, compress=True)


def social_login_from_signup_token(token: str) -> SocialLogin:
    """The identity a sign-up token holds, looked up again (it may have been linked meanwhile).
    Raises InvalidProviderToken."""
    try:
        data = signing.loads(token, salt=SIGNUP_TOKEN_SALT, max_age=SIGNUP_TOKEN_SECONDS)
        login = SocialLogin.deserialize(data)
    except (signing.BadSignature, ValueError, KeyError, TypeError) as error:
        raise InvalidProviderToken(INVALID_SIGNUP_TOKEN) from error
    login.lookup()
    return login


def send_pending_verification(request: HttpRequest, *, user: User) -> None:
    """After a sign-up from an app: the link for an address the provider did not verify (the web
    sign-up's mail is sent by allauth). Over the mail limits none goes out; the reader can re-send."""
    address = pending_address(user=user)
    if address is None:
        return
    try:
        ensure_within_mail_limits(request, email=address.email)
    except MailLimited:
        logger.warning("Verification link for new account %s not sent: over the account mail limits", user.pk)
        return
    address.send_confirmation(request, signup=True)


class LinkedElsewhere(Exception):
    """The provider's identity signs in to another account already."""


LINKED_ELSEWHERE = _("This identity is linked to another account: sign in to that one, or unlink it there first.")
LAST_WAY_IN = "last_sign_in_method"


def link_provider(request: HttpRequest, *, user: User, login: SocialLogin) -> SocialAccount:
    """Link the identity of a checked sign-in (social_login_from_token) to ``user``; linking it
    again is no change. Raises LinkedElsewhere."""
    if login.is_existing:
        if login.user.pk != user.pk:
            raise LinkedElsewhere(LINKED_ELSEWHERE)
        return SocialAccount.objects.get(user=user, provider=login.account.provider, uid=login.account.uid)
    login.connect(request, user)
    return login.account


def unlink_provider(request: HttpRequest, *, account: SocialAccount) -> None:
    """Remove a linked provider, unless it is the reader's last way to sign in (no usable password,
    or no verified address to reset one with): ValidationError with the reason (allauth's rule,
    the forum's words: ForumSocialAccountAdapter.error_messages)."""
    validate_disconnect(request, account)
    disconnect(request, account)
