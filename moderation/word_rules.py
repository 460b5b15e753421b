"""Changes to the word lists, as moderators make them: each is audited, and every process
recompiles its lists (moderation.words) once the change commits."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User

from . import audit, words
from .models import AuditEntry, WordRule


def _clean(rule: WordRule) -> None:
    rule.phrase = (rule.phrase or "").strip()
    if words.compile_rule(phrase=rule.phrase, list=rule.list) is None:
        raise ValidationError(_("Write the phrase to match."), code="blank")


def _details(rule: WordRule) -> dict:
    return {"phrase": rule.phrase, "list": rule.list, "note": rule.note}


@transaction.atomic
def save_word_rule(*, moderator: User, rule: WordRule) -> WordRule:
    """Add a rule (no pk yet) or change one; audited as WORD_ADDED or WORD_CHANGED."""
    _clean(rule)
    adding = rule.pk is None
    if adding:
        rule.added_by = moderator
        before = None
    else:
        before = _details(WordRule.objects.get(pk=rule.pk))
    rule.save()
    audit.record(
        actor=moderator,
        action=AuditEntry.Action.WORD_ADDED if adding else AuditEntry.Action.WORD_CHANGED,
        targets=[rule],
        details={"after": _details(rule), "before": before},
    )
    transaction.on_commit(words.rules_changed)
    return rule


@transaction.atomic
def remove_word_rules(*, moderator: User, rules: list[WordRule]) -> int:
    """Remove rules; each removal is audited (with the phrase, since the rule is gone after)."""
    rules = list(rules)
    for rule in rules:
        audit.record(actor=moderator, action=AuditEntry.Action.WORD_REMOVED, targets=[rule], details=_details(rule))
    WordRule.objects.filter(pk__in=[rule.pk for rule in rules]).delete()
    transaction.on_commit(words.rules_changed)
    return len(rules)
