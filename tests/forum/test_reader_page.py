"""The article page's reader features without a browser: edit and delete pages, the live-counts
endpoint, anchors that keep the reader's place, the character limit, and "My votes"."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.forum.live_wsgi import LiveWsgi
from tests.page_script import PageScript
from votes.counting import tally_comment
from votes.services import cast_vote, retract_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_comment(article, reader):
    return CommentFactory(article=article, author=reader, body="First wording.")


# --- Edit --------------------------------------------------------------------------------------


def test_author_sees_edit_and_delete_controls_only_on_their_own_comment(client, article, reader, own_comment):
    other = CommentFactory(article=article, body="Someone else's words.")
    client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    assert reverse("edit_comment", args=[own_comment.pk]) in page
    assert reverse("delete_comment", args=[own_comment.pk]) in page
    assert reverse("edit_comment", args=[other.pk]) not in page
    assert reverse("delete_comment", args=[other.pk]) not in page
    assert "data-author-id" not in page  # the page names nobody by id, not even to themselves


def test_edit_link_goes_once_the_window_has_passed_but_delete_stays(client, article, reader, own_comment):
    Comment.objects.filter(pk=own_comment.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.COMMENT_EDIT_WINDOW_SECONDS + 5)
    )
    client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    assert reverse("edit_comment", args=[own_comment.pk]) not in page
    assert reverse("delete_comment", args=[own_comment.pk]) in page
    refused = client.get(reverse("edit_comment", args=[own_comment.pk]))
    assert refused.status_code == 403
    assert "The time for editing this comment has passed." in refused.content.decode()


def test_edit_form_rewords_the_comment_and_returns_to_it_marked_edited(client, article, reader, own_comment):
    client.force_login(reader)
    url = reverse("edit_comment", args=[own_comment.pk])
    form = client.get(url)
    assert form.status_code == 200 and "First wording." in form.content.decode()
    response = client.post(url, {"body": "Second wording."})
    assert response.status_code == 302
    assert response["Location"] == own_comment.get_absolute_url()  # the permalink: to the page that shows it
    own_comment.refresh_from_db()
    assert own_comment.body == "Second wording." and own_comment.is_edited
    page = client.get(response["Location"], follow=True)
    assert page.redirect_chain[-1][0] == f"{article.get_absolute_url()}#comment-{own_comment.pk}"
    page = page.content.decode()
    assert "Second wording." in page and "· edited" in page and "Your comment is updated." in page


def test_edit_refusals_are_messages_not_errors(client, article, reader, own_comment):
    url = reverse("edit_comment", args=[own_comment.pk])
    client.force_login(UserFactory())
    refused = client.post(url, {"body": "Not mine to change."})
    assert refused.status_code == 403 and "Only the author can edit this comment." in refused.content.decode()
    client.force_login(reader)
    too_long = "x" * (settings.COMMENT_MAX_LENGTH + 7)
    invalid = client.post(url, {"body": too_long})
    assert invalid.status_code == 400
    text = invalid.content.decode()
    assert f"this one has {settings.COMMENT_MAX_LENGTH + 7}" in text and too_long in text  # nothing cut
    article.comments_open = False
    article.save()
    closed = client.post(url, {"body": "Too late."})
    assert closed.status_code == 403 and "Comments on this article are closed." in closed.content.decode()
    own_comment.refresh_from_db()
    assert own_comment.body == "First wording."


def test_edit_in_place_goes_through_the_api(client, reader, own_comment):
    """The in-place editor PATCHes the API: the new wording back, field errors as the API words
    them, a stranger refused; the edit page answers HTML only."""
    script = PageScript(reader, own_comment.article)
    ok = script.edit(own_comment.pk, {"body": "Line one\nLine two"}).json()
    assert (ok["id"], ok["body"], ok["language"], ok["is_edited"]) == (own_comment.pk, "Line one\nLine two", "en", True)
    blank = script.edit(own_comment.pk, {"body": "   "})
    assert blank.status_code == 400 and list(blank.json()) == ["body"]
    other = PageScript(UserFactory(), own_comment.article).edit(own_comment.pk, {"body": "Mine now"})
    assert other.status_code == 403 and other.json()["detail"] == "Only the author can edit this comment."
    client.force_login(reader)
    page = client.post(
        reverse("edit_comment", args=[own_comment.pk]), {"body": "   "}, headers={"Accept": "application/json"}
    )
    assert page.status_code == 400 and "Write something before posting." in page.content.decode()
    assert page["Content-Type"].startswith("text/html")


# --- Delete ------------------------------------------------------------------------------------


def test_delete_asks_first_then_deletes(client, article, reader, own_comment):
    client.force_login(reader)
    url = reverse("delete_comment", args=[own_comment.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    assert Comment.objects.filter(pk=own_comment.pk).exists()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].endswith("#comment-nav")
    assert not Comment.objects.filter(pk=own_comment.pk).exists()
    assert "Your comment is deleted." in client.get(response["Location"]).content.decode()


def test_delete_refusals_are_messages(client, article, reader, own_comment):
    url = reverse("delete_comment", args=[own_comment.pk])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    refused = client.post(url, headers={"Accept": "application/json"})
    assert refused.status_code == 403 and "Only the author can delete this comment." in refused.content.decode()
    from_script = PageScript(UserFactory(), article).delete(own_comment.pk)
    assert from_script.status_code == 403
    assert from_script.json()["detail"] == "Only the author can delete this comment."
    client.force_login(reader)
    article.comments_open = False
    article.save()
    closed = client.post(url)
    assert closed.status_code == 403 and "comments can no longer be deleted" in closed.content.decode()
    assert Comment.objects.filter(pk=own_comment.pk).exists()


def test_signed_out_reader_is_sent_to_sign_in(client, own_comment):
    response = client.get(reverse("delete_comment", args=[own_comment.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# --- Live counts -------------------------------------------------------------------------------


def _live(client, article, comments, after=0, etag=None):
    url = reverse("article_live", args=[article.pk])
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(url, {"ids": ",".join(str(c.pk) for c in comments), "after": after}, headers=headers)


def test_live_answers_304_from_the_cache_while_nothing_changed(
    client, article, reader, django_assert_num_queries, django_capture_on_commit_callbacks, live_clock
):
    comment = CommentFactory(article=article)
    first = _live(client, article, [comment], after=comment.pk)
    assert first.status_code == 200
    assert first.json()["counts"][str(comment.pk)]["agree"] == 0
    assert first.json()["new_comments"] == {"japan": 0, "world": 0}
    client.force_login(reader)  # a signed-in reader's poll touches neither session nor user
    wsgi, path = LiveWsgi(client), reverse("article_live", args=[article.pk])
    query = f"ids={comment.pk}&after={comment.pk}"
    with django_assert_num_queries(0):  # answered by config/live_shortcut.py
        unchanged = wsgi.get(path, query, if_none_match=first["ETag"])
        again = wsgi.get(path, query)  # same page: cached answer
    assert unchanged.status == 304 and unchanged.headers["ETag"] == first["ETag"]
    assert again.status == 200 and again.body == first.content
    assert wsgi.reached_django == []

    with django_capture_on_commit_callbacks(execute=True):
        cast_vote(user=UserFactory(country="JP"), comment=comment, choice="agree")
        tally_comment(comment_id=comment.pk)
    live_clock.next_period()  # the change shows from the next live version on
    changed = _live(client, article, [comment], after=comment.pk, etag=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert changed.json()["counts"][str(comment.pk)] == {
        "agree": 1,
        "disagree": 0,
        "agree_japan": 1,
        "agree_world": 0,
        "disagree_japan": 0,
        "disagree_world": 0,
    }


def test_live_counts_new_comments_per_section_and_ignores_other_articles(
    client, article, django_capture_on_commit_callbacks
):
    shown = CommentFactory(article=article)
    with django_capture_on_commit_callbacks(execute=True):
        CommentFactory(article=article, author=UserFactory(country="JP"))
        CommentFactory(article=article, author=UserFactory(country="DE"))
        CommentFactory(article=article, author=UserFactory(country="DE"))
    elsewhere = CommentFactory(article=ArticleFactory())
    answer = _live(client, article, [shown, elsewhere], after=shown.pk).json()
    assert answer["new_comments"] == {"japan": 1, "world": 2}
    assert list(answer["counts"]) == [str(shown.pk)]


def test_live_ignores_junk_parameters(client, article):
    response = client.get(reverse("article_live", args=[article.pk]), {"ids": "1,x,-3,99999999999999", "after": "z"})
    assert response.status_code == 200 and response.json()["counts"] == {}


def test_article_page_carries_the_live_version_and_newest_id(client, article):
    newest = CommentFactory(article=article)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'data-newest-id="{newest.pk}"' in page
    assert f'data-live-url="{reverse("article_live", args=[article.pk])}"' in page


# --- Keeping the reader's place ----------------------------------------------------------------


def test_links_land_on_the_comments_not_the_top(client, article):
    comment = CommentFactory(article=article, author=UserFactory(country="JP"))
    CommentFactory.create_batch(101, article=article, author=UserFactory(country="DE"))
    page = client.get(article.get_absolute_url() + "?sort=best").content.decode()
    assert 'href="#section-japan"' in page and 'href="#section-world"' in page
    assert 'href="?sort=agreed#comment-nav"' in page
    assert "?sort=best&amp;japan_page=1&amp;world_page=2#section-world" in page
    assert f"?next={article.get_absolute_url()}%3Fsort%3Dbest%23comment-{comment.pk}" in page  # sign in to vote


def test_comment_box_counts_instead_of_cutting(client, article, reader):
    client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "maxlength" not in page
    assert f'data-max-length="{settings.COMMENT_MAX_LENGTH}"' in page
    assert f'action="{reverse("post_comment", args=[article.slug])}#comment-form"' in page
    too_long = "y" * (settings.COMMENT_MAX_LENGTH + 1)
    refused = client.post(reverse("post_comment", args=[article.slug]), {"body": too_long})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert too_long in text and f"Keep it to {settings.COMMENT_MAX_LENGTH} characters" in text
    assert text.index('id="comment-form"') < text.index("Keep it to") < text.index('id="comment-nav"')


def test_posting_lands_beside_the_form_with_the_message(client, article, reader):
    client.force_login(reader)
    response = client.post(reverse("post_comment", args=[article.slug]), {"body": "Hello there."})
    assert response["Location"] == f"{article.get_absolute_url()}?sort=newest#comment-form"
    page = client.get(response["Location"]).content.decode()
    assert page.index('id="comment-form"') < page.index("Your comment is posted.") < page.index('id="comment-nav"')


# --- My votes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("votes", [3, 60])
def test_my_votes_lists_what_the_reader_agreed_and_disagreed_with(client, reader, votes, django_assert_max_num_queries):
    comments = [CommentFactory(article=ArticleFactory(title=f"Story {n}"), body=f"Opinion {n}") for n in range(votes)]
    for n, comment in enumerate(comments):
        cast_vote(user=reader, comment=comment, choice="agree" if n % 2 else "disagree")
    retract_vote(user=reader, comment=comments[0])
    CommentFactory.create_batch(2)  # others' comments: not listed
    client.force_login(reader)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("my_votes"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Opinion 0<" not in page  # taken back
    last = comments[-1]
    assert f'href="{last.get_absolute_url()}"' in page
    assert page.count('class="my-vote"') == min(votes - 1, 50)
    assert ("Page 1 of 2" in page) == (votes > 51)
    assert "You agreed with" in page and "You disagreed with" in page


def test_my_votes_is_linked_from_the_profile_and_needs_sign_in(client, reader):
    assert reverse("login") in client.get(reverse("my_votes"))["Location"]
    client.force_login(reader)
    assert reverse("my_votes") in client.get(reverse("profile")).content.decode()
    assert "You have not voted on any comment yet." in client.get(reverse("my_votes")).content.decode()


def test_the_wsgi_shortcut_answers_polls_before_django(client, article, django_assert_num_queries):
    """config/wsgi.py puts config.live_shortcut.LiveCountsShortcut in front: a 304 or a cached
    answer costs no query and never reaches Django; a miss goes through to the view."""
    comment = CommentFactory(article=article)
    wsgi = LiveWsgi(client)
    path, query = reverse("article_live", args=[article.pk]), f"ids={comment.pk}&after={comment.pk}"
    first = wsgi.get(path, query)  # nothing cached yet: the view computes and caches it
    assert first.by_django and first.status == 200
    with django_assert_num_queries(0):
        cached = wsgi.get(path, query)
        not_modified = wsgi.get(path, query, if_none_match=first.headers["ETag"])
    other_page = wsgi.get(path, f"ids={comment.pk + 1000}&after=0")  # another page's comments: a miss
    article_page = wsgi.get(article.get_absolute_url())
    assert not cached.by_django and (cached.status, cached.body) == (200, first.body)
    assert cached.headers["ETag"] == first.headers["ETag"]
    assert cached.headers["Content-Type"] == "application/json"
    assert not not_modified.by_django and (not_modified.status, not_modified.body) == (304, b"")
    assert other_page.by_django and article_page.by_django
    assert wsgi.reached_django == [path, path, article.get_absolute_url()]
