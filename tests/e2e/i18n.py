"""The words a page shows, in the language a test's browser asks for, taken from the same catalogue
the server renders with (Django's gettext on the same msgid), so a test finds a control by the name
a reader of that language sees: the agree button is "I agree" in English and 「そう思う」 in Japanese.

A Japanese lookup that comes back as the English msgid fails at once: a test must never pass in
"Japanese" by finding English text.
"""

import re

from django.utils import translation

# language -> the browser locale that asks for it (sent as Accept-Language, and navigator.language).
LOCALES = {"en": "en-US", "ja": "ja-JP"}


def _checked(lang: str, msgid: str, text: str) -> str:
    if lang != "en" and text == msgid and re.search("[A-Za-z]", msgid):
        raise AssertionError(f"{msgid!r} has no {lang} translation: the test would check English text")
    return text


def tr(lang: str, msgid: str, **values) -> str:
    """gettext(msgid) in ``lang``, with blocktranslate's %(name)s values filled in."""
    with translation.override(lang):
        text = _checked(lang, msgid, translation.gettext(msgid))
    return text % values if values else text


def ntr(lang: str, singular: str, plural: str, number: int, **values) -> str:
    """ngettext in ``lang``, filled in (a {% blocktranslate count %} string)."""
    with translation.override(lang):
        text = _checked(lang, singular, translation.ngettext(singular, plural, number))
    return text % values if values else text


def starting(text: str) -> re.Pattern:
    """A name that starts with ``text``: a button's label followed by its count."""
    return re.compile("^" + re.escape(text))
