"""The mutes API (/api/v1/me/mutes/): list, add by comment, remove; JSON errors with a code; an
unsigned voice is never named, not even by id."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Mute
from tests.api.conftest import client_for
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

MUTES = "/api/v1/me/mutes/"


@pytest.fixture
def scene(db):
    article = ArticleFactory(title="Rare earths")
    tokyo = UserFactory(username="tokyo_author", display_name="Secret Tokyo Name", country="JP")
    paris = UserFactory(username="paris_author", display_name="Camille", country="FR")
    unsigned = CommentFactory(article=article, author=tokyo)
    signed = CommentFactory(article=article, author=paris)
    return article, tokyo, paris, unsigned, signed, UserFactory(country="GB")


def _names_tokyo(text: str, tokyo) -> bool:
    return "Secret Tokyo Name" in text or "tokyo_author" in text or f'"muted": {tokyo.pk}' in text


def test_mute_list_and_unmute(scene):
    _article, tokyo, _paris, unsigned, signed, me = scene
    client = client_for(me)
    created = client.post(MUTES, {"comment": unsigned.pk}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["signed"] is False and body["name"] is None and body["country"] is None
    assert body["comment"] == unsigned.pk and body["article_title"] == "Rare earths"
    assert body["label"] == "A reader in Japan (muted from a comment on “Rare earths”)"
    assert set(body) == {"id", "signed", "name", "country", "label", "comment", "article_title", "created_at"}
    again = client.post(MUTES, {"comment": unsigned.pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    named = client.post(MUTES, {"comment": signed.pk}, format="json").json()
    assert (named["signed"], named["name"], named["country"]) == (True, "Camille", "FR")
    listed = client.get(MUTES)
    assert listed.status_code == 200 and "no-store" in listed["Cache-Control"]
    assert [item["id"] for item in listed.json()["results"]] == [named["id"], body["id"]]
    assert not _names_tokyo(listed.content.decode() + created.content.decode(), tokyo)
    assert client.delete(f"{MUTES}{body['id']}/").status_code == 204
    gone = client.delete(f"{MUTES}{body['id']}/")
    assert gone.status_code == 404 and "detail" in gone.json()
    assert list(Mute.objects.values_list("signed", flat=True)) == [True]


def test_muting_oneself_is_a_403_with_a_code(scene):
    _article, tokyo, _paris, unsigned, _signed, _me = scene
    answer = client_for(tokyo).post(MUTES, {"comment": unsigned.pk}, format="json")
    assert answer.status_code == 403
    assert answer.json() == {"detail": "You cannot mute yourself: this is your own comment.", "code": "own_comment"}


def test_muting_oneself_in_japanese(scene):
    _article, tokyo, _paris, unsigned, _signed, _me = scene
    answer = client_for(tokyo).post(MUTES, {"comment": unsigned.pk}, format="json", HTTP_ACCEPT_LANGUAGE="ja")
    assert answer.status_code == 403 and answer.json()["code"] == "own_comment"
    assert "ミュート" in answer.json()["detail"]


@pytest.mark.parametrize("body", [{}, {"comment": "12"}, {"comment": 1.5}, {"comment": True}, {"comment": -1}])
def test_bad_input_is_a_400_with_field_errors(scene, body):
    answer = client_for(scene[-1]).post(MUTES, body, format="json")
    assert answer.status_code == 400 and "comment" in answer.json()


def test_unknown_or_hidden_comments_are_404_and_others_mutes_cannot_be_undone(scene):
    _article, _tokyo, _paris, unsigned, signed, me = scene
    signed.status = signed.Status.HIDDEN
    signed.save()
    client = client_for(me)
    assert client.post(MUTES, {"comment": 10**12}, format="json").status_code == 404
    assert client.post(MUTES, {"comment": signed.pk}, format="json").status_code == 404
    mine = client.post(MUTES, {"comment": unsigned.pk}, format="json").json()
    assert client_for(UserFactory()).delete(f"{MUTES}{mine['id']}/").status_code == 404
    assert Mute.objects.filter(pk=mine["id"]).exists()


def test_signed_out_is_401(scene):
    assert APIClient().get(MUTES).status_code == 401
    assert APIClient().post(MUTES, {"comment": scene[3].pk}, format="json").status_code == 401


def test_the_muted_reader_sees_nothing_change_in_the_api(scene):
    """The comments API and the muted reader's own answers are the same before and after."""
    article, tokyo, _paris, unsigned, _signed, me = scene
    theirs = client_for(tokyo)
    urls = [f"/api/v1/articles/{article.slug}/comments/", "/api/v1/me/", MUTES, f"/api/v1/comments/{unsigned.pk}/"]
    before = [theirs.get(url).content for url in urls]
    client_for(me).post(MUTES, {"comment": unsigned.pk}, format="json")
    assert [theirs.get(url).content for url in urls] == before


def test_the_mutes_are_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    assert set(schema["paths"]["/api/v1/me/mutes/"]) >= {"get", "post"}
    assert "delete" in schema["paths"]["/api/v1/me/mutes/{mute_id}/"]
