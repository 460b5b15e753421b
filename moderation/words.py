"""Matching comments and names against the word lists (moderation.WordRule).

Text and phrases are folded the same way (accounts.folding.fold: NFKC, casefold, invisible
characters dropped, look-alike letters from other scripts read as Latin, katakana as hiragana,
breaks inside CJK words closed up). Then:

- a phrase written in a CJK script matches as a substring, because Japanese and Chinese put no
  spaces between words: 馬鹿 must match in 「お前は馬鹿だ」;
- any other phrase matches as whole words, its last word with a common English ending: "idiot"
  matches "idiots" and "idiot's", not "idiotic"; "ass" does not match "classic". Words of a phrase
  match across any run of white space;
- a match lying inside an allowed phrase does not count (ばかり, with バカ listed).

The compiled lists are kept in each process and rebuilt when the lists change: the rules'
version number is a shared version (forum.caching.named_version) bumped on every change, so
posting costs one cache read, not a database query.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.folding import CJK_LETTERS, fold
from forum import caching

from .models import WordRule

VERSION_NAME = "moderation:word-rules"

_CJK = re.compile(f"[{CJK_LETTERS}]")
# Inflections a listed English word is still itself with. Not -ic, -y or -ish: "cocky" and
# "idiotic" may be listed on their own, and the list stays short so short words stay safe.
_ENDINGS = ("s", "es", "'s", "\u2019s", "ed", "d", "ing", "er", "ers")
_CONSONANT_Y = re.compile(r"[^aeiou]y\Z")


class FoldedText:
    """A folded text, and (made when first needed) its "Latin view": the same text with every CJK
    letter turned into a space, so that a Latin word written straight after Japanese, as in
    「お前はidiotだ」, is still a whole word to the patterns' plain \\w boundaries. (A boundary
    class that leaves CJK out costs milliseconds to compile per phrase; this costs one pass.)"""

    def __init__(self, folded: str) -> None:
        self.folded = folded
        self._latin: str | None = None

    @property
    def latin(self) -> str:
        if self._latin is None:
            self._latin = self.folded if self.folded.isascii() else _CJK.sub(" ", self.folded)
        return self._latin


def _latin_pattern(folded: str) -> tuple[re.Pattern, str]:
    """The whole-word pattern for a Latin phrase with its endings, and a plain substring every
    match contains (checked first: most texts contain none of the phrases)."""
    words = folded.split()
    last = words[-1]
    stems = [re.escape(last) + f"(?:{'|'.join(map(re.escape, _ENDINGS))})?"]
    needle = last
    if _CONSONANT_Y.search(last):  # dummy → dummies, dummied
        stems.append(re.escape(last[:-1]) + "(?:ies|ied)")
        needle = last[:-1]
    elif last.endswith("e") and len(last) > 2:  # hate → hating
        stems.append(re.escape(last[:-1]) + "ing")
        needle = last[:-1]
    body = r"\s+".join([*map(re.escape, words[:-1]), f"(?:{'|'.join(stems)})"])
    return re.compile(rf"(?<!\w){body}(?!\w)"), (words[0] if len(words) > 1 else needle)


@dataclass(frozen=True)
class CompiledRule:
    folded: str
    substring: bool  # CJK: match anywhere; otherwise whole words with endings
    list: str
    note: str
    pattern: re.Pattern | None = field(default=None, compare=False)
    needle: str = ""

    def spans(self, text: FoldedText) -> list[tuple[int, int]]:
        """Where the phrase occurs in the folded text."""
        if self.needle not in text.folded:
            return []
        if self.substring:
            found, start = [], text.folded.find(self.folded)
            while start != -1:
                found.append((start, start + len(self.folded)))
                start = text.folded.find(self.folded, start + 1)
            return found
        return [match.span() for match in self.pattern.finditer(text.latin)]

    def matches(self, text: FoldedText | str, allowed: list[tuple[int, int]] = ()) -> bool:
        """The phrase occurs in the (folded) text somewhere outside the ``allowed`` spans."""
        text = text if isinstance(text, FoldedText) else FoldedText(text)
        return any(
            not any(start >= a_start and end <= a_end for a_start, a_end in allowed) for start, end in self.spans(text)
        )


def compile_rule(*, phrase: str, list: str, note: str = "") -> CompiledRule | None:
    folded = " ".join(fold(phrase).split())
    if not folded:
        return None
    if _CJK.search(folded):
        return CompiledRule(folded=folded, substring=True, list=list, note=note, needle=folded)
    pattern, needle = _latin_pattern(folded)
    return CompiledRule(folded=folded, substring=False, list=list, note=note, pattern=pattern, needle=needle)


_local = threading.local()


def rules_changed() -> None:
    """Every process recompiles the lists before its next match (called on each change)."""
    caching.bump_named_version(VERSION_NAME)
    _local.__dict__.clear()


def compiled_rules() -> list[CompiledRule]:
    """Every rule, compiled (the phrases folded once per change of the lists, not per comment)."""
    version = caching.named_version(VERSION_NAME)
    if getattr(_local, "version", None) != version:
        rows = WordRule.objects.values_list("phrase", "list", "note")
        _local.rules = [
            rule
            for phrase, list_, note in rows
            if (rule := compile_rule(phrase=phrase, list=list_, note=note)) is not None
        ]
        _local.version = version
    return _local.rules


def rules_matching(folded_text: str, rules: list[CompiledRule]) -> list[CompiledRule]:
    """The banned and suspect ``rules`` the folded text matches, outside the allowed phrases."""
    # One cheap substring test per rule first: a text contains few of the phrases, if any.
    candidates = [rule for rule in rules if rule.needle in folded_text]
    if not candidates:
        return []
    text = FoldedText(folded_text)
    allowed = [span for rule in candidates if rule.list == WordRule.List.ALLOWED for span in rule.spans(text)]
    return [rule for rule in candidates if rule.list != WordRule.List.ALLOWED and rule.matches(text, allowed)]


def matching_rules(text: str) -> list[CompiledRule]:
    """The banned and suspect rules on the lists that the text matches."""
    return rules_matching(fold(text), compiled_rules())


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


_CAMEL_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NAME_JOINERS = re.compile(r"[\d_.@+\-]+")


def screen_name(name: str) -> None:
    """A name screen (settings.FORUM_NAME_SCREENS): refuse a username or display name with a
    banned phrase, naming the rule. Names are read as words split at humps and joiners
    ("TheIdiot", "idiot_42" hold "idiot"). A suspect phrase passes: a name cannot wait for a
    moderator, and suspect means a person should look, not that it is wrong."""
    words = _NAME_JOINERS.sub(" ", _CAMEL_HUMP.sub(" ", unicodedata.normalize("NFKC", name)))
    banned = [rule for rule in matching_rules(words) if rule.list == WordRule.List.BANNED]
    if banned:
        raise ValidationError(
            _("This name cannot be used: it breaks the rule “%(rule)s”.")
            % {"rule": banned[0].note or WordRule.List.BANNED.label},
            code="banned_word",
        )
