"""The pages have the same rate limits as the API, from the same settings and the same counters:
over a limit a page answers 429 with Retry-After and a readable page."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from forum.models import Comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.page_script import PageScript
from votes.models import Vote

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

PASSWORD = "a-long-unusual-passphrase-42"


def _assert_limited_page(response) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    text = response.content.decode()
    assert "<html" in text and "Too many requests" in text and "try again in" in text


def sign_up_form(client, username, **extra):
    data = {
        "username": username,
        "email": f"{username}@example.org",
        "country": "JP",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return client.post(reverse("sign_up"), data, **extra)


def test_web_comment_flood_gets_429_and_stores_nothing_more(rates, reader):
    """At 2 comments a minute per reader the third web post is refused with the page, and not stored."""
    rates(comment_user="2/min")
    article = ArticleFactory()
    client = Client()
    client.force_login(reader)

    answers = [client.post(reverse("post_comment", args=[article.slug]), {"body": f"Post {n}"}) for n in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [302, 302]
    refused = answers[2]
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    # The article page again, the refused text still in the box (tests/forum/test_refusals_keep_the_text.py).
    assert "Too many comments at once" in refused.content.decode() and "Post 2</textarea>" in refused.content.decode()
    assert Comment.objects.filter(article=article).count() == 2


def test_web_vote_flood_from_one_address_gets_429(rates, comment):
    """The per-address vote limit counts every reader voting from one address on the page."""
    rates(vote_anon="3/min")
    answers = []
    for _ in range(4):
        client = Client(REMOTE_ADDR="10.3.0.1")
        client.force_login(UserFactory())
        answers.append(client.post(reverse("vote", args=[comment.pk]), {"choice": "agree"}))

    assert [answer.status_code for answer in answers[:3]] == [302, 302, 302]
    _assert_limited_page(answers[3])
    assert Vote.objects.filter(comment=comment).count() == 3


def test_the_page_scripts_vote_over_the_limit_gets_the_apis_429(rates, reader, comment):
    """The page's script votes through the API and gets its error shape, with Retry-After; the
    vote form's address answers the readable page even when asked for JSON."""
    rates(vote_user="1/min")
    script = PageScript(reader, comment.article)
    script.vote(comment.pk, "agree")

    answer = script.vote(comment.pk, "disagree")

    assert answer.status_code == 429 and int(answer["Retry-After"]) >= 1
    assert set(answer.json()) == {"detail"}
    page = script.client.post(
        reverse("vote", args=[comment.pk]),
        {"choice": "disagree", "csrfmiddlewaretoken": script.token},
        HTTP_ACCEPT="application/json",
    )
    _assert_limited_page(page)


def test_web_and_api_votes_share_one_counter(rates, reader, comment):
    """One limit, one count: a vote through the API and one on the page use up 2/min together."""
    rates(vote_user="2/min")
    api = APIClient()
    api.force_authenticate(reader)
    web = Client()
    web.force_login(reader)

    assert api.put(f"/api/v1/comments/{comment.pk}/vote/", {"choice": "agree"}, format="json").status_code == 200
    assert web.post(reverse("vote", args=[comment.pk]), {"choice": "disagree"}).status_code == 302
    _assert_limited_page(web.post(reverse("vote", args=[comment.pk]), {"choice": "agree"}))


def test_sign_up_flood_from_one_address_gets_429_on_the_page_and_in_the_api(rates):
    """Sign-ups per address: two on the page, then the page and the API both refuse the third."""
    rates(signup_anon="2/hour")
    answers = [sign_up_form(Client(REMOTE_ADDR="10.4.0.1"), f"mint{n}") for n in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [302, 302]
    _assert_limited_page(answers[2])
    api_answer = APIClient(REMOTE_ADDR="10.4.0.1").post(
        "/api/v1/auth/sign-up/",
        {"username": "mint9", "password": PASSWORD, "email": "mint9@example.org", "country": "JP"},
        format="json",
    )
    # A fixed hourly window: the wait is what is left of this hour (under a minute in its last one).
    assert api_answer.status_code == 429 and 0 < int(api_answer["Retry-After"]) <= 3600
    assert set(api_answer.json()) == {"detail"}
    assert User.objects.filter(username__startswith="mint").count() == 2
    # Another address can still sign up.
    assert sign_up_form(Client(REMOTE_ADDR="10.4.0.2"), "elsewhere").status_code == 302


def test_web_sign_in_attempts_per_address_are_limited(rates):
    """Sign-in posts from one address count under the same scope as the API's sign-in."""
    rates(auth_anon="2/min")
    UserFactory(username="taro")
    client = Client(REMOTE_ADDR="10.5.0.1")
    for _ in range(2):
        client.get(reverse("login"))  # reading the form is not counted
    answers = [client.post(reverse("login"), {"username": f"nobody{n}", "password": "x"}) for n in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [200, 200]
    _assert_limited_page(answers[2])


def test_reading_pages_is_not_limited(rates, reader):
    """The posting limits apply to posts only: the article page stays readable."""
    rates(comment_user="1/min", comment_anon="1/min", vote_user="1/min", vote_anon="1/min")
    comment = CommentFactory()
    client = Client()
    client.force_login(reader)
    statuses = {client.get(comment.article.get_absolute_url()).status_code for _ in range(4)}
    assert statuses == {200}
