"""Readers' e-mail addresses: the one given at sign-up, a change, a re-sent link, a password reset.

django-allauth keeps the addresses (allauth.account.models.EmailAddress) and makes and checks the
links; this module holds the forum's rules around them: a reader has one address, a new one takes
effect only once verified (ACCOUNT_CHANGE_EMAIL), the verified state is copied onto the user row
(User.email_verified, which accounts.selectors.has_verified_email reads), and every mail asked for
counts toward the account-mail limits (RATE_LIMITS account_mail_*: per client address, per reader
and per e-mail address).
"""

import logging

from allauth.account import app_settings as allauth_settings
from allauth.account.forms import AddEmailForm, ResetPasswordForm, ResetPasswordKeyForm
from allauth.account.models import EmailAddress
from allauth.account.utils import url_str_to_user_pk
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from infra.rate_limits import ACCOUNT_MAIL, check

from .email_domains import email_domain, ensure_email_domain_accepted
from .models import User

logger = logging.getLogger(__name__)

INVALID_RESET_LINK = _("This password reset link is invalid or has expired, or it was used already. Ask for a new one.")


class MailLimited(Exception):
    """Too many account mails asked for; ``wait_seconds`` until another may be."""

    def __init__(self, wait_seconds: int) -> None:
        super().__init__(wait_seconds)
        self.wait_seconds = wait_seconds


def ensure_within_mail_limits(request: HttpRequest, *, email: str) -> None:
    """Count a mail asked for to ``email``; raises MailLimited when a limit is reached."""
    wait = check(request, ACCOUNT_MAIL, email=email)
    if wait is not None:
        raise MailLimited(wait)


def refresh_email_verified(*, user: User) -> None:
    """Copy the address's state onto the user row (email_verified, email: the verified one, and
    email_domain: its domain, which moderators may see)."""
    verified = EmailAddress.objects.filter(user=user, verified=True).order_by("-primary", "pk").first()
    user.email_verified = verified is not None
    user.email_domain = email_domain(verified.email) if verified is not None else ""
    fields = ["email_verified", "email_domain"]
    if verified is not None and user.email != verified.email:
        user.email = verified.email
        fields.append("email")
    user.save(update_fields=fields)  # also forgets the API's cached users (accounts.signals)


def pending_address(*, user: User) -> EmailAddress | None:
    """The address waiting for the reader to follow its link, if any."""
    return EmailAddress.objects.filter(user=user, verified=False).order_by("-pk").first()


def current_address(*, user: User) -> EmailAddress | None:
    """The reader's address in effect (verified), if any."""
    return EmailAddress.objects.filter(user=user, verified=True).order_by("-primary", "pk").first()


def add_sign_up_address(request: HttpRequest, *, user: User, email: str) -> None:
    """The address given at sign-up, unverified, and its verification link. Over the mail limits
    no link goes out (the reader can ask again later); the account is made all the same.

    An address that another account has verified is taken here too, without saying so (nobody
    learns from the sign-up form whose address it is): its link cannot verify it."""
    address = EmailAddress.objects.create(user=user, email=email.lower(), primary=True, verified=False)
    try:
        ensure_within_mail_limits(request, email=address.email)
    except MailLimited:
        logger.warning("Verification link for new account %s not sent: over the account mail limits", user.pk)
        return
    address.send_confirmation(request, signup=True)


def resend_verification(request: HttpRequest, *, user: User) -> EmailAddress | None:
    """Send the link for the address waiting for verification again; None when none waits.
    Raises MailLimited."""
    address = pending_address(user=user)
    if address is None:
        return None
    ensure_within_mail_limits(request, email=address.email)
    address.send_confirmation(request)
    return address


def change_email(request: HttpRequest, *, user: User, email: str) -> EmailAddress:
    """Ask for a new address: it is verified before it replaces the current one (which stays in
    effect until then). Raises ValidationError (not an address, already the reader's, or at a
    disposable domain: code "disposable_email") or MailLimited."""
    form = AddEmailForm(user=user, data={"email": email})
    if not form.is_valid():
        raise ValidationError(form.errors["email"], code="invalid")
    ensure_email_domain_accepted(form.cleaned_data["email"])
    ensure_within_mail_limits(request, email=form.cleaned_data["email"])
    address = EmailAddress.objects.add_new_email(request, user, form.cleaned_data["email"], send_verification=False)
    address.send_confirmation(request)
    return address


def request_password_reset(request: HttpRequest, *, email: str) -> None:
    """Mail a reset link to the accounts with this address, or, if there are none, a note saying
    so to the address itself: the answer is the same either way. Raises ValidationError for
    something that is not an address, MailLimited."""
    form = ResetPasswordForm(data={"email": email})
    if not form.is_valid():
        raise ValidationError(form.errors["email"], code="invalid")
    ensure_within_mail_limits(request, email=form.cleaned_data["email"])
    form.save(request)


def reader_for_reset_key(key: str) -> User | None:
    """The reader a reset key (the link's last part, "<uidb36>-<token>") is for, if it is valid:
    not expired (PASSWORD_RESET_TIMEOUT) and not used (the token covers the password)."""
    uidb36, _sep, token = key.partition("-")
    try:
        pk = url_str_to_user_pk(uidb36)
    except (ValueError, TypeError, OverflowError, ValidationError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR().check_token(user, token):
        return None
    return user


def reset_password(*, key: str, password: str) -> User:
    """Set a new password from a reset key. The reader's sessions and API tokens end (see
    accounts.mail.ForumAccountAdapter.set_password). Raises ValidationError: an invalid key under
    "key", a weak password under "password"."""
    user = reader_for_reset_key(key)
    if user is None:
        raise ValidationError({"key": [INVALID_RESET_LINK]})
    form = ResetPasswordKeyForm(user=user, data={"password1": password, "password2": password})
    if not form.is_valid():
        raise ValidationError({"password": [m for messages in form.errors.values() for m in messages]})
    form.save()
    return user
