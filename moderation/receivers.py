"""The moderation app's ears: actions taken in forum's admin are audited here, since forum does
not import moderation (forum.signals.moderated)."""

from django.dispatch import receiver

from forum.signals import moderated

from .audit import record


@receiver(moderated, dispatch_uid="moderation.audit_forum_action")
def audit_forum_action(sender, *, actor, action: str, targets, reason: str = "", **kwargs) -> None:
    record(actor=actor, action=action, targets=targets, reason=reason)
