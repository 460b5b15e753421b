"""What counts as visible text, for display names (here) and comments (forum imports accounts).

A string of zero-width or format characters looks empty on the page but is not blank to
``str.strip()``; a display name with bidi overrides or controls can make a byline read as
something else ("Official Moderator, Japan"). These helpers name both.
"""

import unicodedata

# Characters that render as nothing (or as blank space) though they are not white space to
# Python or are letters/symbols by category: Hangul and halfwidth fillers, the Braille blank,
# the combining grapheme joiner, the Mongolian vowel separator, Khmer inherent vowels.
_BLANK_LOOKING = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0")


def is_invisible(char: str) -> bool:
    """White space, a control or format character (Cc, Cf: zero-width spaces and joiners,
    U+2060, U+FEFF, bidi marks and overrides), a separator, or a character that renders blank."""
    return char.isspace() or char in _BLANK_LOOKING or unicodedata.category(char) in {"Cc", "Cf", "Zs", "Zl", "Zp"}


def has_visible_text(text: str) -> bool:
    return any(not is_invisible(char) for char in text)


def control_characters(text: str) -> list[str]:
    """The control and format characters in the text (bidi overrides, isolates and marks,
    zero-width characters, C0/C1 controls), as U+XXXX, in order of appearance, once each."""
    found = [char for char in text if unicodedata.category(char) in {"Cc", "Cf"}]
    return [f"U+{ord(char):04X}" for char in dict.fromkeys(found)]
