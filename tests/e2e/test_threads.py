"""Replies across the sections in a real Chromium (issue 20), in English and in Japanese, with and
without JavaScript: a reader in Germany answers a reaction from Japan, a reader in Japan answers
back unsigned, both replies take votes counted by region, and "N more replies" expands in place
with the script and leads to the thread's page without it.

Controls are found by the names a reader of the language sees (tests/e2e/i18n.py)."""

import pytest
from django.utils import translation
from django_countries import countries
from playwright.sync_api import Page, expect

from forum import services
from forum.models import Comment
from tests.e2e.i18n import ntr, starting, tr
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from votes.counting import tally_comments

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase-42"


def sign_in(page: Page, base_url: str, username: str, next_path: str, lang: str) -> None:
    page.goto(f"{base_url}/accounts/sign-in/?next={next_path}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form.stacked").get_by_role("button", name=tr(lang, "Sign in")).click()


def country_name(code: str, lang: str) -> str:
    with translation.override(lang):
        return str(countries.name(code))


def reply_on_the_page(page: Page, comment: Comment, text: str, lang: str, *, javascript: bool) -> Comment:
    """Press Reply on ``comment``, write ``text`` and post it: with the script, in the form it opens
    under the comment; without it, on the thread's page the link leads to. Returns the reply."""
    page.locator(f"#comment-{comment.pk} > .reply-control").get_by_role("link", name=tr(lang, "Reply")).click()
    if javascript:
        form = page.locator(f"#comment-{comment.pk} > form.reply-form")
        expect(form).to_be_visible()
    else:
        expect(page).to_have_url(f"{page.url.split('/comments/')[0]}/comments/{comment.pk}/reply/#reply-form")
        expect(page.get_by_role("heading", name=tr(lang, "Replies"), exact=True)).to_be_visible()
        form = page.locator("#reply-form form.reply-form")
    box = form.get_by_role("textbox", name=tr(lang, "Your reply"))
    if javascript:
        expect(box).to_be_focused()
    box.fill(text)
    form.get_by_role("button", name=tr(lang, "Post reply")).click()
    expect(page.get_by_role("status").first).to_contain_text(tr(lang, "Your reply is posted."))
    reply = Comment.objects.get(body=text)
    # It lands on the reply, under its thread on the article page.
    assert page.url.endswith(f"#comment-{reply.pk}")
    expect(page.locator(f"#comment-{reply.parent_id} #comment-{reply.pk}")).to_be_visible()
    return reply


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_a_world_reader_and_a_japan_reader_answer_each_other(open_page, lang, live_server, javascript):
    article = ArticleFactory(title="Rare earths and supply chains")
    aiko = UserFactory(username="aiko", display_name="Aiko Hidden", country="JP", password=PASSWORD)
    emma = UserFactory(username="emma", display_name="Emma", country="DE", password=PASSWORD)
    UserFactory(username="kenji", display_name="Kenji Hidden", country="JP", password=PASSWORD)
    reaction = CommentFactory(article=article, author=aiko, body="Japan reacts: stockpiles matter.")
    path = article.get_absolute_url()

    # A reader in Germany answers the reaction from Japan: signed, with her country.
    emmas = open_page(java_script_enabled=javascript)
    sign_in(emmas, live_server.url, "emma", path, lang)
    emma_reply = reply_on_the_page(emmas, reaction, "Emma: Europe recycles more.", lang, javascript=javascript)
    assert emma_reply.parent_id == reaction.pk and emma_reply.signed and emma_reply.section == "japan"
    expect(emmas.locator(f"#comment-{emma_reply.pk} .byline")).to_have_text(f"Emma, {country_name('DE', lang)}")

    # A reader in Japan answers her reply, unsigned; his reply names whom it answers.
    kenjis = open_page(java_script_enabled=javascript)
    sign_in(kenjis, live_server.url, "kenji", path, lang)
    kenji_reply = reply_on_the_page(kenjis, emma_reply, "Kenji: recycling is slow here.", lang, javascript=javascript)
    assert kenji_reply.parent_id == reaction.pk and kenji_reply.reply_to_id == emma_reply.pk
    assert not kenji_reply.signed

    # Emma answers Kenji (through the service: the page's path is above): "Replying to a reader in Japan".
    services.post_comment(author=emma, article=article, body="Emma: why slow?", answering=kenji_reply)

    # Both replies take votes, counted by the voter's region: Kenji (Japan) agrees with Emma's,
    # Emma (the world) with Kenji's.
    kenjis.goto(live_server.url + path)
    # Only its author sees who wrote it, and that others do not.
    expect(kenjis.locator(f"#comment-{kenji_reply.pk} .byline")).to_contain_text("Kenji Hidden")
    expect(kenjis.locator(f"#comment-{kenji_reply.pk} .byline")).to_contain_text(
        tr(lang, "(unsigned for other readers)")
    )
    kenjis.locator(f"#comment-{emma_reply.pk}").get_by_role("button", name=starting(tr(lang, "I agree"))).click()
    expect(
        kenjis.locator(f"#comment-{emma_reply.pk}").get_by_role("button", name=starting(tr(lang, "I agree")))
    ).to_have_attribute("aria-pressed", "true")
    emmas.goto(live_server.url + path)
    emmas.locator(f"#comment-{kenji_reply.pk}").get_by_role("button", name=starting(tr(lang, "I agree"))).click()
    expect(
        emmas.locator(f"#comment-{kenji_reply.pk}").get_by_role("button", name=starting(tr(lang, "I agree")))
    ).to_have_attribute("aria-pressed", "true")
    tally_comments(comment_ids=[emma_reply.pk, kenji_reply.pk])  # what the worker does a moment later

    # Two more replies: the thread is longer than the page shows.
    for n in range(2):
        services.post_comment(
            author=UserFactory(country="US"), article=article, body=f"Another voice {n}.", answering=reaction
        )

    # What every other reader sees.
    page = open_page(java_script_enabled=javascript)
    page.goto(live_server.url + path)
    thread = page.locator(f"#comment-{reaction.pk}")
    kenjis_as_shown = page.locator(f"#comment-{kenji_reply.pk}")
    expect(kenjis_as_shown.locator(".byline")).to_have_text(tr(lang, "A reader in Japan"))
    answering = kenjis_as_shown.locator(".answering a")
    expect(answering).to_have_text("@Emma")
    expect(answering).to_have_attribute("href", f"#comment-{emma_reply.pk}")
    third = thread.locator("ol.replies > li").nth(2)
    expect(third.locator(".answering a")).to_have_text(tr(lang, "Replying to a reader in Japan"))
    expect(page.locator("main")).not_to_contain_text("Kenji Hidden")
    expect(page.locator("main")).not_to_contain_text("Aiko Hidden")
    japan, world = tr(lang, "Japan"), tr(lang, "World")
    expect(page.locator(f"#comment-{emma_reply.pk} [data-breakdown=agree]")).to_contain_text(f"{japan} 1 · {world} 0")
    expect(kenjis_as_shown.locator("[data-breakdown=agree]")).to_contain_text(f"{japan} 0 · {world} 1")

    # "2 more replies": in place with the script, the thread's page without it.
    expect(thread.locator("ol.replies > li")).to_have_count(3)
    more_replies = ntr(lang, "%(counter)s more reply", "%(counter)s more replies", 2, counter=2)
    more = thread.get_by_role("link", name=more_replies)
    if javascript:
        page.evaluate("window.stillTheSamePage = true")
        more.click()
        expect(thread.locator("ol.replies > li")).to_have_count(5)
        expect(thread.locator("ol.replies")).to_contain_text("Another voice 1.")
        expect(more).to_have_count(0)
        assert page.evaluate("window.stillTheSamePage") is True
    else:
        more.click()
        expect(page).to_have_url(f"{live_server.url}/comments/{reaction.pk}/thread/")
        expect(page.locator(f"#comment-{reaction.pk} ol.replies > li")).to_have_count(5)
        expect(page.locator(f"#comment-{kenji_reply.pk} .byline")).to_have_text(tr(lang, "A reader in Japan"))
        expect(page.locator(".sign-in-invite")).to_contain_text(tr(lang, "Sign in"))


def test_new_replies_are_announced_under_their_thread_and_shown_in_place(open_page, lang, live_server):
    """The live counts tell an open page how many replies each thread it shows got since it was
    read; the notice under the thread shows them in place."""
    article = ArticleFactory()
    reaction = CommentFactory(article=article, author=UserFactory(country="JP"), body="A reaction.")
    other = CommentFactory(article=article, author=UserFactory(country="JP"), body="Another reaction.")
    page = open_page()
    page.goto(live_server.url + article.get_absolute_url())
    page.evaluate("window.stillTheSamePage = true")
    for n in range(2):
        services.post_comment(author=UserFactory(country="GB"), article=article, body=f"Late {n}.", answering=reaction)
    notice = page.locator(f"#comment-{reaction.pk} > .new-replies a")
    expect(notice).to_have_text(tr(lang, "__COUNT__ new replies: show them").replace("__COUNT__", "2"), timeout=8_000)
    expect(page.locator(f"#comment-{other.pk} > .new-replies")).to_have_count(0)
    notice.click()
    expect(page.locator(f"#comment-{reaction.pk} ol.replies > li")).to_have_count(2)
    expect(page.locator(f"#comment-{reaction.pk} ol.replies")).to_contain_text("Late 1.")
    expect(notice).to_have_count(0)
    assert page.evaluate("window.stillTheSamePage") is True


def test_deleting_a_reply_in_place_leaves_the_sections_count(open_page, lang, live_server):
    """The sections count top-level comments: a reply taken back leaves its thread, not the count."""
    article = ArticleFactory()
    reaction = CommentFactory(article=article, author=UserFactory(country="JP"), body="A reaction.")
    author = UserFactory(username="emma", display_name="Emma", country="DE", password=PASSWORD)
    reply = services.post_comment(author=author, article=article, body="Taken back soon.", answering=reaction)
    page = open_page()
    sign_in(page, live_server.url, "emma", article.get_absolute_url(), lang)
    count = page.locator('.section-links a[href="#section-japan"] .section-count')
    expect(count).to_have_text("1")
    page.locator(f"#comment-{reply.pk}").get_by_role("link", name=tr(lang, "Delete"), exact=True).click()
    dialog = page.get_by_role("dialog", name=tr(lang, "Delete this comment?"))
    dialog.get_by_role("button", name=tr(lang, "Delete"), exact=True).click()
    expect(page.locator(f"#comment-{reply.pk}")).to_have_count(0)
    expect(page.locator(f"#comment-{reaction.pk}")).to_be_visible()
    expect(count).to_have_text("1")
