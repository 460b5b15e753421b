"""The audit trail: every moderation decision is recorded here, in the same transaction as the
decision, and in Django's LogEntry so the object's History in the admin shows it too."""

from collections.abc import Iterable

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models

from accounts.models import User

from .models import AuditEntry


def record(
    *,
    actor: User | None,
    action: str,
    targets: Iterable[models.Model],
    reason: str = "",
    details: dict | None = None,
) -> list[AuditEntry]:
    """Record one decision on each of ``targets``. ``actor`` None: the site acted by itself."""
    targets = list(targets)
    entries = AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=actor,
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            target_repr=str(target)[:200],
            reason=reason,
            details=details or {},
        )
        for target in targets
    )
    if actor is not None and targets:
        label = AuditEntry.Action(action).label
        message = f"{label}: {reason}" if reason else str(label)
        LogEntry.objects.log_actions(
            user_id=actor.pk,
            queryset=targets,
            action_flag=CHANGE,
            change_message=message,
            single_object=len(targets) == 1,
        )
    return entries
