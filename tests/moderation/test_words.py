"""Word lists: folding and matching (Japanese without spaces, full-width, half-width katakana,
mixed-case English, and the ways around a list: invisible characters, breaks inside a word,
the other kana, endings, look-alike letters), the allow-list, and what a banned or suspect
phrase does to a comment, on the web and API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from forum.models import Comment
from forum.services import edit_comment, post_comment
from moderation import word_rules, words
from moderation.models import AuditEntry, WordRule
from tests.api.conftest import client_for
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the after-commit work (every process recompiles the lists) as a real commit would:
    the test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def rule(committed):
    def add(phrase: str, list_: str = WordRule.List.BANNED, note: str = "", moderator=None) -> WordRule:
        with committed():
            return word_rules.save_word_rule(moderator=moderator, rule=WordRule(phrase=phrase, list=list_, note=note))

    return add


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        # Japanese has no spaces: a CJK phrase matches inside a sentence.
        ("馬鹿", "お前は馬鹿だ", True),
        ("馬鹿", "「お前は馬鹿だ」", True),
        ("ばか", "ばかやろう", True),
        ("馬鹿", "鹿の馬", False),
        # Half-width katakana folds to full-width, both ways round.
        ("バカ", "ｵﾏｴﾊﾊﾞｶﾀﾞ", True),
        ("ﾊﾞｶ", "お前はバカだ", True),
        # Full-width Latin folds to ASCII; case folds.
        ("idiot", "You ＩＤＩＯＴ!", True),
        ("Idiot", "what an iDiOt", True),
        ("straße", "STRASSE closed", True),
        # Latin phrases match whole words only.
        ("ass", "a classic mistake", False),
        ("ass", "what an ass.", True),
        ("ass", "assess the damage", False),
        ("bad word", "a BAD  word", True),  # any run of white space between the words
        ("bad word", "a Bad Word here", True),
        # A Latin word glued to Japanese is still a word.
        ("idiot", "お前はidiotだ", True),
        ("idiot", "idiotic", False),
    ],
)
def test_matching(phrase, text, expected):
    compiled = words.compile_rule(phrase=phrase, list=WordRule.List.BANNED)
    assert compiled.matches(words.fold(text)) is expected


def test_banned_phrase_refuses_the_comment_naming_the_rule_not_the_word(reader, article, rule):
    rule("馬鹿", note="Insults")
    with pytest.raises(ValidationError) as refused:
        post_comment(author=reader, article=article, body="お前は馬鹿だ")
    message = refused.value.messages[0]
    assert "Insults" in message
    assert "馬鹿" not in message
    assert not Comment.objects.exists()


def test_banned_phrase_without_a_note_names_the_list(reader, article, rule):
    rule("idiot")
    with pytest.raises(ValidationError) as refused:
        post_comment(author=reader, article=article, body="ＩＤＩＯＴ")
    assert "Banned" in refused.value.messages[0]
    assert "idiot" not in refused.value.messages[0].lower()


def test_suspect_phrase_posts_the_comment_pending(reader, article, rule):
    rule("crypto", WordRule.List.SUSPECT)
    comment = post_comment(author=reader, article=article, body="Buy CRYPTO now")
    assert comment.status == Comment.Status.PENDING
    clean = post_comment(author=reader, article=article, body="Cryptography is fine")
    assert clean.status == Comment.Status.VISIBLE


def test_editing_is_screened_too(reader, article, rule):
    comment = post_comment(author=reader, article=article, body="A fair point")
    rule("spamword", WordRule.List.SUSPECT)
    rule("馬鹿", note="Insults")
    with pytest.raises(ValidationError):
        edit_comment(user=reader, comment=comment, body="馬鹿")
    comment.refresh_from_db()
    assert comment.body == "A fair point"
    edit_comment(user=reader, comment=comment, body="now with spamword")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_web_form_shows_the_refusal_and_keeps_the_text(client, reader, article, rule):
    rule("馬鹿", note="Insults")
    client.force_login(reader)
    response = client.post(reverse("post_comment", args=[article.slug]), {"body": "お前は馬鹿だ"})
    assert response.status_code == 400
    assert "Insults" in response.content.decode()
    assert "お前は馬鹿だ" in response.content.decode()  # the reader's text comes back to fix
    assert not Comment.objects.exists()


def test_web_pending_comment_is_announced_as_awaiting_review(client, reader, article, rule):
    rule("crypto", WordRule.List.SUSPECT)
    client.force_login(reader)
    response = client.post(reverse("post_comment", args=[article.slug]), {"body": "crypto!"}, follow=True)
    assert "awaiting review" in response.content.decode()
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_api_refuses_with_400_and_posts_pending(reader, article, rule):
    rule("馬鹿", note="Insults")
    rule("crypto", WordRule.List.SUSPECT)
    api = client_for(reader)
    url = reverse("api_comments", args=[article.slug])
    refused = api.post(url, {"body": "馬鹿"}, format="json")
    assert refused.status_code == 400
    assert "Insults" in str(refused.json())
    posted = api.post(url, {"body": "crypto"}, format="json")
    assert posted.status_code == 201
    assert posted.json()["status"] == "pending"


def test_api_edit_is_screened(reader, article, rule):
    comment = CommentFactory(article=article, author=reader)
    rule("馬鹿", note="Insults")
    response = client_for(reader).patch(reverse("api_comment", args=[comment.pk]), {"body": "馬鹿"}, format="json")
    assert response.status_code == 400


def test_rules_are_cached_and_recompiled_on_change(reader, article, django_assert_num_queries, rule):
    rule("first", WordRule.List.SUSPECT)
    words.compiled_rules()  # compiled once
    with django_assert_num_queries(0):
        assert words.matching_rules("the first one")
    rule("second", WordRule.List.SUSPECT)
    assert [r.folded for r in words.matching_rules("the second one")] == ["second"]


def test_changes_to_the_lists_are_audited(moderator, rule, committed):
    added = rule("馬鹿", note="Insults", moderator=moderator)
    added.note = "Name-calling"
    with committed():
        word_rules.save_word_rule(moderator=moderator, rule=added)
        word_rules.remove_word_rules(moderator=moderator, rules=[added])
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "actor"))
    assert actions == [
        (AuditEntry.Action.WORD_ADDED, moderator.pk),
        (AuditEntry.Action.WORD_CHANGED, moderator.pk),
        (AuditEntry.Action.WORD_REMOVED, moderator.pk),
    ]
    removed = AuditEntry.objects.get(action=AuditEntry.Action.WORD_REMOVED)
    assert removed.details["phrase"] == "馬鹿"
    assert not WordRule.objects.exists()


def test_moderator_manages_word_rules_in_the_admin(client, moderator, reader, article, committed):
    client.force_login(moderator)
    with committed():
        response = client.post(
            reverse("admin:moderation_wordrule_add"), {"phrase": "ﾊﾞｶ", "list": "banned", "note": "Insults"}
        )
    assert response.status_code == 302
    created = WordRule.objects.get()
    assert created.added_by == moderator
    assert AuditEntry.objects.filter(action=AuditEntry.Action.WORD_ADDED, target_id=str(created.pk)).exists()
    with pytest.raises(ValidationError):
        post_comment(author=reader, article=article, body="バカ")
    with committed():
        response = client.post(reverse("admin:moderation_wordrule_delete", args=[created.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=AuditEntry.Action.WORD_REMOVED).exists()
    assert post_comment(author=reader, article=article, body="バカ").status == Comment.Status.VISIBLE


def test_a_blank_phrase_is_refused(moderator, rule):
    with pytest.raises(ValidationError):
        rule("   ", moderator=moderator)


# --- Getting around the lists (security finding 5) -----------------------------------------------

# A realistic list: what the variants below must hit, and the innocent sentences must not.
BANNED = ["馬鹿", "バカ", "あほ", "死ね", "idiot", "ass", "stupid", "dummy"]
SUSPECT = ["crypto", "副業"]
ALLOWED = ["ばかり", "バーカウンター"]


@pytest.fixture
def lists(rule):
    for phrase in BANNED:
        rule(phrase, note="Insults")
    for phrase in SUSPECT:
        rule(phrase, WordRule.List.SUSPECT)
    for phrase in ALLOWED:
        rule(phrase, WordRule.List.ALLOWED)


EVASIONS = [
    # Invisible and format characters inside the word.
    "馬\u200b鹿",
    "お前は馬\u2060鹿だ",
    "id\u200biot",
    "i\u200cd\u200di\ufeffot",
    "id\u00adiot",  # a soft hyphen
    "\u202eidiot",  # a bidi override
    # A space or punctuation inside a CJK word.
    "馬 鹿",
    "馬\u3000鹿",
    "馬・鹿",
    "お前は馬･鹿だ",
    "バ★カ",
    "バ～カ",
    "バ　カ",
    # Long-vowel marks.
    "バーカ",
    "ばーーか",
    "ﾊﾞｰｶ",
    # Hiragana for a listed katakana word, and the reverse.
    "お前はばかだ",
    "アホ",  # あほ is listed in hiragana
    "ｱﾎｰ",
    "死ネ",
    "ウマシカ",  # not listed: must not hit
    # Plurals and other endings.
    "idiots",
    "what idiots!",
    "you IDIOT's dog",
    "asses",
    "stupider",
    "dummies",
    # Look-alike letters from other scripts.
    "\u0456diot",  # Cyrillic і
    "idi\u043et",  # Cyrillic о
    "\u0406DIOT",  # Cyrillic capital І
    "\u03b9d\u03b9\u03bft",  # Greek iota and omicron
    "\u0131diot",  # dotless ı
    "\uff49\uff44\uff49\uff4f\uff54",  # full-width
    "𝐢𝐝𝐢𝐨𝐭",  # mathematical bold
    # Turkish İ, and marks stacked on letters.
    "\u0130DIOT",
    "\u0130diot",
    "i\u0334d\u0334i\u0334o\u0334t",
    "\u00efdiot",
]


@pytest.mark.parametrize("body", [text for text in EVASIONS if text != "ウマシカ"])
def test_variants_of_a_banned_word_are_refused_through_the_api(reader, article, lists, body):
    response = client_for(reader).post(reverse("api_comments", args=[article.slug]), {"body": body}, format="json")
    assert response.status_code == 400, body
    assert "Insults" in str(response.json())
    assert not Comment.objects.exists()


def test_a_word_that_is_not_listed_is_not_hit(reader, article, lists):
    assert post_comment(author=reader, article=article, body="ウマシカ").status == Comment.Status.VISIBLE


def test_the_web_form_refuses_a_variant_and_keeps_the_text(client, reader, article, lists):
    client.force_login(reader)
    response = client.post(reverse("post_comment", args=[article.slug]), {"body": "ほんと馬・鹿だね"})
    assert response.status_code == 400
    assert "ほんと馬・鹿だね" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_suspect_word_in_another_script_or_kana_holds_the_comment(reader, article, lists):
    assert post_comment(author=reader, article=article, body="Buy сrypto now").status == Comment.Status.PENDING
    assert post_comment(author=reader, article=article, body="ふくぎょう？いや副 業").status == Comment.Status.PENDING


INNOCENT = [
    "昨日引っ越したばかりです。",
    "駅前のバーカウンターで一杯だけ飲みました。",
    "そういえば、かつてここは田んぼだった。",
    "選挙に行けば、かなり変わると思う。",
    "鹿と馬を奈良で見ました。",
    "馬の鹿毛は美しい。",
    "死ぬほど笑いました。",
    "This is a classic mistake.",
    "Let us assess the damage first.",
    "The embassy passed the bill.",
    "Cryptography is not the same thing.",
    "Stupidity aside, the policy is idiotic.",  # other words of their own, not endings
    "A dumbbell and a dumpling.",
    "İstanbul and Ankara agreed.",
    "Café naïve résumé, ça va.",
    "Привет, как дела?",
    "日本の政策について、海外の反応はさまざまだ。",
    "ﾃｽﾄです。ｶﾀｶﾅも大丈夫。",
]


@pytest.mark.parametrize("body", INNOCENT)
def test_innocent_sentences_pass(reader, article, lists, body):
    response = client_for(reader).post(reverse("api_comments", args=[article.slug]), {"body": body}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "visible"


def test_the_allow_list_stops_a_false_hit_and_only_inside_its_phrase(reader, article, rule):
    rule("バカ", note="Insults")
    with pytest.raises(ValidationError):
        post_comment(author=reader, article=article, body="引っ越したばかりです")  # ばかり reads as バカり
    rule("ばかり", WordRule.List.ALLOWED)
    assert post_comment(author=reader, article=article, body="引っ越したばかりです").status == Comment.Status.VISIBLE
    with pytest.raises(ValidationError):  # an allowed phrase elsewhere does not cover the word
        post_comment(author=reader, article=article, body="引っ越したばかりのバカ")


def test_the_allow_list_is_kept_in_the_admin(client, moderator, committed):
    client.force_login(moderator)
    with committed():
        response = client.post(reverse("admin:moderation_wordrule_add"), {"phrase": "ばかり", "list": "allowed"})
    assert response.status_code == 302
    assert WordRule.objects.get().list == WordRule.List.ALLOWED
