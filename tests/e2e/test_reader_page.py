"""The article page for readers in a real Chromium, in English and in Japanese (each test runs once
per language, with the browser asking for it): editing and deleting one's comment with and without
JavaScript, counts that include the reader's own vote after a vote without JavaScript, live counts
from another reader, links that keep the reader's place, the perception gap, phone-sized tap
targets and the character counter.

Controls are found by the names a reader of the language sees, taken from the catalogue
(tests/e2e/i18n.py), or by the ids and data- attributes of the markup."""

import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from forum.models import Comment, Section
from tests.e2e.i18n import ntr, starting, tr
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from votes.services import cast_vote

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase-42"
# The page polls every 3.5 s and the worker tallies within a second: the bound is 5 s.
LIVE_TIMEOUT_MS = 5_000
LONG_ARTICLE = "\n\n".join(f"Paragraph {n} of a long article that pushes the comments far down." for n in range(120))
PHONE = {"width": 375, "height": 812}


def sign_in(page: Page, base_url: str, username: str, next_path: str, lang: str) -> None:
    page.goto(f"{base_url}/accounts/sign-in/?next={next_path}")
    fill_sign_in_form(page, username, lang)


def fill_sign_in_form(page: Page, username: str, lang: str) -> None:
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form.stacked").get_by_role("button", name=tr(lang, "Sign in")).click()


def in_view(page: Page, selector: str) -> bool:
    """The element's top is on screen: the page landed on it, not at the top of the article."""
    return page.evaluate(
        "s => { const t = document.querySelector(s).getBoundingClientRect().top; return t >= -2 && t < innerHeight; }",
        selector,
    )


@pytest.fixture
def author(db):
    return UserFactory(username="kenji", display_name="Kenji", country="JP", password=PASSWORD)


def test_author_rewords_in_place_and_deletes_after_the_dialog(open_page, lang, live_server, author):
    page = open_page()
    article = ArticleFactory(body=LONG_ARTICLE)
    comment = CommentFactory(article=article, author=author, body="My first wording.")
    sign_in(page, live_server.url, "kenji", article.get_absolute_url(), lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.evaluate("window.stillTheSamePage = true")
    mine = page.locator(f"#comment-{comment.pk}")

    mine.get_by_role("link", name=tr(lang, "Edit"), exact=True).click()
    box = mine.get_by_label(tr(lang, "Edit your comment"))
    expect(box).to_be_focused()
    box.fill("My second wording,\non two lines.")
    mine.get_by_role("button", name=tr(lang, "Save")).click()
    expect(mine.locator(".comment-body")).to_have_text(re.compile(r"^My second wording,\s*on two lines\.\s*$"))
    assert mine.locator(".comment-body br").count() == 1
    expect(mine.locator(".comment-meta")).to_contain_text(tr(lang, "edited"))
    # A form sends a textarea's line breaks as CRLF, with or without the script.
    assert Comment.objects.get(pk=comment.pk).body.replace("\r\n", "\n") == "My second wording,\non two lines."

    delete = mine.get_by_role("link", name=tr(lang, "Delete"), exact=True)
    delete.click()
    dialog = page.get_by_role("dialog", name=tr(lang, "Delete this comment?"))
    expect(dialog).to_contain_text("My second wording")
    expect(dialog).to_contain_text(tr(lang, "Its votes go with it, and this cannot be undone."))
    dialog.get_by_role("button", name=tr(lang, "Cancel")).click()
    expect(dialog).to_be_hidden()
    assert Comment.objects.filter(pk=comment.pk).exists()
    delete.click()
    dialog.get_by_role("button", name=tr(lang, "Delete"), exact=True).click()
    expect(mine).to_have_count(0)
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert page.evaluate("window.stillTheSamePage") is True


def test_author_edits_and_deletes_without_javascript(open_page, lang, live_server, author):
    page = open_page(java_script_enabled=False)
    article = ArticleFactory(body=LONG_ARTICLE)
    comment = CommentFactory(article=article, author=author, body="Without scripts.")
    sign_in(page, live_server.url, "kenji", article.get_absolute_url(), lang)
    mine = page.locator(f"#comment-{comment.pk}")

    mine.get_by_role("link", name=tr(lang, "Edit"), exact=True).click()
    expect(page.get_by_role("heading", name=tr(lang, "Edit your comment"))).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    box = page.get_by_role("textbox", name=tr(lang, "Your comment"), exact=True)
    box.fill("")
    page.get_by_role("button", name=tr(lang, "Save")).click()
    expect(page.get_by_role("alert")).to_have_text(tr(lang, "Write something before posting."))
    box.fill("Reworded without scripts.")
    page.get_by_role("button", name=tr(lang, "Save")).click()
    expect(mine.locator(".comment-body")).to_have_text("Reworded without scripts.")
    expect(mine.locator(".comment-meta")).to_contain_text(tr(lang, "edited"))
    assert page.url.endswith(f"#comment-{comment.pk}") and in_view(page, f"#comment-{comment.pk}")

    mine.get_by_role("link", name=tr(lang, "Delete"), exact=True).click()
    expect(page.get_by_role("heading", name=tr(lang, "Delete your comment"))).to_be_visible()
    warning = tr(lang, "Delete this comment? Its votes go with it, and this cannot be undone.")
    expect(page.get_by_text(warning)).to_be_visible()
    assert Comment.objects.filter(pk=comment.pk).exists()
    page.locator("main form.stacked").get_by_role("button", name=tr(lang, "Delete"), exact=True).click()
    expect(page.get_by_text(tr(lang, "Your comment is deleted."))).to_be_visible()
    expect(page.locator(f"#comment-{comment.pk}")).to_have_count(0)
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_counts_include_the_readers_vote_right_after_a_vote_without_javascript(open_page, lang, live_server, author):
    """No worker runs here, so every count after a vote comes from the page's overlay of the
    reader's vote rows newer than the last tally: the issue's "I agree 2 beside a pressed
    I disagree 0" must not come back."""
    article = ArticleFactory()
    theirs = CommentFactory(article=article, author=UserFactory(country="DE"), body="Count me right.")
    for country in ("JP", "US"):
        cast_vote(user=UserFactory(country=country), comment=theirs, choice="agree")
    # As the worker would have left it: those two votes tallied.
    Comment.objects.filter(pk=theirs.pk).update(
        agree_count=2, agree_japan_count=1, agree_world_count=1, tallied_at=timezone.now()
    )
    page = open_page(java_script_enabled=False)
    sign_in(page, live_server.url, "kenji", article.get_absolute_url(), lang)
    comment = page.locator(f"#comment-{theirs.pk}")
    agree = comment.get_by_role("button", name=starting(tr(lang, "I agree")))
    disagree = comment.get_by_role("button", name=starting(tr(lang, "I disagree")))
    keys = ("agree", "agree_japan", "disagree", "disagree_japan")
    counts = {key: comment.locator(f"[data-count={key}]") for key in keys}

    def shows(pressed: str, **expected: int) -> None:
        expect(agree).to_have_attribute("aria-pressed", "true" if pressed == "agree" else "false")
        expect(disagree).to_have_attribute("aria-pressed", "true" if pressed == "disagree" else "false")
        for key, value in expected.items():
            expect(counts[key]).to_have_text(str(value))

    shows("", agree=2, agree_japan=1, disagree=0)
    agree.click()  # a form post and a redirect back to the page
    shows("agree", agree=3, agree_japan=2, disagree=0, disagree_japan=0)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    disagree.click()
    shows("disagree", agree=2, agree_japan=1, disagree=1, disagree_japan=1)
    disagree.click()  # the same button takes the vote back
    shows("", agree=2, agree_japan=1, disagree=0, disagree_japan=0)


def test_another_readers_vote_and_comment_show_on_an_open_page(open_page, lang, live_server, celery_worker):
    article = ArticleFactory()
    comment = CommentFactory(article=article, author=UserFactory(country="DE"), body="Watch this count.")
    UserFactory(username="voter", country="JP", password=PASSWORD)
    watcher = open_page()
    watcher.goto(live_server.url + article.get_absolute_url())
    watcher.evaluate("window.stillTheSamePage = true")
    count = watcher.locator(f"#comment-{comment.pk} [data-count=agree]")
    expect(count).to_have_text("0")

    voter = open_page()
    sign_in(voter, live_server.url, "voter", article.get_absolute_url(), lang)
    voter.locator(f"#comment-{comment.pk}").get_by_role("button", name=starting(tr(lang, "I agree"))).click()
    expect(count).to_have_text("1", timeout=LIVE_TIMEOUT_MS + 1_000)  # the worker's tally, then a poll
    expect(watcher.locator(f"#comment-{comment.pk} [data-count=agree_japan]")).to_have_text("1")

    voter.get_by_role("textbox", name=tr(lang, "Your comment"), exact=True).fill("A new voice from Japan.")
    voter.get_by_role("button", name=tr(lang, "Post comment")).click()
    notice = watcher.get_by_role("link", name=tr(lang, "1 new comment: show it"))
    expect(notice).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    assert watcher.evaluate("window.stillTheSamePage") is True
    notice.click()
    expect(watcher.get_by_text("A new voice from Japan.")).to_be_visible()


def test_sort_pagination_and_sign_in_keep_the_readers_place(open_page, lang, live_server, author):
    article = ArticleFactory(body=LONG_ARTICLE)
    CommentFactory.create_batch(101, article=article, author=UserFactory(country="DE"))
    target = CommentFactory(article=article, author=UserFactory(country="JP"), body="Vote on me.")
    page = open_page()
    page.goto(live_server.url + article.get_absolute_url())
    assert page.evaluate("scrollY") == 0

    sorts = page.get_by_role("navigation", name=tr(lang, "Sort comments"))
    sorts.get_by_role("link", name=tr(lang, "Most agreed")).click()
    expect(page).to_have_url(re.compile(r"\?sort=agreed#comment-nav$"))
    assert in_view(page, "#comment-nav") and page.evaluate("scrollY") > 1000

    sections = page.get_by_role("navigation", name=tr(lang, "Comment sections"))
    sections.get_by_role("link", name=starting(tr(lang, "Voices from Around the World"))).click()
    assert in_view(page, "#section-world")
    world = page.get_by_role("region", name=starting(tr(lang, "Voices from Around the World")))
    world.get_by_role("link", name=tr(lang, "Next"), exact=True).click()
    expect(world).to_contain_text(tr(lang, "Page %(page)s of %(pages)s", page=2, pages=2))
    assert in_view(page, "#section-world")

    page.locator(f"#comment-{target.pk}").get_by_role("link", name=tr(lang, "Sign in to vote")).click()
    expect(page.get_by_role("heading", name=tr(lang, "Sign in"))).to_be_visible()
    fill_sign_in_form(page, "kenji", lang)
    expect(page).to_have_url(re.compile(rf"#comment-{target.pk}$"))
    assert in_view(page, f"#comment-{target.pk}")


@pytest.fixture
def seen_both_ways(db):
    """An article whose stored counters give every perception pick, with just enough votes from
    each region (FORUM_PERCEPTION_MIN_VOTES_PER_REGION) for the gap to count."""
    m = max(settings.PERCEPTION_MIN_VOTES_PER_REGION, 5)
    article = ArticleFactory(title="Rare earths and supply chains")

    def seeded(section, body, country, *, aj, dj, aw, dw, common_ground=0.0):
        comment = CommentFactory(article=article, section=section, author=UserFactory(country=country), body=body)
        Comment.objects.filter(pk=comment.pk).update(
            agree_japan_count=aj,
            disagree_japan_count=dj,
            agree_world_count=aw,
            disagree_world_count=dw,
            agree_count=aj + aw,
            disagree_count=dj + dw,
            common_ground_score=common_ground,
        )
        return comment

    picks = {
        # Japan agrees, the world does not: Japan's favourite and the widest gap.
        "gap": seeded(Section.JAPAN, "Stockpiles first.", "JP", aj=m + 3, dj=0, aw=1, dw=m),
        "world": seeded(Section.WORLD, "Recycle more.", "DE", aj=2, dj=m - 2, aw=m + 4, dw=0),
        "common": seeded(Section.WORLD, "Share the research.", "US", aj=m, dj=0, aw=m, dw=0, common_ground=0.5),
    }
    return article, picks, m


def test_perception_gap_beside_the_comments(open_page, lang, live_server, seen_both_ways):
    article, picks, m = seen_both_ways
    page = open_page()
    page.goto(live_server.url + article.get_absolute_url())
    block = page.get_by_role("complementary", name=tr(lang, "How Japan and the world see it"))
    expect(block).to_be_visible()
    expected = {
        "japan_favourite": ("Japan agrees most with", picks["gap"]),
        "world_favourite": ("The world agrees most with", picks["world"]),
        "common_ground": ("Both Japan and the world agree with", picks["common"]),
        "widest_gap": ("Where Japan and the world differ most", picks["gap"]),
    }
    for kind, (title, comment) in expected.items():
        pick = block.locator(f".perception-{kind}")
        expect(pick.locator("dt")).to_have_text(tr(lang, title))
        expect(pick.get_by_role("link")).to_have_text(tr(lang, "“%(text)s”", text=comment.body))
    gap = block.locator(".perception-widest_gap")
    japan_votes, world_votes = m + 3, m + 1
    expect(gap.locator(".rates li").first).to_have_text(
        ntr(
            lang,
            "Japan: %(percent)s%% agree (%(votes)s vote)",
            "Japan: %(percent)s%% agree (%(votes)s votes)",
            japan_votes,
            percent=100,
            votes=japan_votes,
        )
    )
    expect(gap.locator(".rates li").last).to_have_text(
        ntr(
            lang,
            "World: %(percent)s%% agree (%(votes)s vote)",
            "World: %(percent)s%% agree (%(votes)s votes)",
            world_votes,
            percent=round(100 / world_votes),
            votes=world_votes,
        )
    )
    expect(gap.locator(".where")).to_have_text(tr(lang, "(%(section)s)", section=tr(lang, "Reactions in Japan")))

    gap.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"#comment-{picks['gap'].pk}$"))
    assert in_view(page, f"#comment-{picks['gap'].pk}")


def test_phone_width_article_tap_targets_and_jump_to_a_section(open_page, lang, live_server):
    article = ArticleFactory(body=LONG_ARTICLE)
    CommentFactory.create_batch(101, article=article, author=UserFactory(country="DE"))
    page = open_page(viewport=PHONE)
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#section-world .vote-button.agree").first).to_contain_text(tr(lang, "I agree"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    targets = {
        "vote buttons": "#section-world .vote-button",
        "sign in to vote": "#section-world .vote-invite",
        "sort links": ".sorts a",
        "section links": ".section-links a",
        "pagination": "#section-world .pages a",
    }
    for name, selector in targets.items():
        boxes = [page.locator(selector).nth(i).bounding_box() for i in range(min(page.locator(selector).count(), 6))]
        assert boxes, name
        assert min(box["height"] for box in boxes) >= 44, (name, boxes)
        assert min(box["width"] for box in boxes) >= 44, (name, boxes)

    # On a phone the world section starts far down: the section links jump to it.
    assert not in_view(page, "#section-world")
    page.get_by_role("navigation", name=tr(lang, "Comment sections")).get_by_role(
        "link", name=starting(tr(lang, "Voices from Around the World"))
    ).click()
    assert in_view(page, "#section-world")


def test_character_counter_instead_of_a_silent_cut(open_page, lang, live_server, author):
    article = ArticleFactory()
    page = open_page()
    sign_in(page, live_server.url, "kenji", article.get_absolute_url(), lang)
    limit = settings.COMMENT_MAX_LENGTH
    box = page.get_by_role("textbox", name=tr(lang, "Your comment"), exact=True)
    box.fill("a" * 12)
    expect(page.locator("#body-counter")).to_have_text(
        tr(lang, "__COUNT__ of %(limit)s characters", limit=limit).replace("__COUNT__", "12")
    )
    box.fill("b" * (limit + 15))  # as a paste does: the whole text at once
    assert len(box.input_value()) == limit + 15  # nothing cut
    over = tr(lang, "__OVER__ characters over the limit of %(limit)s: shorten it before posting.", limit=limit)
    expect(page.get_by_role("status").filter(has_text=over.replace("__OVER__", "15"))).to_be_visible()
    page.get_by_role("button", name=tr(lang, "Post comment")).click()
    expect(page.get_by_role("alert")).to_contain_text(
        tr(lang, "Keep it to %(limit)d characters (this one has %(length)d).", limit=limit, length=limit + 15)
    )
    assert len(page.get_by_role("textbox", name=tr(lang, "Your comment"), exact=True).input_value()) == limit + 15
    assert in_view(page, "#comment-form")
    assert not Comment.objects.filter(article=article).exists()
