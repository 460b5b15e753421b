"""Answers made for one reader say so: ``Cache-Control: private, no-store`` and ``Vary:
Authorization``, so no shared cache keeps them and no browser stores them (api/base.py)."""

import pytest
from django.utils.cache import get_max_age

from tests.api.conftest import client_for, comments_url

pytestmark = pytest.mark.django_db

PER_READER = ["/api/v1/me/", "/api/v1/me/export/", "/api/v1/me/comments/"]


def _private(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",")}
    return {"private", "no-store"} <= directives and "authorization" in vary and get_max_age(response) is None


@pytest.mark.parametrize("path", PER_READER)
def test_a_readers_own_answers_are_private_and_not_stored(author, path):
    response = client_for(author).get(path)
    assert response.status_code == 200
    assert _private(response), (response.get("Cache-Control"), response.get("Vary"))


@pytest.mark.parametrize("path", PER_READER)
def test_refusals_of_per_reader_paths_are_not_stored_either(anonymous_client, path):
    response = anonymous_client.get(path)
    assert response.status_code == 401 and _private(response)


def test_a_signed_in_list_is_private_and_the_signed_out_one_stays_public(author, open_article, anonymous_client):
    signed_in = client_for(author).get(comments_url(open_article, section="world"))
    assert signed_in.status_code == 200 and _private(signed_in)
    signed_out = anonymous_client.get(comments_url(open_article, section="world"))
    assert "public" in signed_out["Cache-Control"] and "no-store" not in signed_out["Cache-Control"]


def test_a_new_token_is_not_stored(author):
    response = client_for().post(
        "/api/v1/auth/token/", {"username": author.username, "password": "correct horse battery"}, format="json"
    )
    assert response.status_code in (200, 201) and _private(response)
