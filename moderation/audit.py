"""The audit trail: every moderation decision and every change staff make to a comment, an
article or a reader's account is recorded here, in the same transaction as the change, and in
Django's LogEntry so the object's History in the admin shows it too.

Nothing language-bound is stored: an entry keeps its action, a reason code with parameters and
details as codes, and this module words them in the language of whoever reads the trail.
"""

import json
from collections.abc import Iterable

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Badge, User
from forum.models import Article, Comment, Section

from .models import AuditEntry, Decision

# The key of the JSON change_message that marks a LogEntry written by record(): History shows
# it worded by log_message_text, in the reader's language.
LOG_KEY = "audit"


def record(
    *,
    actor: User | None,
    action: AuditEntry.Action,
    targets: Iterable[models.Model],
    reason_code: str = "",
    reason_params: dict | None = None,
    reason: str = "",
    details: dict | None = None,
) -> list[AuditEntry]:
    """Record one decision on each of ``targets``. ``actor`` None: the site acted by itself.
    ``reason_code`` (an AuditEntry.ReasonCode) with ``reason_params`` says why; ``reason`` is
    for words a moderator typed."""
    AuditEntry.Action(action)  # an unknown action is a programming error, not a new kind of entry
    if reason_code:
        AuditEntry.ReasonCode(reason_code)  # an unknown code is a programming error
    targets = list(targets)
    entries = AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=actor,
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            target_repr=str(target)[:200],
            reason_code=reason_code,
            reason_params=reason_params or {},
            reason=reason,
            details=details or {},
        )
        for target in targets
    )
    if actor is not None and targets:
        message = {"action": action, "reason_code": reason_code, "reason_params": reason_params or {}}
        message["reason"] = reason
        message["details"] = details or {}
        LogEntry.objects.log_actions(
            user_id=actor.pk,
            queryset=targets,
            action_flag=CHANGE,
            change_message=json.dumps([{LOG_KEY: message}]),
            single_object=len(targets) == 1,
        )
    return entries


# --- Wording an entry in the reader's language ------------------------------------------------


def reason_text(entry: AuditEntry) -> str:
    """Why, in the active language: the code worded, then any words a moderator typed."""
    return _reason_text(entry.reason_code, entry.reason_params, entry.reason)


def _reason_text(code: str, params: dict, typed: str) -> str:
    worded = ""
    if code == AuditEntry.ReasonCode.REPORTED:
        count = int(params.get("count", 0))
        worded = ngettext("Reported by %(count)d reader.", "Reported by %(count)d readers.", count) % {"count": count}
    elif code == AuditEntry.ReasonCode.TIMED:
        days = int(params.get("days", 0))
        worded = ngettext(
            "Closed by itself %(days)d day after publication.",
            "Closed by itself %(days)d days after publication.",
            days,
        ) % {"days": days}
    elif code == AuditEntry.ReasonCode.REJECT_REASON:
        value = params.get("reason", "")
        worded = str(Decision.RejectReason(value).label) if value in Decision.RejectReason.values else value
    elif code == AuditEntry.ReasonCode.ADMIN_ACTION:
        worded = _("By hand, with a bulk action in the admin.")
    elif code == AuditEntry.ReasonCode.ADMIN_FORM:
        worded = _("By hand, in the admin's change form.")
    elif code == AuditEntry.ReasonCode.ADMIN_LIST:
        worded = _("By hand, in the admin's editable list.")
    elif code == AuditEntry.ReasonCode.ADMIN_PASSWORD:
        worded = _("By hand, in the admin's set-password form.")
    return " ".join(part for part in (worded, typed) if part)


def _field_names(model: type[models.Model], names: list[str]) -> str:
    labels = []
    for name in names:
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            labels.append(name)
    return get_text_list(labels, _("and"))


def _status_label(value: str) -> str:
    return str(Comment.Status(value).label) if value in Comment.Status.values else value


def _section_label(value: str) -> str:
    return str(Section(value).label) if value in Section.values else value


def _badge_label(kind: str, title: str) -> str:
    if kind == Badge.Kind.CUSTOM or kind not in Badge.Kind.values:
        return title or kind
    return str(Badge.Kind(kind).label)


def what_text(entry: AuditEntry) -> str:
    """What was done, in the active language: the action, and what it touched where the action
    alone does not say (which section closed, which fields changed, from which status)."""
    return _what_text(entry.action, entry.details or {})


def _what_text(action: str, details: dict) -> str:
    label = str(AuditEntry.Action(action).label) if action in AuditEntry.Action.values else action
    Action = AuditEntry.Action  # noqa: N806 - the enum, named as everywhere else
    if action in (Action.CLOSE, Action.OPEN):
        return _("%(action)s: the whole discussion") % {"action": label}
    if action in (Action.CLOSE_SECTION, Action.OPEN_SECTION):
        return _("%(action)s: “%(section)s”") % {"action": label, "section": _section_label(details.get("section", ""))}
    if action == Action.MOVE and details.get("section"):
        return _("%(action)s: to “%(section)s”") % {"action": label, "section": _section_label(details["section"])}
    if action in (Action.PICK, Action.PICK_NOTE, Action.UNPICK) and details.get("note"):
        return _("%(action)s: “%(note)s”") % {"action": label, "note": details["note"]}
    if action in (Action.BADGE_OFFERED, Action.BADGE_CHANGED, Action.BADGE_REMOVED) and details.get("kind"):
        return _("%(action)s: %(badge)s (“%(description)s”)") % {
            "action": label,
            "badge": _badge_label(details["kind"], details.get("title", "")),
            "description": details.get("description", ""),
        }
    if "from_status" in details:
        return _("%(action)s (%(before)s → %(after)s)") % {
            "action": label,
            "before": _status_label(details["from_status"]),
            "after": _status_label(details.get("to_status", "")),
        }
    if details.get("fields"):
        model = User if action == Action.ACCOUNT_CHANGED else Article
        return _("%(action)s: %(fields)s") % {"action": label, "fields": _field_names(model, details["fields"])}
    return label


def log_message_text(change_message: str) -> str | None:
    """A LogEntry's message worded, when record() wrote it; None for any other message."""
    if not change_message.startswith("["):
        return None
    try:
        parsed = json.loads(change_message)
    except ValueError:
        return None
    if not (isinstance(parsed, list) and len(parsed) == 1 and isinstance(parsed[0], dict) and LOG_KEY in parsed[0]):
        return None
    message = parsed[0][LOG_KEY]
    what = _what_text(message.get("action", ""), message.get("details") or {})
    why = _reason_text(message.get("reason_code", ""), message.get("reason_params") or {}, message.get("reason", ""))
    return capfirst(f"{what}: {why}" if why else what)
