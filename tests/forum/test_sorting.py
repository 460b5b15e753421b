import pytest

from forum.selectors import SORTS, section_comments
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from votes.counting import tally_comment
from votes.services import cast_vote

pytestmark = pytest.mark.django_db


def vote_many(comment, *, jp_agree=0, jp_disagree=0, world_agree=0, world_disagree=0):
    plan = [("JP", "agree", jp_agree), ("JP", "disagree", jp_disagree)]
    plan += [("US", "agree", world_agree), ("US", "disagree", world_disagree)]
    for country, choice, count in plan:
        for user in UserFactory.create_batch(count, country=country):
            cast_vote(user=user, comment=comment, choice=choice)
    tally_comment(comment_id=comment.pk)


@pytest.fixture
def ranked():
    """Four world comments with different vote patterns, posted in this order."""
    article = ArticleFactory()
    author = UserFactory(country="GB")
    make = lambda body: CommentFactory(article=article, author=author, body=body)  # noqa: E731
    comments = {
        "japan_loves": make("japan_loves"),
        "everyone_agrees": make("everyone_agrees"),
        "split": make("split"),
        "disliked": make("disliked"),
    }
    vote_many(comments["japan_loves"], jp_agree=12, world_disagree=6)
    vote_many(comments["everyone_agrees"], jp_agree=5, world_agree=5)
    vote_many(comments["split"], jp_agree=4, jp_disagree=5, world_agree=4, world_disagree=5)
    vote_many(comments["disliked"], world_disagree=9, world_agree=1)
    return article


def order(article, sort):
    return [c.body for c in section_comments(article=article, section="world", sort=sort)]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["disliked", "split", "everyone_agrees", "japan_loves"]),
        ("agreed", ["japan_loves", "everyone_agrees", "split", "disliked"]),
        ("disagreed", ["split", "disliked", "japan_loves", "everyone_agrees"]),
        ("best", ["everyone_agrees", "japan_loves", "split", "disliked"]),
        ("controversial", ["split", "japan_loves", "disliked", "everyone_agrees"]),
        ("common_ground", ["everyone_agrees", "split", "disliked", "japan_loves"]),
    ],
)
def test_each_sort_orders_by_its_stored_score(ranked, sort, expected):
    """Every sort reads the column the tally maintains and ranks the four patterns as designed."""
    assert order(ranked, sort) == expected


def test_every_sort_ends_with_the_id_so_the_order_is_total():
    assert all(fields[-1] == "-id" for fields in SORTS.values())


def test_page_shows_the_breakdown_next_to_the_counts(client, ranked):
    """ "I agree 12 — Japan 12 · World 0": the split is on the page, labelled for screen readers."""
    page = client.get(ranked.get_absolute_url() + "?sort=agreed").content.decode()
    first = page[page.index('id="section-world"') :]
    assert '<span data-count="agree_japan">12</span>' in first.split("</form>")[0]
    assert "agree votes by region:" in first
