import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import ArticleFactory, CommentFactory, UserFactory

PASSWORD = "correct horse battery"


def client_for(user=None) -> APIClient:
    """A mobile client: token authentication, or none for an anonymous one."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anonymous_client() -> APIClient:
    return APIClient()


@pytest.fixture
def author(db):
    return UserFactory(username="author", display_name="The Author", country="GB")


@pytest.fixture
def moderator(db, moderators_group):
    user = UserFactory(username="moderator", display_name="Mod", country="JP", is_staff=True)
    user.groups.add(moderators_group)
    return user


@pytest.fixture
def open_article(db):
    return ArticleFactory(slug="open-article")


@pytest.fixture
def authored_comment(open_article, author):
    return CommentFactory(article=open_article, author=author, body="The author's own words.")


def comments_url(article, **query) -> str:
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/api/v1/articles/{article.slug}/comments/" + (f"?{params}" if params else "")


def comment_url(comment_or_id) -> str:
    return f"/api/v1/comments/{getattr(comment_or_id, 'pk', comment_or_id)}/"


def vote_url(comment_or_id) -> str:
    return comment_url(comment_or_id) + "vote/"
