import pytest

from forum.services import post_comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory


@pytest.fixture
def thread(db):
    """A world reader's comment on an open article, and the readers who take part."""
    article = ArticleFactory(title="Rare earths", slug="rare-earths")
    emma = UserFactory(username="emma", display_name="Emma", country="DE", email="emma@example.org")
    hana = UserFactory(username="hana", display_name="Hana Tanaka", country="JP", email="hana@example.jp")
    sam = UserFactory(username="sam", display_name="Sam", country="GB", email="sam@example.org")
    top = CommentFactory(article=article, author=hana, body="日本では賛成の声が多いです。")
    return article, top, emma, hana, sam


@pytest.fixture
def reply(django_capture_on_commit_callbacks):
    """Post a reply through the forum's service, running what happens after its commit."""

    def post(*, author, answering, body="A reply.", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post_comment(author=author, article=answering.article, body=body, answering=answering, **kwargs)

    return post
