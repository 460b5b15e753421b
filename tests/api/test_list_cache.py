"""The signed-out comment list is cached per content version: every change a reader could see
shows in the next request, conditional requests get 304 until then, and signed-in readers get
their own answer."""

import pytest

from forum import services
from forum.models import Article, Comment, Section
from tests.api.conftest import client_for, comments_url
from tests.factories import CommentFactory, UserFactory
from votes.counting import tally_comment
from votes.models import Vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Versions are bumped after commit and the test's transaction never commits: a change made
    inside ``with committed():`` has its after-commit work run as a commit would run it."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


LANGUAGES = ["en", "ja"]


def _get(client, article, language, **headers):
    return client.get(comments_url(article, section="world"), HTTP_ACCEPT_LANGUAGE=language, **headers)


def _ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


def _by_id(response, comment_id: int) -> dict:
    return next(item for item in response.json()["results"] if item["id"] == comment_id)


@pytest.fixture
def writer(db):
    return UserFactory(username="writer", country="GB")


@pytest.fixture
def listed(article, writer):
    return CommentFactory(article=article, author=writer, body="First words.")


def test_a_signed_out_list_is_served_from_the_cache_with_an_etag(
    anonymous_client, article, listed, django_assert_max_num_queries
):
    first = _get(anonymous_client, article, "en")
    assert first.status_code == 200
    assert _ids(first) == [listed.pk]
    etag = first["ETag"]
    assert "public" in first["Cache-Control"] and "max-age=5" in first["Cache-Control"]
    assert {"Authorization", "Cookie", "Accept-Language"} <= {v.strip() for v in first["Vary"].split(",")}

    with django_assert_max_num_queries(0):  # neither the article nor the page: both from the cache
        again = _get(anonymous_client, article, "en")
    assert again.content == first.content
    assert again["ETag"] == etag

    unchanged = _get(anonymous_client, article, "en", HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag


def test_the_cached_body_is_what_the_uncached_view_answers(anonymous_client, article, writer):
    comments = [CommentFactory(article=article, author=writer) for _ in range(3)]
    fresh = _get(anonymous_client, article, "en")
    cached = _get(anonymous_client, article, "en")
    assert cached.json() == fresh.json()
    assert _ids(fresh) == [c.pk for c in reversed(comments)]
    assert fresh.json()["next"] is None


def test_cursor_pages_are_cached_apart_and_next_links_follow(anonymous_client, article, writer):
    comments = [CommentFactory(article=article, author=writer) for _ in range(5)]
    url = comments_url(article, section="world", page_size=2)
    seen = []
    for _round in range(2):  # the second round is served from the cache
        seen, next_url = [], url
        while next_url:
            page = anonymous_client.get(next_url).json()
            seen += [item["id"] for item in page["results"]]
            next_url = page["next"]
    assert seen == [c.pk for c in reversed(comments)]


def test_a_bad_cursor_is_still_a_404_when_pages_are_cached(anonymous_client, article, listed):
    _get(anonymous_client, article, "en")
    answer = anonymous_client.get(comments_url(article, section="world", cursor="nonsense"))
    assert answer.status_code == 404
    assert "detail" in answer.json()


def _tally_an_agree(article, listed):
    Vote.objects.create(
        user=UserFactory(), comment=listed, choice="agree", region="world", updated_at=listed.created_at
    )
    tally_comment(comment_id=listed.pk)
    return lambda answer: _by_id(answer, listed.pk)["counts"]["agree"] == 1


def _post(article, listed):
    comment = services.post_comment(author=UserFactory(country="US"), article=article, body="Just posted.")
    return lambda answer: _ids(answer)[0] == comment.pk


def _edit(article, listed):
    services.edit_comment(user=listed.author, comment=listed, body="Reworded.")
    return lambda answer: _by_id(answer, listed.pk)["body"] == "Reworded." and _by_id(answer, listed.pk)["is_edited"]


def _delete(article, listed):
    services.delete_comment(user=listed.author, comment=listed)
    return lambda answer: listed.pk not in _ids(answer)


def _hide(article, listed):
    services.set_comment_status(comments=list(Comment.objects.filter(pk=listed.pk)), status=Comment.Status.HIDDEN)
    return lambda answer: listed.pk not in _ids(answer)


def _move(article, listed):
    services.move_comments(comments=Comment.objects.filter(pk=listed.pk), section=Section.JAPAN)
    return lambda answer: listed.pk not in _ids(answer)


def _approve(article, listed):
    pending = CommentFactory(article=article, author=listed.author, status=Comment.Status.PENDING)
    services.set_comment_status(comments=list(Comment.objects.filter(pk=pending.pk)), status=Comment.Status.VISIBLE)
    return lambda answer: pending.pk in _ids(answer)


def _edit_article(article, listed):
    article.title = "A new title"
    article.save()
    return lambda answer: True  # nothing in the list shows it; the ETag must still change


def _close(article, listed):
    services.set_comments_open(articles=Article.objects.filter(pk=article.pk), is_open=False)
    return lambda answer: True  # as above: what a client cached before is out of date


CHANGES = [_tally_an_agree, _post, _edit, _delete, _hide, _move, _approve, _edit_article, _close]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__.strip("_"))
def test_every_visible_change_shows_in_the_next_signed_out_request(
    anonymous_client, article, listed, change, language, committed
):
    before = _get(anonymous_client, article, language)
    assert before.status_code == 200
    assert _get(anonymous_client, article, language, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304

    with committed():
        shows = change(article, listed)

    after = _get(anonymous_client, article, language)
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert shows(after)
    revalidated = _get(anonymous_client, article, language, HTTP_IF_NONE_MATCH=before["ETag"])
    assert revalidated.status_code == 200
    assert revalidated.content == after.content


def test_no_stale_count_survives_a_series_of_tallies(anonymous_client, article, listed, committed):
    for expected in range(1, 4):
        Vote.objects.create(
            user=UserFactory(), comment=listed, choice="disagree", region="japan", updated_at=listed.created_at
        )
        with committed():
            tally_comment(comment_id=listed.pk)
        counts = _by_id(_get(anonymous_client, article, "en"), listed.pk)["counts"]
        assert counts["disagree"] == counts["disagree_japan"] == expected


def test_the_languages_are_cached_apart(anonymous_client, article, listed):
    english = _get(anonymous_client, article, "en")
    japanese = _get(anonymous_client, article, "ja")
    assert english["ETag"] != japanese["ETag"]
    assert english.json() == japanese.json()  # the list holds no translated text today


def test_signed_in_readers_get_their_own_answer_not_the_shared_copy(anonymous_client, article, listed, writer):
    shared = _get(anonymous_client, article, "en")
    assert _by_id(shared, listed.pk)["is_mine"] is False
    Vote.objects.create(user=writer, comment=listed, choice="agree", region="world", updated_at=listed.created_at)

    own = _get(client_for(writer), article, "en", HTTP_IF_NONE_MATCH=shared["ETag"])
    assert own.status_code == 200
    assert _by_id(own, listed.pk)["is_mine"] is True
    assert _by_id(own, listed.pk)["my_vote"] == "agree"
    assert "ETag" not in own
    assert "public" not in own.get("Cache-Control", "")
    assert "Authorization" in own["Vary"]


def test_unsigned_japan_reactions_stay_unsigned_in_the_shared_copy(anonymous_client, article, japan_reader):
    reaction = CommentFactory(article=article, author=japan_reader)
    url = comments_url(article, section="japan")
    # The author's own view names them; the shared copy, fetched after, must not.
    assert client_for(japan_reader).get(url).json()["results"][0]["author"] is not None
    for _ in range(2):
        answer = anonymous_client.get(url).json()["results"]
        assert answer[0]["id"] == reaction.pk
        assert answer[0]["author"] is None


def _unpublish(article):
    article.status = Article.Status.DRAFT
    article.save()


def _rename(article):
    article.slug = "renamed"
    article.save()


@pytest.mark.parametrize("gone", [_unpublish, Article.delete, _rename], ids=["unpublished", "deleted", "renamed"])
def test_an_article_no_longer_published_under_that_slug_is_a_404_at_once(
    anonymous_client, article, listed, gone, committed
):
    url = comments_url(article, section="world")
    assert anonymous_client.get(url).status_code == 200
    assert anonymous_client.get(url).status_code == 200  # from the cache
    with committed():
        gone(article)
    answer = anonymous_client.get(url)
    assert answer.status_code == 404
    assert "detail" in answer.json()


def test_invalid_queries_are_refused_even_with_a_page_cached(anonymous_client, article, listed):
    assert _get(anonymous_client, article, "en").status_code == 200
    answer = anonymous_client.get(comments_url(article, section="mars"))
    assert answer.status_code == 400
    assert "section" in answer.json()


def test_a_signed_in_browser_is_not_served_the_shared_copy(client, article, listed, writer):
    assert _by_id(_get(client_for(), article, "en"), listed.pk)["is_mine"] is False
    client.force_login(writer)
    assert _by_id(_get(client, article, "en"), listed.pk)["is_mine"] is True


def test_deleting_an_article_without_comments_drops_its_cached_list(anonymous_client, article, committed):
    url = comments_url(article, section="world")
    assert anonymous_client.get(url).json()["results"] == []
    assert anonymous_client.get(url).status_code == 200
    with committed():
        article.delete()  # no comment cascades here: the article's own delete must bump its version
    assert anonymous_client.get(url).status_code == 404


def test_a_query_written_differently_gets_the_same_answer(anonymous_client, article, writer):
    for _ in range(3):
        CommentFactory(article=article, author=writer)
    plain = anonymous_client.get(comments_url(article, section="world", page_size=2)).json()
    cached = anonymous_client.get(comments_url(article, section="world", page_size=2)).json()
    odd = anonymous_client.get(comments_url(article, section="world", page_size="02", sort="newest", x="y")).json()
    assert plain == cached
    assert odd["results"] == plain["results"]
    assert len(plain["results"]) == 2
    # "next" keeps the request's own query (as before caching), with the same cursor.
    assert odd["next"].split("cursor=")[1].split("&")[0] == plain["next"].split("cursor=")[1].split("&")[0]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("change", [_tally_an_agree, _edit, _hide, _approve], ids=lambda c: c.__name__.strip("_"))
def test_signed_in_readers_see_every_change_in_the_next_request(article, listed, change, language, committed):
    reader = client_for(UserFactory(country="US"))
    _get(client_for(), article, language)  # a shared copy exists; the signed-in reader must not get it
    assert _get(reader, article, language).status_code == 200
    with committed():
        shows = change(article, listed)
    assert shows(_get(reader, article, language))
