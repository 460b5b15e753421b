import pytest
from django.urls import reverse

from forum.models import Comment, Section
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def post(client, article, body):
    return client.post(reverse("post_comment", args=[article.slug]), {"body": body})


def test_reader_in_japan_posts_into_reactions_in_japan(client, article, japan_reader):
    """A reader whose country is Japan lands in the first section."""
    client.force_login(japan_reader)
    response = post(client, article, "Good news for Japan.")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert comment.section == Section.JAPAN and comment.author == japan_reader


def test_reader_elsewhere_posts_into_voices_from_around_the_world(client, article, reader):
    """Any other country, or none, is a voice from the world."""
    no_country = UserFactory(country="")
    for author in (reader, no_country):
        client.force_login(author)
        post(client, article, f"From {author.username}.")
    assert set(Comment.objects.values_list("section", flat=True)) == {Section.WORLD}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write something before posting."),
        ("   \n\t  ", "Write something before posting."),
        ("x" * 2001, "Keep it to 2000 characters (this one has 2001)."),
        ("null \x00 byte", "Null characters are not allowed."),
    ],
)
def test_invalid_comment_shows_a_form_error_and_saves_nothing(client, article, reader, body, message):
    """Empty, blank, over-long or unstorable text gets a clear message and no row."""
    client.force_login(reader)
    response = post(client, article, body)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Comment.objects.exists()


def test_comment_of_exactly_the_limit_is_accepted(client, article, reader):
    """2,000 characters is allowed; the text is stored stripped."""
    client.force_login(reader)
    post(client, article, "  " + "y" * 2000 + "  ")
    assert Comment.objects.get().body == "y" * 2000


def test_html_in_a_comment_is_shown_as_text(client, article, reader):
    """A <script> payload is escaped on the page, never executed."""
    client.force_login(reader)
    post(client, article, '<script>alert("x")</script><img src=x onerror=alert(1)>')
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_closed_article_refuses_comments(client, reader):
    """Posting under an article whose comments are closed is refused with a message."""
    article = ArticleFactory(comments_open=False)
    client.force_login(reader)
    response = post(client, article, "Too late?")
    assert response.status_code == 403
    assert not Comment.objects.exists()
    page = response.content.decode()
    assert "Comments on this article are closed." in page and "Too late?" in page  # the text comes back


def test_anonymous_post_is_sent_to_sign_in(client, article):
    """Signed-out readers are asked to sign in and nothing is stored."""
    response = post(client, article, "Hello")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    assert not Comment.objects.exists()


def test_comment_form_requires_csrf_token(article, reader):
    """Without the CSRF token the post is rejected with 403."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    response = post(client, article, "Forged")
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_draft_article_is_not_found(client, reader):
    """Drafts are invisible to readers, page and comment form alike."""
    draft = ArticleFactory(status="draft")
    client.force_login(reader)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert post(client, draft, "Early").status_code == 404


def test_hidden_comment_disappears_from_page_and_totals(client, article):
    """A hidden comment is neither listed nor counted in its section's total."""
    shown = CommentFactory(article=article, body="Shown comment")
    CommentFactory(article=article, body="Hidden comment", status=Comment.Status.HIDDEN, author=shown.author)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Shown comment" in page and "Hidden comment" not in page
    assert "(1 comment)" in page
