"""Writes for reader accounts that are more than a form's save."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from .models import AccountDeletion, User


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
