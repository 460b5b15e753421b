"""Matching comments against the word lists (moderation.WordRule).

Text and phrases are folded the same way: NFKC (full-width Latin becomes ASCII, half-width
katakana becomes full-width, compatibility forms their plain letters), then casefold, then NFKC
again (casefolding can leave text that NFKC changes). A phrase written in a CJK script matches as
a substring, because Japanese and Chinese put no spaces between words: 馬鹿 must match in
「お前は馬鹿だ」. Any other phrase matches as whole words only: "ass" does not match "classic".

The compiled lists are kept in each process and rebuilt when the lists change: the rules'
version number sits in the shared "pages" cache and is bumped on every change, so posting costs
one cache read, not a database query.
"""

import threading
import time
import unicodedata
from dataclasses import dataclass

from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import WordRule

VERSION_KEY = "moderation:word-rules:version"


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _is_cjk(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(("CJK ", "HIRAGANA", "KATAKANA", "HANGUL", "IDEOGRAPHIC", "HALFWIDTH KATAKANA"))


def _is_word_char(char: str) -> bool:
    """A letter or digit that glues onto a Latin word: CJK characters do not (a Latin word
    written straight after Japanese, as in 「お前はidiotだ」, is still a word)."""
    return (char.isalnum() or char == "_") and not _is_cjk(char)


@dataclass(frozen=True)
class CompiledRule:
    folded: str
    substring: bool  # CJK: match anywhere; otherwise whole words only
    list: str
    note: str

    def matches(self, folded_text: str) -> bool:
        start = folded_text.find(self.folded)
        while start != -1:
            if self.substring:
                return True
            end = start + len(self.folded)
            before = folded_text[start - 1] if start else ""
            after = folded_text[end] if end < len(folded_text) else ""
            if not (before and _is_word_char(before)) and not (after and _is_word_char(after)):
                return True
            start = folded_text.find(self.folded, start + 1)
        return False


def compile_rule(*, phrase: str, list: str, note: str = "") -> CompiledRule | None:
    folded = fold(phrase).strip()
    if not folded:
        return None
    return CompiledRule(folded=folded, substring=any(_is_cjk(c) for c in folded), list=list, note=note)


_local = threading.local()


def _version() -> int:
    cache = caches["pages"]
    version = cache.get(VERSION_KEY)
    if version is None:
        # Missing (evicted, or the cache restarted): restart from the clock, above any number
        # a process may still hold.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY) or 0
    return version


def rules_changed() -> None:
    """Every process recompiles the lists before its next match (called on each change)."""
    cache = caches["pages"]
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    _local.__dict__.clear()


def compiled_rules() -> list[CompiledRule]:
    version = _version()
    if getattr(_local, "version", None) != version:
        rows = WordRule.objects.values_list("phrase", "list", "note")
        _local.rules = [
            rule
            for phrase, list_, note in rows
            if (rule := compile_rule(phrase=phrase, list=list_, note=note)) is not None
        ]
        _local.version = version
    return _local.rules


def matching_rules(text: str) -> list[CompiledRule]:
    folded = fold(text)
    return [rule for rule in compiled_rules() if rule.matches(folded)]


def screen_comment(text: str) -> bool:
    """A comment screen (settings.FORUM_COMMENT_SCREENS): refuse a text with a banned phrase,
    naming the rule (its note, or the list) but not the phrase; True for one with a suspect
    phrase, which is then posted pending a moderator's decision."""
    matches = matching_rules(text)
    banned = [rule for rule in matches if rule.list == WordRule.List.BANNED]
    if banned:
        rule = banned[0]
        raise ValidationError(
            _("This comment cannot be posted: it breaks the rule “%(rule)s”.")
            % {"rule": rule.note or WordRule.List.BANNED.label},
            code="banned_word",
        )
    return bool(matches)
