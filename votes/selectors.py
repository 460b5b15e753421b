"""Reads for votes."""

from collections.abc import Iterable

from accounts.models import User

from .models import Vote


def choices_of(*, user: User, comment_ids: Iterable[int]) -> dict[int, str]:
    """The reader's current choice per comment, for the comments on one page (one query)."""
    if not user.is_authenticated:
        return {}
    return dict(
        Vote.objects.filter(user=user, comment_id__in=list(comment_ids), choice__isnull=False).values_list(
            "comment_id", "choice"
        )
    )
