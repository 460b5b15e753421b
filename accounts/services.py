"""Writes and rules for readers' accounts. Views, API views and the admin call these."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.authtoken.models import Token

from .models import AccountDeletion, User


def revoke_api_tokens(*, user: User) -> int:
    """Sign the reader out of every app: their token stops working at once. Returns how many."""
    deleted, _by_model = Token.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def change_password(*, user: User, password: str | None) -> None:
    """Set a new password (None: no password sign-in at all) and revoke the reader's API tokens:
    whoever knew the old password may have signed an app in with it.

    Sessions elsewhere end by themselves (a session carries a hash of the password it signed in
    with); a view keeping the reader's own session calls update_session_auth_hash afterwards.
    """
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    revoke_api_tokens(user=user)


@transaction.atomic
def deactivate_user(*, user: User) -> None:
    """Close the account: no sign-in (sessions and tokens refuse an inactive reader) and no
    token left to work again should it be reactivated. Idempotent."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    revoke_api_tokens(user=user)


def taking_part_refusal(*, user: User) -> str | None:
    """Why a new account may not vote or comment yet, saying when it may; None when it may.

    Accounts minted in bulk could otherwise vote the moment they exist; the wait makes each
    one cost time as well as a sign-up. Staff are exempt.
    """
    wait = timedelta(seconds=settings.NEW_ACCOUNT_WAIT_SECONDS)
    if not wait or user.is_staff:
        return None
    allowed_from = user.date_joined + wait
    now = timezone.now()
    if now >= allowed_from:
        return None
    minutes = max(1, round((allowed_from - now).total_seconds() / 60))
    return ngettext(
        "New accounts can vote and comment a little while after signing up: you can from %(when)s "
        "(in %(minutes)d minute).",
        "New accounts can vote and comment a little while after signing up: you can from %(when)s "
        "(in %(minutes)d minutes).",
        minutes,
    ) % {"when": formats.time_format(timezone.localtime(allowed_from), "H:i T"), "minutes": minutes}


def ensure_country_change_allowed(*, user: User, country: str, for_update: bool = False) -> bool:
    """A reader's country (their section and voting region) changes at most once per
    COUNTRY_CHANGE_DAYS, so a reader cannot hop between the Japan and world counts. The
    country chosen at sign-up is not a change. Returns whether ``country`` is a change; raises
    ValidationError saying when a change is possible again."""
    rows = User.objects.filter(pk=user.pk)
    if for_update:
        rows = rows.select_for_update()
    stored = rows.values_list("country", "country_changed_at").first()
    if stored is None or (stored[0] or "") == (country or ""):
        return False
    changed_at = stored[1]
    if changed_at is None:
        return True
    allowed_from = changed_at + timedelta(days=settings.COUNTRY_CHANGE_DAYS)
    if timezone.now() < allowed_from:
        raise ValidationError(
            _("You can change your country once every %(days)d days; the next change is possible on %(date)s.")
            % {
                "days": settings.COUNTRY_CHANGE_DAYS,
                "date": formats.date_format(timezone.localtime(allowed_from), "DATE_FORMAT"),
            },
            code="country_change_too_soon",
        )
    return True


@transaction.atomic
def update_profile(*, user: User, display_name: str, country: str) -> User:
    """Change the reader's display name and country. Comments already posted keep their section;
    the new country applies to later comments and votes. Raises ValidationError (see
    ensure_country_change_allowed); the row lock makes two changes at once count as two."""
    changes_country = ensure_country_change_allowed(user=user, country=country, for_update=True)
    user.display_name = display_name
    user.country = country
    fields = ["display_name", "country"]
    if changes_country:
        user.country_changed_at = timezone.now()
        fields.append("country_changed_at")
    user.save(update_fields=fields)
    return user


class WrongPassword(PermissionDenied):
    """The password given to confirm a deletion is not the reader's."""


def delete_account(*, user: User, password: str, via: str) -> None:
    """Erase the reader: their account, comments, votes and token go in one transaction.

    The comments go too (not kept under "a deleted reader"): a comment's words are the reader's
    personal data, and the comments here stand alone (no replies hang from them), so removing
    them leaves no thread broken. Other readers' votes on those comments go with them.

    The vote rows are deleted by the cascade; the database records which comments lost votes
    (votes.models.DeletedVote) and the next reconciliation counts them out, so no other app is
    called from here. The token cascades; sessions elsewhere end because their user is gone
    (the caller signs the current one out). The only trace left is an AccountDeletion row that
    says when and from where, not whose.
    """
    if not user.check_password(password):
        raise WrongPassword(_("The password is not right; your account is not deleted."))
    with transaction.atomic():
        user.delete()
        AccountDeletion.objects.create(via=via)
