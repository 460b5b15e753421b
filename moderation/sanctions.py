"""Sanctions on readers, as moderators impose and lift them: the account rules live in
accounts.services (which the vote and comment paths read); this adds the moderator's checks and
the audit record, in the same transaction."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as accounts
from accounts.models import Sanction, User

from . import audit
from .models import AuditEntry

# The periods offered for a suspension; any other end is a custom date.
SUSPENSION_DAYS = (1, 7, 30)


def _ensure_reader(*, moderator: User, reader: User) -> None:
    if reader.is_staff or reader.is_superuser:
        raise PermissionDenied(_("Staff accounts cannot be sanctioned."))
    if reader.pk == moderator.pk:
        raise PermissionDenied(_("You cannot sanction yourself."))


def _impose(
    *,
    moderator: User,
    reader: User,
    kind: str,
    reason: str,
    ends_at: datetime | None = None,
    reason_code: str = "",
    reason_params: dict | None = None,
) -> Sanction:
    _ensure_reader(moderator=moderator, reader=reader)
    with transaction.atomic():
        sanction = accounts.impose_sanction(
            user=reader, kind=kind, reason=reason, imposed_by=moderator, ends_at=ends_at
        )
        audit.record(
            actor=moderator,
            action=AuditEntry.Action.SANCTION,
            targets=[reader],
            # A reason the site chose (a rejection's) is kept as its code; one typed, as typed.
            reason_code=reason_code,
            reason_params=reason_params,
            reason="" if reason_code else sanction.reason,
            details={
                "sanction": sanction.pk,
                "kind": kind,
                "ends_at": ends_at.isoformat() if ends_at else None,
            },
        )
    return sanction


def suspend_reader(
    *,
    moderator: User,
    reader: User,
    days: int | None = None,
    until: datetime | None = None,
    reason: str,
    reason_code: str = "",
    reason_params: dict | None = None,
) -> Sanction:
    """Suspend the reader for ``days`` days from now, or until ``until`` (exactly one of them).
    They cannot vote or comment meanwhile. Raises ValidationError or PermissionDenied.
    ``reason_code`` and ``reason_params``: the audit's why, when the site worded ``reason``."""
    if (days is None) == (until is None):
        raise ValidationError(_("Give either a number of days or an end date."), code="period")
    if days is not None:
        if days < 1:
            raise ValidationError(_("A suspension lasts at least one day."), code="period")
        until = timezone.now() + timedelta(days=days)
    return _impose(
        moderator=moderator,
        reader=reader,
        kind=Sanction.Kind.SUSPEND,
        reason=reason,
        ends_at=until,
        reason_code=reason_code,
        reason_params=reason_params,
    )


def ban_reader(*, moderator: User, reader: User, reason: str) -> Sanction:
    """Ban the reader until a moderator lifts it: no more votes or comments."""
    return _impose(moderator=moderator, reader=reader, kind=Sanction.Kind.BAN, reason=reason)


def premoderate_reader(*, moderator: User, reader: User, reason: str) -> Sanction:
    """The reader's new comments wait in the moderation queue until a moderator approves them."""
    return _impose(moderator=moderator, reader=reader, kind=Sanction.Kind.PREMODERATE, reason=reason)


def lift_sanction(*, moderator: User, sanction: Sanction, reason: str) -> bool:
    """End the sanction now. Returns False (and records nothing) when it was already lifted."""
    _ensure_reader(moderator=moderator, reader=sanction.user)
    with transaction.atomic():
        lifted = accounts.lift_sanction(sanction=sanction, lifted_by=moderator, reason=reason)
        if lifted:
            audit.record(
                actor=moderator,
                action=AuditEntry.Action.LIFT_SANCTION,
                targets=[sanction.user],
                reason=sanction.lift_reason,
                details={"sanction": sanction.pk, "kind": sanction.kind},
            )
    return lifted
