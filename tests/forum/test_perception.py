"""The perception gap: which comments Japan and the world agree with, where they meet and where
they differ most, read from the stored counters (forum.selectors.perception), on the page and in the API."""

import pytest
from django.urls import reverse

from forum import selectors
from forum.models import Comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from votes.counting import tally_comment
from votes.services import cast_vote

pytestmark = pytest.mark.django_db


def with_counts(comment: Comment, *, agree_japan=0, disagree_japan=0, agree_world=0, disagree_world=0) -> Comment:
    """Store counters as the tally would (the selector reads only these)."""
    from votes import scoring

    fields = {
        "agree_japan_count": agree_japan,
        "disagree_japan_count": disagree_japan,
        "agree_world_count": agree_world,
        "disagree_world_count": disagree_world,
        "agree_count": agree_japan + agree_world,
        "disagree_count": disagree_japan + disagree_world,
        "common_ground_score": scoring.common_ground(
            agree_japan=agree_japan,
            disagree_japan=disagree_japan,
            agree_world=agree_world,
            disagree_world=disagree_world,
        ),
    }
    Comment.objects.filter(pk=comment.pk).update(**fields)
    comment.refresh_from_db()
    return comment


def picks_of(article) -> dict[str, Comment]:
    return {pick.kind: pick.comment for pick in selectors.perception(article=article)}


@pytest.fixture
def debate(article):
    """Four comments, each the clear answer to one question."""
    loved_in_japan = with_counts(CommentFactory(article=article, body="Loved in Japan"), agree_japan=9, agree_world=1)
    loved_abroad = with_counts(CommentFactory(article=article, body="Loved abroad"), agree_world=12, disagree_world=1)
    shared = with_counts(
        CommentFactory(article=article, body="Both agree"),
        agree_japan=8,
        disagree_japan=0,
        agree_world=11,
        disagree_world=0,
    )
    split = with_counts(
        CommentFactory(article=article, body="Split opinion"),
        agree_japan=6,
        disagree_japan=0,
        agree_world=0,
        disagree_world=7,
    )
    return {"japan": loved_in_japan, "world": loved_abroad, "shared": shared, "split": split}


@pytest.mark.embedded  # window functions on SQLite too
def test_each_pick_answers_its_question(debate, article, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        picks = picks_of(article)
    assert picks["japan_favourite"] == debate["japan"]  # net +9 from Japan beats +8 and +6
    assert picks["world_favourite"] == debate["world"]  # net +11 ties "Both agree"; more agree votes win
    assert picks["common_ground"] == debate["shared"]
    assert picks["widest_gap"] == debate["split"]  # 100% in Japan against 0% abroad


def test_world_favourite_is_the_most_net_agreement(article):
    a = with_counts(CommentFactory(article=article), agree_world=5, disagree_world=4)  # net +1
    b = with_counts(CommentFactory(article=article), agree_world=3)  # net +3
    with_counts(CommentFactory(article=article), agree_world=0, disagree_world=9)  # net -9: never a favourite
    assert picks_of(article)["world_favourite"] == b != a


def test_a_gap_needs_enough_votes_from_each_region(article, settings):
    settings.PERCEPTION_MIN_VOTES_PER_REGION = 5
    few = with_counts(CommentFactory(article=article), agree_japan=4, agree_world=0, disagree_world=9)
    assert "widest_gap" not in picks_of(article)  # only 4 votes from Japan
    with_counts(few, agree_japan=5, agree_world=0, disagree_world=9)
    assert picks_of(article)["widest_gap"] == few
    settings.PERCEPTION_MIN_VOTES_PER_REGION = 6
    assert "widest_gap" not in picks_of(article)


def test_no_votes_no_picks(article):
    CommentFactory(article=article)
    assert selectors.perception(article=article) == []


@pytest.mark.parametrize("status", [Comment.Status.HIDDEN, Comment.Status.HELD, Comment.Status.PENDING])
def test_hidden_or_held_comments_never_appear(debate, article, status):
    Comment.objects.filter(pk__in=[c.pk for c in debate.values()]).update(status=status)
    assert selectors.perception(article=article) == []


def test_other_articles_comments_do_not_count(debate):
    other = ArticleFactory()
    with_counts(CommentFactory(article=other), agree_japan=50, agree_world=50)
    assert picks_of(debate["japan"].article)["japan_favourite"] == debate["japan"]


def test_computed_from_real_votes_after_the_tally(article, settings):
    """End to end without hand-set counters: votes, the tally, then the picks."""
    settings.PERCEPTION_MIN_VOTES_PER_REGION = 2
    comment = CommentFactory(article=article, body="Tallied")
    japan = [UserFactory(country="JP") for _ in range(2)]
    world = [UserFactory(country="DE") for _ in range(2)]
    for voter in japan:
        cast_vote(user=voter, comment=comment, choice="agree")
    for voter in world:
        cast_vote(user=voter, comment=comment, choice="disagree")
    assert selectors.perception(article=article) == []  # nothing tallied yet: counters are the source
    tally_comment(comment_id=comment.pk)
    picks = picks_of(article)
    assert picks["japan_favourite"] == comment
    assert picks["widest_gap"] == comment
    assert "world_favourite" not in picks and "common_ground" not in picks


def test_article_page_shows_the_summary_for_screen_readers(client, debate, article):
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count('id="perception-heading"') == 1
    start = page.index('<aside class="perception"')
    block = page[start : page.index("</aside>", start)]
    assert "How Japan and the world see it" in block
    assert "<dl>" in block and "<dt>Japan agrees most with</dt>" in block
    assert "<dt>Where Japan and the world differ most</dt>" in block
    assert f'href="{debate["split"].get_absolute_url()}?sort=newest"' in block  # the permalink finds its page
    assert "Japan: 100% agree (6 votes)" in block and "World: 0% agree (7 votes)" in block


def test_article_page_without_votes_says_so(client, article):
    CommentFactory(article=article)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Not enough votes yet to compare" in page


def test_api_answers_the_picks(client, debate, article, django_assert_max_num_queries):
    url = reverse("api_article_perception", kwargs={"slug": article.slug})
    with django_assert_max_num_queries(3):
        response = client.get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["min_votes_per_region"] == 5
    assert body["widest_gap"]["comment"]["id"] == debate["split"].pk
    assert body["widest_gap"]["japan"] == {"agree": 6, "disagree": 0, "rate": 1.0}
    assert body["widest_gap"]["world"] == {"agree": 0, "disagree": 7, "rate": 0.0}
    assert body["common_ground"]["comment"]["id"] == debate["shared"].pk
    assert body["japan_favourite"]["comment"]["body"] == "Loved in Japan"


def test_api_keeps_reactions_in_japan_unsigned(client, article):
    author = UserFactory(country="JP", display_name="Secret Sato")
    with_counts(CommentFactory(article=article, author=author), agree_japan=3)
    body = client.get(reverse("api_article_perception", kwargs={"slug": article.slug})).json()
    assert body["japan_favourite"]["comment"]["author"] is None
    assert "Secret Sato" not in str(body)
    client.force_login(author)
    body = client.get(reverse("api_article_perception", kwargs={"slug": article.slug})).json()
    assert body["japan_favourite"]["comment"]["author"]["display_name"] == "Secret Sato"


def test_api_nulls_and_404(client, article):
    body = client.get(reverse("api_article_perception", kwargs={"slug": article.slug})).json()
    assert body == {
        "min_votes_per_region": 5,
        "japan_favourite": None,
        "world_favourite": None,
        "common_ground": None,
        "widest_gap": None,
    }
    draft = ArticleFactory(status="draft")
    response = client.get(reverse("api_article_perception", kwargs={"slug": draft.slug}))
    assert response.status_code == 404 and "detail" in response.json()
