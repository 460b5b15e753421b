"""Telling a comment's language from its text (forum.languages)."""

import pytest

from forum.languages import detect_language, japanese_share


@pytest.mark.parametrize(
    "text",
    [
        "レアアースは産業の生命線。中国に首根っこを押さえられているのは本当に危険だ。",
        "ようやく政府が本気になった感じ",  # hiragana and kanji only
        "カタカナだけのコメント",
        "EVのモーターにはネオジム磁石が欠かせない。JOGMECとSojitzの出資は評価できる。",  # with Latin names
        "日本語　ｶﾀｶﾅ（半角）も数えるー",  # full-width space, half-width katakana, prolonged sound mark
    ],
)
def test_japanese_text_is_japanese(text):
    assert detect_language(text) == "ja"


@pytest.mark.parametrize(
    "text",
    [
        "Finally feels like the government is getting serious.",
        "Rare earths are the lifeline of industry. 100% dependence is dangerous!",
        "I had ramen (ラーメン) in Tokyo and loved every minute of the trip there.",  # a word of Japanese
        "Keidanren and JOGMEC: 65% of Lynas's heavy rare earths.",
    ],
)
def test_english_text_is_english(text):
    assert detect_language(text) == "en"


def test_mixed_text_goes_by_the_share_of_japanese_letters():
    # Mostly Japanese with an English phrase, and mostly English with a Japanese phrase.
    assert detect_language("This is 本当に大事な問題だと思います、政府はもっと急ぐべき") == "ja"
    assert detect_language("Supply chain resilience matters a great deal — 大事") == "en"
    assert japanese_share("ab日本") == 0.5


@pytest.mark.parametrize("text", ["👍👍👍", "🇯🇵 🤝 🇺🇸", "100%!!", "…", "   "])
def test_text_without_letters_takes_the_fallback(text):
    assert japanese_share(text) is None
    assert detect_language(text, fallback="ja") == "ja"
    assert detect_language(text, fallback="en") == "en"
