"""The country list of sign-up and the profile, in the reader's language's order with the
browser's country first (accounts/countries.py): in Japanese 「日本」 was option 110 of 250."""

import re
from html import unescape

import icu
import pytest
from django.urls import reverse
from django.utils import translation

from accounts.countries import country_choices, suggested_country


def options(html: str) -> list[tuple[str, str]]:
    select = re.search(r'<select name="country"[^>]*>(.*?)</select>', html, re.S).group(1)
    found = re.findall(r'<option value="([A-Z]*)"[^>]*>([^<]*)</option>', select)
    return [(code, unescape(name)) for code, name in found]


@pytest.mark.parametrize(
    ("header", "country"),
    [
        ("ja-JP,ja;q=0.9,en;q=0.8", "JP"),
        ("ja", "JP"),  # a language alone: ICU's likely region
        ("en-GB,en;q=0.9", "GB"),
        ("en", "US"),
        ("pt-BR", "BR"),
        ("*", None),
        ("", None),
    ],
)
def test_the_browsers_language_suggests_a_country(header, country):
    assert suggested_country(header) == country


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_choices_are_sorted_in_the_readers_language(lang):
    with translation.override(lang):
        choices = country_choices(first=None)
    assert choices[0][0] == ""
    names = [name for _code, name in choices[1:]]
    assert len(names) == 249
    collator = icu.Collator.createInstance(icu.Locale(lang))
    assert names == sorted(names, key=collator.getSortKey)


def test_in_japanese_the_list_follows_the_kana_not_the_english_names():
    with translation.override("ja"):
        names = [name for _code, name in country_choices()[1:]]
    # English order put Germany (ドイツ) before Iceland (アイスランド) and the UK (イギリス) last.
    assert names.index("アイスランド") < names.index("イギリス") < names.index("ドイツ")
    assert names[0].startswith("ア")


@pytest.mark.django_db
@pytest.mark.parametrize(("accept", "first", "lang"), [("ja-JP,ja;q=0.9", "JP", "ja"), ("en-GB", "GB", "en")])
def test_sign_up_puts_the_browsers_country_first_in_its_language(client, accept, first, lang):
    html = client.get(reverse("sign_up"), headers={"accept-language": accept}).content.decode()
    found = options(html)
    assert found[0][0] == "" and found[1][0] == first
    assert [code for code, _name in found].count(first) == 1
    with translation.override(lang):
        assert [name for _code, name in found[2:]] == [name for code, name in country_choices()[1:] if code != first]
    if lang == "ja":
        assert found[1][1] == "日本"


@pytest.mark.django_db
def test_the_profile_lists_them_the_same_way(client, reader):
    client.force_login(reader)
    html = client.get(reverse("profile"), headers={"accept-language": "ja-JP"}).content.decode()
    found = options(html)
    assert found[1][0] == "JP"
    assert ("US", "アメリカ合衆国") in found and 'value="US" selected' in html  # the reader's own stays chosen
