"""Folding text so that what reads the same matches the same: the word lists (moderation.words)
match comments and names in this form, and names are kept unique by their folded "skeleton".

``fold`` is built for text that people write to get past a filter:

- NFKC: full-width Latin is ASCII, half-width katakana full-width, ligatures letters;
- casefold ("ＩＤＩＯＴ", "İdiot", "STRASSE" → "idiot", "i̇diot", "strasse");
- Latin letters lose their accents (ï → i), and loose combining marks are dropped (Turkish İ's
  dot, "Zalgo" stacks), except the kana voicing marks;
- invisible and format characters are dropped (zero-width spaces and joiners, bidi marks, U+FEFF,
  tag characters, Hangul fillers, control characters other than white space);
- letters from other scripts that look like a Latin letter become that letter (Cyrillic "іdiot",
  Greek "ιdιοt"), using Unicode's confusables data through the ``confusable-homoglyphs`` library;
  Han, kana and Hangul are never folded to Latin;
- katakana becomes hiragana (``jaconv``), so バカ, ばか and ﾊﾞｶ are one word;
- between two CJK letters, spaces, middle dots, dashes and decoration (★, ○) are dropped, and
  long-vowel marks after any: 馬 鹿, 馬・鹿, バーカ → 馬鹿, 馬鹿, ばか. Sentence punctuation (、。！？「」) is kept:
  Japanese words meet across it all the time (…えば、かつて must not read ばか).

It is only ever compared, never shown. Everything is compiled once per process.
"""

import re
import unicodedata
from functools import cache

import jaconv
from confusable_homoglyphs.categories import alias
from confusable_homoglyphs.confusables import confusables_data

from .text import _BLANK_LOOKING

# Scripts whose letters are never folded to Latin, however alike they look (カ and 力, ロ and 口).
_NEVER_TO_LATIN = frozenset({"HAN", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO"})
# The kana voicing marks (゛゜ as combining characters): NFKC composes them back onto the kana.
_KANA_MARKS = frozenset("\u3099\u309a")
# The planes that hold every combining mark and format character (BMP, SMP, tags and selectors).
_PLANES = (range(0x0, 0x20000), range(0xE0000, 0xE1000))

# CJK letters (kana without the long-vowel mark and the middle dot, kanji, hangul, 々 and 〆).
CJK_LETTERS = (
    "\u3005\u3006\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fd-\u30ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7a3\U00020000-\U0003134f"
)
# What people put inside a CJK word to break it up. Not 、。，！？ or brackets (see above).
_CJK_BREAKERS = (
    r"\s\u30fb\u30fc\u00b7\u2010-\u2015\u2212\u301c\u3030\u3007\u25cb\u25cf\u25ef\u2606\u2605\u2661\u2665"
    r"\u25c6\u25c7\u25a1\u25a0\u203b\u00d7\u2026\u2025~\-_.*/\\|+=^'\"`#&%$@:;<>"
)
# The letter before is captured rather than looked behind at: the scan then starts only at CJK letters.
# Long-vowel marks and wave dashes go after any CJK letter, at a word's end too (バーカウンターで
# and the phrase バーカウンター must fold alike).
_BETWEEN_CJK = re.compile(f"([{CJK_LETTERS}])(?:[{_CJK_BREAKERS}]+(?=[{CJK_LETTERS}])|[\u30fc\u301c~]+)")
_WHITESPACE = re.compile(r"\s+")


def _latin_look_alike(char: str) -> str | None:
    """The ASCII letter (lower case) that ``char``, or its other case, is listed as confusable with."""
    for variant in (char, char.upper(), char.lower()):
        for glyph in confusables_data.get(variant, ()):
            target = glyph["c"]
            if len(target) == 1 and target.isascii() and target.isalpha():
                return target.lower()
    return None


def _without_accent(char: str) -> str | None:
    """The ASCII letter under an accented Latin letter (ï → i), if that is all it is."""
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return base if base != char and len(base) == 1 and base.isascii() and base.isalpha() else None


@cache
def _table() -> dict[int, str | None]:
    """One str.translate table for casefolded NFKC text: marks and invisibles deleted, controls
    to spaces, look-alikes and accented letters to plain Latin, katakana to hiragana."""
    table: dict[int, str | None] = {}
    for code in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        if base := _without_accent(chr(code)):
            table[code] = base.lower()
    for code in range(0x30A1, 0x3100):  # katakana, as jaconv writes it in hiragana
        if (hiragana := jaconv.kata2hira(chr(code))) != chr(code):
            table[code] = hiragana
    for char in confusables_data:
        if len(char) != 1 or char.isascii() or alias(char) in _NEVER_TO_LATIN:
            continue
        target = _latin_look_alike(char)
        key = char.casefold()
        # The text is casefolded first; a lower-case entry of its own wins over its capital's.
        if target and len(key) == 1 and not key.isascii() and (key == char or ord(key) not in table):
            table[ord(key)] = target
    for plane in _PLANES:
        for code in plane:
            category = unicodedata.category(chr(code))
            if category == "Mn" and chr(code) not in _KANA_MARKS or category == "Cf":
                table[code] = None
            elif category in {"Cc", "Zl", "Zp"} and not chr(code).isspace():
                table[code] = None  # an invisible control (\t, \n and the like stay white space)
    for char in _BLANK_LOOKING:
        table[ord(char)] = None
    return table


_ASCII_CONTROLS = {code: None for code in [*range(0x20), 0x7F] if not chr(code).isspace()}


def fold(text: str) -> str:
    """The form the word lists compare (see the module's docstring)."""
    if text.isascii():  # most English text: nothing but case and controls to fold
        return text.lower().translate(_ASCII_CONTROLS)
    text = unicodedata.normalize("NFKC", text).casefold().translate(_table())
    # Casefolding and dropping marks can leave text that is not NFKC (a letter and a mark that
    # now meet); the check is cheap when it is.
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _BETWEEN_CJK.sub(r"\1", text)


# Latin look-alikes within ASCII that matter in a name but would be noise in running text:
# Unicode's confusables list 1, I and | as l, 0 as O, rn as m. Casefolding has already made I
# an i, so i joins them too ("AIice", "A1ice" and "Alice" are one name).
_NAME_ASCII = str.maketrans({"1": "l", "i": "l", "|": "l", "0": "o"})
_NAME_PAIRS = (("rn", "m"), ("vv", "w"))


def name_skeleton(name: str) -> str:
    """A name as it reads: two names with the same skeleton would look alike to readers, so they
    may not belong to two accounts. White space collapses (a page shows one space for many)."""
    skeleton = _WHITESPACE.sub(" ", fold(name)).strip().translate(_NAME_ASCII)
    for pair, letter in _NAME_PAIRS:
        skeleton = skeleton.replace(pair, letter)
    return skeleton
