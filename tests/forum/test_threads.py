"""Threads on the article page (issue 20): each top-level comment shows its first replies, oldest
first, and "N more replies"; the thread's own page shows them all with the reply form; replying
goes through a page view that answers HTML only; replies say where their voices are from and whom
they answer; a placeholder keeps its replies; the live counts announce new replies."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation

from forum import page_cache, selectors, services
from forum.caching import article_version
from forum.models import Comment, Section
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.pages import comment_markup
from votes.counting import tally_comments
from votes.services import cast_vote

PAGES = {"japan": 1, "world": 1}


def _reply(parent: Comment, author, body: str = "", *, answering: Comment | None = None) -> Comment:
    body = body or f"A reply by {author.username}."
    return services.post_comment(author=author, article=parent.article, body=body, answering=answering or parent)


@pytest.fixture
def thread(article):
    """A Japan reaction answered by five readers in turn: a German reader (signed), a reader in
    Japan (unsigned), and so on, the last two answering replies."""
    parent = CommentFactory(article=article, author=UserFactory(country="JP"), body="Japan reacts.")
    emma = UserFactory(country="DE", display_name="Emma")
    kenji = UserFactory(country="JP", display_name="Kenji Secret")
    first = _reply(parent, emma, "Emma answers Japan.")
    second = _reply(parent, kenji, "Kenji answers the thread.")
    third = _reply(parent, UserFactory(country="FR", display_name="Luc"), "Luc too.")
    fourth = _reply(parent, kenji, "Kenji answers Emma.", answering=first)
    fifth = _reply(parent, emma, "Emma answers Kenji.", answering=second)
    return parent, [first, second, third, fourth, fifth], emma, kenji


def _page(client, article, **query) -> str:
    response = client.get(article.get_absolute_url(), query)
    assert response.status_code == 200
    return response.content.decode()


def test_a_thread_shows_its_first_replies_oldest_first_then_how_many_more(client, article, thread):
    parent, replies, _emma, _kenji = thread
    page = _page(client, article)
    markup = comment_markup(page, parent.pk)
    shown = [reply for reply in replies if f'id="comment-{reply.pk}"' in markup]
    assert shown == replies[:3]  # FORUM_THREAD_REPLIES_SHOWN, oldest first
    positions = [markup.index(f'id="comment-{reply.pk}"') for reply in shown]
    assert positions == sorted(positions) and '<ol class="replies">' in markup
    more = f'href="/comments/{parent.pk}/thread/"'
    assert more in markup and "2 more replies" in markup
    with translation.override("ja"):
        japanese = client.get(article.get_absolute_url(), headers={"accept-language": "ja"}).content.decode()
    assert "返信をさらに表示（2件）" in japanese


def test_the_number_shown_is_a_setting(client, settings, article, thread):
    settings.FORUM_THREAD_REPLIES_SHOWN = 1
    parent, replies, _emma, _kenji = thread
    markup = comment_markup(_page(client, article), parent.pk)
    assert f'id="comment-{replies[0].pk}"' in markup and f'id="comment-{replies[1].pk}"' not in markup
    assert "4 more replies" in markup


def test_replies_say_where_their_voices_are_from_and_whom_they_answer(settings, article, thread):
    settings.FORUM_THREAD_REPLIES_SHOWN = 5
    parent, replies, emma, kenji = thread
    nobody = AnonymousUser()
    for language, in_japan, to_japan in (
        ("en", "A reader in Japan", "Replying to a reader in Japan"),
        ("ja", "日本の読者", "日本の読者への返信"),
    ):
        with translation.override(language):
            rendered, _ = page_cache.render_sections(article=article, sort="newest", pages=PAGES, viewer=nobody)
        html = rendered.html
        signed = comment_markup(html, replies[0].pk)
        assert "Emma" in signed and 'class="country"' in signed
        assert in_japan in comment_markup(html, replies[1].pk)
        assert f'<a href="#comment-{replies[0].pk}">@Emma</a>' in comment_markup(html, replies[3].pk)
        assert f'<a href="#comment-{replies[1].pk}">{to_japan}</a>' in comment_markup(html, replies[4].pk)
        assert 'class="answering"' not in comment_markup(html, replies[0].pk)  # it answers the thread
        assert "Kenji Secret" not in html and kenji.username not in html


def test_the_thread_page_names_whom_replies_answer(client, article, thread):
    parent, replies, _emma, kenji = thread
    page = client.get(f"/comments/{parent.pk}/thread/").content.decode()
    assert f'<a href="#comment-{replies[0].pk}">@Emma</a>' in comment_markup(page, replies[3].pk)
    assert "Replying to a reader in Japan" in comment_markup(page, replies[4].pk)
    assert "Kenji Secret" not in page and kenji.username not in page
    japanese = client.get(f"/comments/{parent.pk}/thread/", headers={"accept-language": "ja"}).content.decode()
    assert "日本の読者への返信" in japanese and "日本の読者" in comment_markup(japanese, replies[1].pk)


def test_the_thread_page_shows_every_reply_oldest_first_with_the_parent_on_top(client, settings, article, thread):
    settings.FORUM_THREAD_REPLIES_PER_PAGE = 2
    parent, replies, _emma, _kenji = thread
    pages = [client.get(f"/comments/{parent.pk}/thread/", {"page": n}).content.decode() for n in (1, 2, 3)]
    for n, page in enumerate(pages):
        assert page.index(f'id="comment-{parent.pk}"') < page.index('<ol class="replies">')
        ids = [reply.pk for reply in replies if f'id="comment-{reply.pk}"' in page]
        assert ids == [reply.pk for reply in replies[n * 2 : n * 2 + 2]]
    assert "Page 1 of 3" in pages[0] and 'rel="next" href="?page=2"' in pages[0]
    assert 'class="sign-in-invite"' in pages[0]  # signed out: no form, an invitation
    # A reply's id leads to its own place.
    response = client.get(f"/comments/{replies[4].pk}/thread/")
    assert response.status_code == 302


def test_section_totals_and_sorts_count_top_level_comments_only(client, article, thread):
    parent, replies, _emma, _kenji = thread
    totals = selectors.section_totals(article=article)
    assert totals == {"japan": 1, "world": 0}
    for sort in selectors.SORTS:
        sections = selectors.article_sections(article=article, sort=sort, pages=PAGES)
        assert [c.pk for c in sections[0].comments] == [parent.pk] and sections[1].comments == []


@pytest.mark.embedded  # a voter's page on SQLite too: the overlay compares its vote's time
def test_replies_take_votes_counted_by_region(client, article, thread):
    parent, replies, emma, kenji = thread
    voter_jp, voter_de = UserFactory(country="JP"), UserFactory(country="DE")
    for reply in replies[:2]:
        cast_vote(user=voter_jp, comment=reply, choice="agree")
        cast_vote(user=voter_de, comment=reply, choice="disagree")
    tally_comments(comment_ids=[reply.pk for reply in replies])
    page = _page(client, article)
    for reply in replies[:2]:
        markup = comment_markup(page, reply.pk)
        assert '<span data-count="agree_japan">1</span>' in markup
        assert '<span data-count="disagree_world">1</span>' in markup
    # The voter's own page lays in their pressed buttons on the replies (the overlay).
    client.force_login(voter_jp)
    page = _page(client, article)
    for reply in replies[:2]:
        assert 'value="agree" class="vote-button agree" aria-pressed="true"' in comment_markup(page, reply.pk)


def test_the_reply_control_follows_the_refusal_rule(client, article, thread):
    parent, replies, emma, _kenji = thread
    page = _page(client, article)  # signed out: Reply leads to the thread's page with an invitation
    assert f'href="/comments/{replies[0].pk}/reply/#reply-form"' in comment_markup(page, replies[0].pk)
    client.force_login(UserFactory(country="GB"))
    page = _page(client, article)
    assert f'data-reply-url="/comments/{parent.pk}/reply/"' in page
    assert 'id="reply-form-template"' in page
    # A closed section takes no replies in its threads, whoever replies.
    article.japan_open = False
    article.save()
    page = _page(client, article)
    markup = comment_markup(page, replies[0].pk)
    assert 'class="reply-button" disabled' in markup and "closed" in markup
    # A suspended reader sees it disabled, and why in the page's shell.
    article.japan_open = True
    article.save()
    suspended = UserFactory(country="GB", suspended_until=timezone.now() + timedelta(days=1))
    client.force_login(suspended)
    page = _page(client, article)
    assert 'class="reply-button" disabled' in comment_markup(page, parent.pk)
    assert 'id="participation-refusal"' in page and "suspended" in page
    # A closed discussion offers no Reply at all, and the thread's page says it is closed.
    article.comments_open = False
    article.save()
    client.force_login(emma)
    assert "reply-control" not in _page(client, article)
    client.logout()
    thread_page = client.get(f"/comments/{parent.pk}/thread/").content.decode()
    assert "Comments on this article are closed." in thread_page and "sign-in-invite" not in thread_page


def test_replying_without_javascript(client, article, thread):
    parent, replies, emma, kenji = thread
    client.force_login(kenji)
    form_page = client.get(f"/comments/{replies[0].pk}/reply/")
    assert form_page.status_code == 200
    html = form_page.content.decode()
    assert f'action="/comments/{replies[0].pk}/reply/#reply-form"' in html and "Replying to @Emma" in html
    response = client.post(f"/comments/{replies[0].pk}/reply/", {"reply-body": "Kenji again.", "reply-language": ""})
    posted = Comment.objects.get(body="Kenji again.")
    assert response.status_code == 302 and response["Location"] == f"/comments/{posted.pk}/"
    assert posted.parent_id == parent.pk and posted.reply_to_id == replies[0].pk and not posted.signed
    # Its permalink leads to where it shows: the thread's page (the article page shows the first 3).
    landing = client.get(response["Location"])
    assert landing.status_code == 302 and landing["Location"] == f"/comments/{parent.pk}/thread/#comment-{posted.pk}"
    # The first replies' permalinks lead to the article page, under their parent.
    first = client.get(f"/comments/{replies[0].pk}/")
    assert first["Location"] == f"{article.get_absolute_url()}#comment-{replies[0].pk}"


def test_a_bad_reply_comes_back_with_what_was_typed_and_why(client, article, thread):
    parent, _replies, emma, _kenji = thread
    client.force_login(emma)
    blank = client.post(f"/comments/{parent.pk}/reply/", {"reply-body": "   "})
    assert blank.status_code == 400 and "Write something before posting." in blank.content.decode()
    long_text = "x" * 2001
    too_long = client.post(f"/comments/{parent.pk}/reply/", {"reply-body": long_text})
    assert too_long.status_code == 400 and long_text in too_long.content.decode()
    article.japan_open = False
    article.save()
    closed = client.post(f"/comments/{parent.pk}/reply/", {"reply-body": "Kept text."})
    html = closed.content.decode()
    assert closed.status_code == 403 and "Kept text." in html and "closed" in html
    assert Comment.objects.filter(parent=parent).count() == 5
    # Signed out: to the sign-in page, and back to the form.
    client.logout()
    response = client.post(f"/comments/{parent.pk}/reply/", {"reply-body": "Hi"})
    assert response.status_code == 302 and "/reply/" in response["Location"]
    assert client.get("/comments/999999/reply/").status_code == 404


def test_a_placeholder_keeps_its_replies_and_shows_nothing_else(client, article, thread):
    parent, replies, emma, _kenji = thread
    voter = UserFactory(country="GB")
    cast_vote(user=voter, comment=parent, choice="agree")
    Comment.objects.filter(pk=parent.pk).update(deleted_at=timezone.now(), body="")
    article.save()  # a new content version, as the service's bump would
    for language, deleted in (("en", "This comment was deleted"), ("ja", "このコメントは削除されました")):
        page = client.get(article.get_absolute_url(), headers={"accept-language": language}).content.decode()
        markup = comment_markup(page, parent.pk)
        assert deleted in markup and f'id="comment-{replies[0].pk}"' in markup
        own = markup[: markup.index('<ol class="replies">')]
        assert "vote-button" not in own and "reply-control" not in own and 'class="byline"' not in own
    client.force_login(voter)  # their vote on it has no part to lay in
    markup = comment_markup(_page(client, article), parent.pk)
    assert "This comment was deleted" in markup


def test_live_counts_tell_each_thread_its_new_replies(article, thread):
    parent, replies, emma, kenji = thread
    newest = max(reply.pk for reply in replies)
    other = CommentFactory(article=article, author=UserFactory(country="DE"))
    _reply(parent, emma, "New one.")
    _reply(parent, kenji, "Another.")
    _reply(other, kenji, "Elsewhere.")
    answer = selectors.live_counts(article_id=article.pk, comment_ids=[parent.pk, replies[0].pk], after_id=newest)
    assert answer["new_replies"] == {str(parent.pk): 2}  # threads not shown are not told
    assert set(answer["counts"]) == {str(parent.pk), str(replies[0].pk)}  # a shown reply's counts too
    assert answer["new_comments"] == {"japan": 0, "world": 1}


def _many_threads(article, *, top_level: int, replies: int) -> None:
    authors = [UserFactory(country="JP"), UserFactory(country="DE")]
    parents = Comment.objects.bulk_create(
        Comment(
            article=article,
            author=authors[n % 2],
            section=Section.JAPAN if n % 2 == 0 else Section.WORLD,
            signed=n % 2 == 1,
            body=f"Top {n}",
        )
        for n in range(top_level)
    )
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author=authors[n % 2],
            section=parent.section,
            signed=n % 2 == 1,
            body=f"Reply {n}",
            parent=parent,
            reply_to=parent,
        )
        for n in range(replies)
        for parent in [parents[n % len(parents)]]
    )


@pytest.mark.parametrize(("top_level", "replies"), [(4, 0), (200, 2000)])
def test_the_signed_out_page_runs_a_fixed_number_of_queries(
    db, client, django_assert_max_num_queries, top_level, replies
):
    """200 top-level comments with 2,000 replies (3 shown each) cost the signed-out page what 4
    comments do: the sections, one window query for every thread's first replies and counts,
    the totals, the perception gap and the editors' picks."""
    article = ArticleFactory()
    _many_threads(article, top_level=top_level, replies=replies)
    with django_assert_max_num_queries(7):
        page = _page(client, article)
    assert page.count('class="comment reply"') == min(replies, 3 * top_level)
    if replies:
        assert page.count("7 more replies") == 200
    assert 'class="comment"' in page


def test_a_signed_in_page_with_threads_runs_a_fixed_number_of_queries(db, client, django_assert_max_num_queries):
    article = ArticleFactory()
    _many_threads(article, top_level=200, replies=2000)
    client.force_login(UserFactory(country="GB"))
    with django_assert_max_num_queries(10):
        _page(client, article)
    with django_assert_max_num_queries(6):  # the sections are shared now: the overlay's query
        _page(client, article)


def test_the_thread_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, article, thread):
    parent, replies, _emma, kenji = thread
    for n in range(20):
        _reply(parent, kenji if n % 2 else UserFactory(country="GB"), f"More {n}")
    client.force_login(UserFactory(country="GB"))
    with django_assert_max_num_queries(12):
        response = client.get(f"/comments/{parent.pk}/thread/")
    assert response.content.decode().count('class="comment reply"') == 25


def test_a_new_reply_shows_on_the_next_signed_out_request(client, article, thread):
    parent, replies, emma, _kenji = thread
    before = article_version(article.pk)
    client.get(article.get_absolute_url())  # kept
    reply = _reply(replies[0], emma, "Fresh words.")
    assert article_version(article.pk) != before
    assert client.get(f"/comments/{parent.pk}/thread/").content.decode().count("Fresh words.") == 1
    # The article page shows its first three; the new one is counted among the more.
    assert "3 more replies" in _page(client, article)
    assert reply.reply_to_id == replies[0].pk


@pytest.mark.embedded
def test_replies_count_against_the_comment_limits_and_keep_the_text(client, rates, article, thread):
    """A reply is a comment for the rate limits: over the limit, the thread's page again with the
    text kept and how long to wait (429 with Retry-After), and nothing stored."""
    rates(comment_user="2/min")
    parent, _replies, emma, _kenji = thread
    client.force_login(UserFactory(country="GB"))
    answers = [client.post(f"/comments/{parent.pk}/reply/", {"reply-body": f"Flood {n}"}) for n in range(3)]
    assert [answer.status_code for answer in answers] == [302, 302, 429]
    refused = answers[2].content.decode()
    assert 1 <= int(answers[2]["Retry-After"]) <= 60
    assert "Too many comments at once" in refused and "Flood 2</textarea>" in refused
    assert not Comment.objects.filter(body="Flood 2").exists()
