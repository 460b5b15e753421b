"""Writes for readers' accounts. Views, API views and the admin call these."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from .models import User


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
