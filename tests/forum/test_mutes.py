"""Muting a reader (forum.services.mute_author_of, the article page's collapse, the list of muted
readers): the muted reader's comments and replies collapse for the reader who muted them, in the
voice muted; an unsigned voice is never named; nothing changes for anyone else."""

import re

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.utils import translation

from accounts.models import Mute
from accounts.services import unmute
from forum import page_cache, selectors, services
from forum.caching import article_version
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.pages import comment_markup

pytestmark = pytest.mark.django_db

PAGES = {"japan": 1, "world": 1}
COLLAPSED = '<details class="muted-comment">'


@pytest.fixture
def voices(db):
    """An article with an unsigned voice in Japan (two comments), a signed voice from the world,
    and a reader (in Britain) who reads them."""
    article = ArticleFactory(title="Rare earths")
    tokyo = UserFactory(username="tokyo_author", display_name="Secret Tokyo Name", country="JP")
    paris = UserFactory(display_name="Camille", country="FR")
    unsigned = [CommentFactory(article=article, author=tokyo, body=f"Unsigned words {n}.") for n in range(2)]
    signed = CommentFactory(article=article, author=paris, body="Signed words.")
    return article, tokyo, paris, unsigned, signed, UserFactory(country="GB")


def _sections(article, user) -> str:
    version = article_version(article.pk)
    return page_cache.reader_sections(article=article, version=version, sort="newest", pages=PAGES, user=user).html


# --- Services ---------------------------------------------------------------------------------


def test_muting_an_unsigned_comments_author_mutes_its_voice_and_twice_changes_nothing(voices):
    article, tokyo, _paris, unsigned, _signed, me = voices
    first = services.mute_author_of(reader=me, comment=unsigned[0])
    again = services.mute_author_of(reader=me, comment=unsigned[1])
    assert first.created and not again.created and again.mute.pk == first.mute.pk
    mute = Mute.objects.get(reader=me)
    assert (mute.muted_id, mute.signed, mute.muted_from_comment_id) == (tokyo.pk, False, unsigned[0].pk)


def test_a_reader_cannot_mute_themselves(voices):
    _article, tokyo, _paris, unsigned, _signed, _me = voices
    with pytest.raises(PermissionDenied) as refusal:
        services.mute_author_of(reader=tokyo, comment=unsigned[0])
    assert str(refusal.value) == "You cannot mute yourself: this is your own comment."
    assert services.mute_refusal(user=tokyo, comment=unsigned[0]).code == services.OWN_COMMENT
    assert not Mute.objects.exists()


def test_staff_can_be_muted(voices):
    """Refusing a moderator would tell who wrote an unsigned comment: anyone else may be muted."""
    article, *_rest, me = voices
    moderator_comment = CommentFactory(article=article, author=UserFactory(country="JP", is_staff=True))
    assert services.mute_author_of(reader=me, comment=moderator_comment).created


def test_unmute_takes_back_only_the_readers_own_mute(voices):
    _article, _tokyo, _paris, unsigned, _signed, me = voices
    mute = services.mute_author_of(reader=me, comment=unsigned[0]).mute
    assert not unmute(reader=UserFactory(), mute_id=mute.pk)
    assert unmute(reader=me, mute_id=mute.pk) and not unmute(reader=me, mute_id=mute.pk)
    assert services.mute_author_of(reader=me, comment=unsigned[1]).created
    assert services.unmute_author_of(reader=me, comment=unsigned[0]) and not Mute.objects.exists()


# --- The article page ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_muted_voices_comments_collapse_for_the_reader_alone(voices, language):
    article, _tokyo, _paris, unsigned, signed, me = voices
    services.mute_author_of(reader=me, comment=unsigned[0])
    with translation.override(language):
        html = _sections(article, me)
        for comment in unsigned:
            markup = comment_markup(html, comment.pk)
            assert COLLAPSED in markup and markup.index(COLLAPSED) < markup.index(comment.body)
            assert markup.count("</details>") == 1 and 'class="unmute-form"' in markup
        assert COLLAPSED not in comment_markup(html, signed.pk)
        summary = "You muted this reader." if language == "en" else "ミュートした読者のコメントです。"
        assert html.count(summary) == 2
        other = _sections(article, UserFactory(country="GB"))
        assert COLLAPSED not in other and summary not in other


def test_the_collapse_keeps_others_replies_in_view(voices, monkeypatch):
    """A muted reader's comment collapses; the replies nested under it (by others) do not."""
    article, _tokyo, _paris, unsigned, signed, me = voices
    article_sections = selectors.article_sections

    def threads(**kwargs):
        sections = article_sections(**kwargs)
        for section in sections:
            for comment in section.comments:
                if comment.pk == unsigned[0].pk:
                    signed.article = article
                    comment.shown_replies = [signed]
            section.comments[:] = [c for c in section.comments if c.pk != signed.pk]
        return sections

    monkeypatch.setattr(selectors, "article_sections", threads)
    services.mute_author_of(reader=me, comment=unsigned[0])
    markup = comment_markup(_sections(article, me), unsigned[0].pk)
    closed = markup.index("</details>")
    assert markup.index(unsigned[0].body) < closed < markup.index('<ol class="replies">') < markup.index(signed.body)


def test_a_muted_voices_replies_collapse_on_the_threads_page_too(voices, client):
    """The thread's own page (and "N more replies", which the script expands from it) is
    rendered for the reader alone: their mutes collapse replies there as on the article page."""
    article, tokyo, _paris, unsigned, signed, me = voices
    reply = services.post_comment(author=tokyo, article=article, body="An unsigned answer.", answering=signed)
    services.mute_author_of(reader=me, comment=unsigned[0])
    client.force_login(me)
    page = client.get(f"/comments/{signed.pk}/thread/").content.decode()
    assert COLLAPSED in comment_markup(page, reply.pk)
    assert COLLAPSED not in comment_markup(page, signed.pk).replace(comment_markup(page, reply.pk), "")
    client.force_login(UserFactory(country="US"))  # anyone else: nothing collapses
    assert COLLAPSED not in client.get(f"/comments/{signed.pk}/thread/").content.decode()


def test_a_mute_collapses_only_the_voice_it_was_made_from(voices):
    """A reader who moved out of Japan speaks signed now and unsigned before: muting the unsigned
    voice must not collapse the signed one (that would name it), nor the other way round."""
    article, tokyo, _paris, unsigned, _signed, me = voices
    tokyo.country = "DE"
    tokyo.save()
    now_signed = CommentFactory(article=article, author=tokyo, body="Signed, since the move.")
    services.mute_author_of(reader=me, comment=unsigned[0])
    html = _sections(article, me)
    assert COLLAPSED in comment_markup(html, unsigned[1].pk)
    assert COLLAPSED not in comment_markup(html, now_signed.pk)
    # The signed comment's markup is exactly what a reader without mutes sees.
    assert comment_markup(html, now_signed.pk) == comment_markup(_sections(article, UserFactory()), now_signed.pk)


def test_mute_shows_on_others_comments_only_and_never_signed_out(voices, client):
    article, tokyo, _paris, unsigned, signed, me = voices
    assert "mute-form" not in Client().get(article.get_absolute_url()).content.decode()
    client.force_login(tokyo)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "mute-form" not in comment_markup(page, unsigned[0].pk)
    assert 'class="mute-form"' in comment_markup(page, signed.pk)


def test_the_page_with_mutes_shows_the_same_as_a_rendering_for_the_reader_alone(voices):
    """The overlay (shared sections + the reader's parts) equals the page rendered for them alone."""
    article, _tokyo, _paris, unsigned, signed, me = voices
    services.mute_author_of(reader=me, comment=unsigned[0])
    services.mute_author_of(reader=me, comment=signed)
    fresh, _ = page_cache.render_sections(
        article=article, sort="newest", pages=PAGES, viewer=me, choices_for=lambda ids: {}
    )
    assert _sections(article, me) == fresh.html
    assert fresh.html.count(COLLAPSED) == 3


def test_a_readers_mutes_cost_the_overlay_no_more_queries(voices, client, django_assert_max_num_queries):
    """Found in the overlay's one query, however many comments of muted readers the page shows."""
    article, tokyo, paris, unsigned, signed, me = voices
    for n in range(20):
        CommentFactory(article=article, author=tokyo if n % 2 else paris, body=f"More {n}.")
    services.mute_author_of(reader=me, comment=unsigned[0])
    services.mute_author_of(reader=me, comment=signed)
    client.force_login(me)
    url = article.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(4):  # the session, the user, the article, the overlay
        page = client.get(url).content.decode()
    assert page.count(COLLAPSED) == 23


# --- Anonymity ----------------------------------------------------------------------------------


def _the_author_named(text: str, tokyo) -> bool:
    return bool(re.search(rf"Secret Tokyo Name|tokyo_author|\b{tokyo.pk}\b(?!\d)", text))


def test_muting_an_unsigned_voice_names_it_nowhere(voices, client):
    """Not on the page after muting, not in the message, not in the list of muted readers, not
    through the API (tests/api/test_mutes_api.py)."""
    article, tokyo, _paris, unsigned, _signed, me = voices
    tokyo_id_marker = f"/{tokyo.pk}/"
    client.force_login(me)
    answer = client.post(f"/comments/{unsigned[0].pk}/mute/", follow=True)
    page = answer.content.decode()
    assert answer.status_code == 200 and COLLAPSED in page
    assert "Secret Tokyo Name" not in page and "tokyo_author" not in page and tokyo_id_marker not in page
    listing = client.get("/my/mutes/").content.decode()
    assert "A reader in Japan (muted from a comment on “Rare earths”)" in listing
    assert f'href="/comments/{unsigned[0].pk}/"' in listing
    assert "Secret Tokyo Name" not in listing and "tokyo_author" not in listing and tokyo_id_marker not in listing


def test_the_muted_reader_is_not_told(voices, client):
    """Nothing the muted reader sees changes: their page is the same before and after."""
    article, tokyo, _paris, unsigned, _signed, me = voices
    client.force_login(tokyo)
    url = article.get_absolute_url()
    before = client.get(url).content.decode()
    services.mute_author_of(reader=me, comment=unsigned[0])
    after = client.get(url).content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert token.sub("", before) == token.sub("", after)


# --- The web views and the list -----------------------------------------------------------------


def test_mute_and_unmute_without_javascript(voices, client):
    article, _tokyo, _paris, unsigned, _signed, me = voices
    client.force_login(me)
    answer = client.post(f"/comments/{unsigned[0].pk}/mute/")
    assert answer.status_code == 302 and answer["Location"] == f"/comments/{unsigned[0].pk}/"
    page = client.get(answer["Location"], follow=True).content.decode()
    assert "You muted this reader: their comments and replies are collapsed for you. They are not told." in page
    answer = client.post(f"/comments/{unsigned[1].pk}/unmute/", follow=True)
    page = answer.content.decode()
    assert "their comments show again" in page and COLLAPSED not in page


def test_muting_oneself_through_the_page_says_why(voices, client):
    _article, tokyo, _paris, unsigned, _signed, _me = voices
    client.force_login(tokyo)
    page = client.post(f"/comments/{unsigned[0].pk}/mute/", follow=True).content.decode()
    assert "You cannot mute yourself: this is your own comment." in page and not Mute.objects.exists()


def test_signed_out_mute_leads_to_sign_in_and_unknown_comments_are_404(voices, client):
    _article, _tokyo, _paris, unsigned, _signed, me = voices
    answer = Client().post(f"/comments/{unsigned[0].pk}/mute/")
    assert answer.status_code == 302 and "/sign-in/" in answer["Location"]
    client.force_login(me)
    assert client.post("/comments/999999/mute/").status_code == 404
    assert client.get(f"/comments/{unsigned[0].pk}/mute/").status_code == 405


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_list_names_signed_voices_and_undoes_a_mute(voices, client, language):
    article, _tokyo, paris, unsigned, signed, me = voices
    services.mute_author_of(reader=me, comment=unsigned[0])
    services.mute_author_of(reader=me, comment=signed)
    client.force_login(me)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    listing = client.get("/my/mutes/", **headers).content.decode()
    if language == "en":
        assert "Camille, France (muted from a comment on “Rare earths”)" in listing
        assert "A reader in Japan (muted from a comment on “Rare earths”)" in listing
    else:
        assert "日本の読者（「Rare earths」のコメントからミュート）" in listing
    assert 'href="/my/mutes/"' in client.get("/accounts/profile/").content.decode()
    mute = Mute.objects.get(reader=me, signed=True)
    answer = client.post(f"/my/mutes/{mute.pk}/unmute/", **headers)
    assert answer.status_code == 302 and not Mute.objects.filter(pk=mute.pk).exists()
    assert COLLAPSED not in comment_markup(_sections(article, me), signed.pk)


def test_the_list_after_the_comment_is_gone(voices, client):
    _article, _tokyo, _paris, unsigned, _signed, me = voices
    services.mute_author_of(reader=me, comment=unsigned[0])
    unsigned[0].delete()
    (voice,) = selectors.muted_voices(reader=me)
    assert voice.label == "A reader in Japan (muted from a comment since deleted)" and voice.comment_url is None


def test_the_list_costs_two_queries(voices, django_assert_num_queries):
    article, tokyo, paris, unsigned, signed, me = voices
    for author in (UserFactory(country="JP") for _ in range(5)):
        services.mute_author_of(reader=me, comment=CommentFactory(article=article, author=author))
    services.mute_author_of(reader=me, comment=signed)
    with django_assert_num_queries(2):
        labels = [voice.label for voice in selectors.muted_voices(reader=me)]
    assert len(labels) == 6


def test_the_overlays_compiled_statement_finds_the_muted_voices_as_the_orm_does(voices):
    """The mutes are in the overlay's one statement, compiled once: still only the reader's and
    the article's ids as parameters, and the same rows and marks as the ORM's queryset."""
    article, _tokyo, _paris, unsigned, signed, me = voices
    services.mute_author_of(reader=me, comment=unsigned[0])
    assert page_cache._readers_sql(connection.vendor, settings.FORUM_READER_REPORTED_COMMENTS) is not None
    ids = tuple(comment.pk for comment in [*unsigned, signed])
    compiled = page_cache._readers_comments(user=me, article=article, comment_ids=ids)
    orm = list(page_cache._readers_query(user=me, article_id=article.pk))

    def state(rows):
        return sorted((comment.pk, bool(comment.muted_by_me)) for comment in rows)

    assert state(compiled) == state(orm) == sorted((comment.pk, True) for comment in unsigned)


def test_the_export_lists_mutes_by_the_comment_never_by_the_muted_reader(voices, client):
    _article, tokyo, _paris, unsigned, _signed, me = voices
    services.mute_author_of(reader=me, comment=unsigned[0])
    client.force_login(me)
    export = client.get("/accounts/export/")
    [mute] = export.json()["mutes"]
    assert (
        mute["signed"] is False
        and mute["muted_from_comment"] == unsigned[0].pk
        and set(mute)
        == {
            "signed",
            "muted_from_comment",
            "created_at",
        }
    )
    assert "Secret Tokyo Name" not in export.content.decode() and "tokyo_author" not in export.content.decode()
