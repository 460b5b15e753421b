"""The replies' API: posting a reply (to a comment or to a reply, which joins its thread), a
thread's replies oldest first with a cursor, the thread fields on every comment, placeholders,
and threads out of view while their parent is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum import services
from forum.models import Comment
from moderation.services import approve_comments
from tests.api.conftest import client_for, comment_url, comments_url, vote_url
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def replies_url(comment_or_id) -> str:
    return comment_url(comment_or_id) + "replies/"


@pytest.fixture
def japan_comment(open_article):
    return CommentFactory(article=open_article, author=UserFactory(country="JP"), body="日本からの反応です。")


def _reply(comment, author, body="A reply.") -> Comment:
    return services.post_comment(author=author, article=comment.article, body=body, answering=comment)


def test_a_world_reader_replies_to_a_japan_reaction_signed_in_its_thread(japan_comment):
    """The reply lands in the Japan section's thread, signed with the world reader's name and
    country, and the answer carries its thread (parent, reply_to) and a Location."""
    world = UserFactory(country="DE", display_name="Emma")

    response = client_for(world).post(replies_url(japan_comment), {"body": "Greetings from Berlin."}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["parent"] == body["reply_to"] == japan_comment.pk
    assert body["section"] == "japan"
    assert body["signed"] is True
    assert body["author"] == {"display_name": "Emma", "country": "DE", "badge": None}
    assert body["reply_count"] == 0 and body["deleted"] is False and body["is_pick"] is False
    assert response["Location"].endswith(comment_url(body["id"]))


def test_a_reply_to_a_reply_joins_the_thread_and_a_japan_reply_names_nobody(japan_comment):
    """Answering a reply: same thread (parent), naming the reply answered (reply_to); a reader in
    Japan answers unsigned, and other readers are not told who (not even by id)."""
    world_reply = _reply(japan_comment, UserFactory(country="DE"))
    tokyo = UserFactory(country="JP", display_name="Hanako")

    response = client_for(tokyo).post(replies_url(world_reply), {"body": "ありがとう。"}, format="json")

    assert response.status_code == 201
    mine = response.json()
    assert (mine["parent"], mine["reply_to"], mine["signed"]) == (japan_comment.pk, world_reply.pk, False)
    assert mine["author"] == {"display_name": "Hanako", "country": None, "badge": None}  # to herself
    seen = client_for(UserFactory()).get(comment_url(mine["id"])).json()
    assert seen["author"] is None
    assert "Hanako" not in str(seen) and str(tokyo.pk) not in str(seen.get("author"))


def test_a_thread_lists_its_replies_oldest_first_with_a_cursor(japan_comment, anonymous_client):
    """Oldest first; the cursor's pages neither skip nor repeat; a reply's id lists its thread."""
    replies = [_reply(japan_comment, UserFactory(country="GB"), f"Reply {n}") for n in range(5)]

    first = anonymous_client.get(replies_url(japan_comment) + "?page_size=2").json()
    second = anonymous_client.get(first["next"]).json()
    third = anonymous_client.get(second["next"]).json()
    via_reply = anonymous_client.get(replies_url(replies[3]) + "?page_size=100").json()

    ids = [item["id"] for page in (first, second, third) for item in page["results"]]
    assert ids == [reply.pk for reply in replies] == [item["id"] for item in via_reply["results"]]
    assert third["next"] is None


def test_a_thread_costs_the_same_queries_with_3_and_30_replies(japan_comment, django_assert_max_num_queries):
    """Comment, page and the reader's votes: fixed, whatever the thread's length."""
    reader = UserFactory()
    client = client_for(reader)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(replies_url(japan_comment) + "?page_size=100").status_code == 200
        return len(queries)

    for n in range(3):
        _reply(japan_comment, UserFactory(country="US"), f"Early {n}")
    at_3 = count()
    authors = [UserFactory(country="FR") for _ in range(3)]
    for n in range(27):
        _reply(japan_comment, authors[n % 3], f"Later {n}")
    with django_assert_max_num_queries(at_3):
        assert count() == at_3 <= 4  # token, comment, replies, votes


def test_the_article_list_is_top_level_with_visible_reply_counts(open_article, japan_comment, anonymous_client):
    """Replies are not listed among the section's comments; each comment counts its visible
    replies (a pending or hidden one is not counted), in the list and the detail alike."""
    _reply(japan_comment, UserFactory(country="GB"))
    _reply(japan_comment, UserFactory(country="JP"))
    CommentFactory(
        article=open_article, parent=japan_comment, reply_to=japan_comment, section="japan", status="pending"
    )
    CommentFactory(article=open_article, parent=japan_comment, reply_to=japan_comment, section="japan", status="hidden")

    listed = anonymous_client.get(comments_url(open_article, section="japan")).json()["results"]

    assert [(item["id"], item["reply_count"], item["parent"]) for item in listed] == [(japan_comment.pk, 2, None)]
    assert anonymous_client.get(comment_url(japan_comment)).json()["reply_count"] == 2


def test_the_signed_out_list_shows_a_new_reply_in_its_count(open_article, japan_comment, anonymous_client):
    """The shared signed-out copy is retired by a reply (post_comment bumps the version)."""
    url = comments_url(open_article, section="japan")
    assert anonymous_client.get(url).json()["results"][0]["reply_count"] == 0
    client_for(UserFactory(country="GB")).post(replies_url(japan_comment), {"body": "First!"}, format="json")
    assert anonymous_client.get(url).json()["results"][0]["reply_count"] == 1


def test_a_deleted_comment_with_replies_stays_a_placeholder_that_takes_nothing(japan_comment):
    """Deleted by its author while it has a reply: shown deleted, no text or author; no votes,
    edits, reports, replies or second deletion (403 with a code); its thread is still listed."""
    reply = _reply(japan_comment, UserFactory(country="GB"))
    author = client_for(japan_comment.author)
    assert author.delete(comment_url(japan_comment)).status_code == 204

    stranger = client_for(UserFactory(country="US"))
    shown = stranger.get(comment_url(japan_comment)).json()
    assert (shown["deleted"], shown["body"], shown["author"], shown["reply_count"]) == (True, "", None, 1)
    assert stranger.put(vote_url(japan_comment), {"choice": "agree"}, format="json").json()["code"] == (
        "not_open_for_votes"
    )
    for answer in (
        stranger.post(replies_url(japan_comment), {"body": "Hello?"}, format="json"),
        stranger.post(comment_url(japan_comment) + "report/", {"reason": "spam"}, format="json"),
        author.patch(comment_url(japan_comment), {"body": "Back again."}, format="json"),
        author.delete(comment_url(japan_comment)),
    ):
        assert (answer.status_code, answer.json()["code"]) == (403, "comment_deleted")
    assert [item["id"] for item in stranger.get(replies_url(japan_comment)).json()["results"]] == [reply.pk]
    # Its thread still takes answers to its replies.
    assert stranger.post(replies_url(reply), {"body": "Answering the reply."}, format="json").status_code == 201


def test_a_thread_is_out_of_view_while_its_parent_is_held(japan_comment, moderator):
    """A held parent takes its replies with it: not readable, votable or answerable (404), and
    they come back when a moderator approves it."""
    reply = _reply(japan_comment, UserFactory(country="GB"))
    services.set_comment_status(comments=[japan_comment], status=Comment.Status.HELD)
    reader = client_for(UserFactory(country="US"))

    assert reader.get(comment_url(reply)).status_code == 404
    assert reader.get(replies_url(reply)).status_code == 404
    assert reader.put(vote_url(reply), {"choice": "agree"}, format="json").status_code == 404
    assert reader.post(replies_url(reply), {"body": "Hm."}, format="json").status_code == 404
    approve_comments(moderator=moderator, comment_ids=[japan_comment.pk])
    assert reader.get(comment_url(reply)).status_code == 200
    assert reader.put(vote_url(reply), {"choice": "agree"}, format="json").status_code == 200


def test_a_closed_section_refuses_replies_from_either_region(open_article, japan_comment):
    """The Japan section closed: a reader elsewhere, whose own section is open, cannot reply in
    its threads either; the world section's threads still take a reply from Japan."""
    world_comment = CommentFactory(article=open_article, author=UserFactory(country="GB"))
    open_article.japan_open = False
    open_article.save()

    refused = client_for(UserFactory(country="DE")).post(replies_url(japan_comment), {"body": "Hi"}, format="json")
    allowed = client_for(UserFactory(country="JP")).post(replies_url(world_comment), {"body": "Hi"}, format="json")

    assert (refused.status_code, refused.json()["code"]) == (403, "section_closed")
    assert allowed.status_code == 201 and allowed.json()["section"] == "world"


def test_replying_needs_sign_in_and_a_valid_body(japan_comment, anonymous_client):
    assert anonymous_client.post(replies_url(japan_comment), {"body": "Hi"}, format="json").status_code == 401
    blank = client_for(UserFactory()).post(replies_url(japan_comment), {"body": "   "}, format="json")
    assert blank.status_code == 400 and "body" in blank.json()
    assert client_for(UserFactory()).post(replies_url(10**12), {"body": "Hi"}, format="json").status_code == 404


def test_replies_count_against_the_comment_limit(rates, japan_comment):
    """Posting a comment and replying share one limit: at 2 a minute the third is 429."""
    rates(comment_user="2/min")
    reader = UserFactory(country="GB")
    client = client_for(reader)

    answers = [
        client.post(comments_url(japan_comment.article), {"body": "A comment."}, format="json"),
        client.post(replies_url(japan_comment), {"body": "A reply."}, format="json"),
        client.post(replies_url(japan_comment), {"body": "Another reply."}, format="json"),
    ]

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert Comment.objects.filter(author=reader).count() == 2


def test_a_reply_to_a_draft_articles_comment_is_404(anonymous_client):
    draft = ArticleFactory(status="draft")
    comment = CommentFactory(article=draft)
    assert client_for(UserFactory()).post(replies_url(comment), {"body": "Hi"}, format="json").status_code == 404
    assert anonymous_client.get(replies_url(comment)).status_code == 404


def test_the_replies_operations_are_in_the_schema(anonymous_client):
    schema = anonymous_client.get("/api/schema/?format=json").json()
    operations = schema["paths"]["/api/v1/comments/{comment_id}/replies/"]
    assert {operations["get"]["operationId"], operations["post"]["operationId"]} == {
        "comments_replies_list",
        "comments_replies_create",
    }
    fields = schema["components"]["schemas"]["CommentOutput"]["properties"]
    assert {"parent", "reply_to", "reply_count", "deleted", "is_pick", "pick_note"} <= set(fields)


def test_my_comments_name_each_replys_thread(japan_comment):
    reader = UserFactory(country="GB")
    reply = _reply(japan_comment, reader)
    mine = client_for(reader).get("/api/v1/me/comments/").json()["results"]
    assert [(item["id"], item["parent"], item["reply_to"], item["deleted"]) for item in mine] == [
        (reply.pk, japan_comment.pk, japan_comment.pk, False)
    ]
