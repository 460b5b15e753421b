"""Which language a piece of reader text is written in, for the page's ``lang`` attributes.

The forum speaks English and Japanese only (settings.LANGUAGES), so telling them apart needs no
statistical detector: Japanese is written in kana and kanji, English in Latin letters. A text
is Japanese when Japanese characters make up at least ``JAPANESE_SHARE`` of its letters (a
Japanese comment often names "EV", "JOGMEC" or "Keidanren"; an English one may quote a word of
Japanese). Digits, punctuation, symbols and emoji are not letters and do not count; a text with no
letters at all (emoji only) takes the fallback, the language the author reads the site in.
"""

JAPANESE = "ja"
ENGLISH = "en"
JAPANESE_SHARE = 0.3

# Unicode blocks of Japanese writing: hiragana, katakana (with its phonetic extensions and the
# half-width forms) and the CJK ideographs (unified, extension A, compatibility).
_JAPANESE_RANGES = (
    (0x3040, 0x309F),
    (0x30A0, 0x30FF),
    (0x31F0, 0x31FF),
    (0xFF66, 0xFF9F),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
)


def is_japanese_character(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _JAPANESE_RANGES)


def japanese_share(text: str) -> float | None:
    """The share of the text's letters that are Japanese; None when it has no letters."""
    letters = japanese = 0
    for char in text:
        # The prolonged sound mark ー and the iteration mark 々 are not "alphabetic" to Python.
        if char.isalpha() or is_japanese_character(char):
            letters += 1
            japanese += is_japanese_character(char)
    return None if letters == 0 else japanese / letters


def detect_language(text: str, *, fallback: str = ENGLISH) -> str:
    """``"ja"`` or ``"en"`` for the text (see the module's docstring); ``fallback`` without letters."""
    share = japanese_share(text)
    if share is None:
        return fallback
    return JAPANESE if share >= JAPANESE_SHARE else ENGLISH
