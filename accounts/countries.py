"""The country list of the sign-up and profile forms: sorted in the reader's language, with the
country the browser's language suggests first.

django-countries sorts by the names' ASCII letters (or pyuca's language-neutral order): in
Japanese every name is non-ASCII, so the list stayed in English order and 「日本」 was option 110
of 250. ICU's collator for the active language (PyICU) sorts as readers of that language expect:
Japanese kana in gojūon order, then names written in kanji; English from A to Z.
"""

from functools import lru_cache

import icu
from django.utils import translation
from django_countries import countries


@lru_cache(maxsize=8)
def _collator(language: str) -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale(language))


@lru_cache(maxsize=8)
def _sorted(language: str) -> tuple[tuple[str, str], ...]:
    collator = _collator(language)
    with translation.override(language):
        named = [(code, str(name)) for code, name in countries]
    return tuple(sorted(named, key=lambda item: collator.getSortKey(item[1])))


def suggested_country(accept_language: str) -> str | None:
    """The country of the browser's first language that names or implies one: ja-JP and ja give
    JP (ICU's likely subtags), en-GB gives GB, en gives US. None when the header names none."""
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip()
        if not tag or tag == "*":
            continue
        country = icu.Locale.forLanguageTag(tag).addLikelySubtags().getCountry()
        if country in countries:
            return country
    return None


def country_choices(*, first: str | None = None) -> list[tuple[str, str]]:
    """The form's choices in the active language: "no country", ``first`` if given, then every
    country in the language's order."""
    sorted_countries = _sorted(translation.get_language() or "en")
    head = [pair for pair in sorted_countries if pair[0] == first]
    rest = [pair for pair in sorted_countries if pair[0] != first]
    return [("", "---------"), *head, *rest]
