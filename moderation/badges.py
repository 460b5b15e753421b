"""Badges (エキスパート / Expert, 記者 / Journalist, or a custom title): staff offer, change and remove
them in the admin, through accounts' services, audited here in the same transaction (accounts
imports no other app, so the audit is written on this side). The reader accepts a badge on their
profile (accounts.services.accept_badge): only then are their comments signed with it."""

from django.db import transaction

from accounts import services as accounts
from accounts.models import Badge, User

from . import audit
from .models import AuditEntry

Action = AuditEntry.Action


def _shown(badge: Badge) -> dict:
    return {"kind": badge.kind, "title": badge.title, "description": badge.description}


@transaction.atomic
def give_badge(*, editor: User, reader: User, kind: str, description: str, title: str = "", via: str) -> Badge:
    """Offer ``reader`` a badge, or change the one they have (see accounts.services.offer_badge),
    and audit it. Raises ValidationError."""
    before = Badge.objects.select_for_update().filter(user=reader).first()
    badge, created = accounts.offer_badge(user=reader, kind=kind, title=title, description=description, given_by=editor)
    if created:
        audit.record(
            actor=editor, action=Action.BADGE_OFFERED, targets=[reader], reason_code=via, details=_shown(badge)
        )
    elif before is not None and _shown(before) != _shown(badge):
        audit.record(
            actor=editor,
            action=Action.BADGE_CHANGED,
            targets=[reader],
            reason_code=via,
            details={"before": _shown(before), **_shown(badge)},
        )
    return badge


@transaction.atomic
def remove_badges(*, editor: User, badges: list[Badge], via: str) -> int:
    """Take the badges away; each is audited on its reader with what it said and whether the
    reader had accepted it. Returns how many were removed."""
    removed = 0
    for badge in badges:
        if accounts.remove_badge(badge=badge):
            removed += 1
            audit.record(
                actor=editor,
                action=Action.BADGE_REMOVED,
                targets=[badge.user],
                reason_code=via,
                details={**_shown(badge), "accepted": badge.is_active},
            )
    return removed
