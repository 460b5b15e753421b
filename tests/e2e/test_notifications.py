"""Reply notifications in a real Chromium, in English and Japanese, with and without JavaScript: a reader in
Japan sees the bell's count after a world reader answers her, opens the notification from the
notifications page and lands on the reply; the bell is then quiet."""

import re

import pytest
from playwright.sync_api import expect

from forum.services import post_comment
from tests.e2e.i18n import ntr, tr
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase-42"


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_the_bell_counts_a_reply_and_opening_it_lands_on_the_reply(open_page, lang, live_server, javascript):
    hana = UserFactory(username="hana", display_name="Hana", country="JP", password=PASSWORD)
    emma = UserFactory(username="emma", display_name="Emma", country="DE")
    article = ArticleFactory(title="Rare earths and supply chains")
    top = CommentFactory(article=article, author=hana, body="日本では備蓄が議論されています。")

    page = open_page(java_script_enabled=javascript)
    page.goto(f"{live_server.url}/accounts/sign-in/?next={article.get_absolute_url()}")
    page.locator("#id_username").fill("hana")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form.stacked").get_by_role("button", name=tr(lang, "Sign in")).click()
    bell = page.locator("header a.bell")
    expect(bell).to_have_text(tr(lang, "Notifications"))

    reply = post_comment(author=emma, article=article, body="Germany stockpiles too.", answering=top)
    page.reload()
    unread = ntr(
        lang,
        'Notifications: <span class="bell-count">%(count)s</span> unread',
        'Notifications: <span class="bell-count">%(count)s</span> unread',
        1,
        count=1,
    )
    expect(bell).to_have_text(re.sub("<[^>]+>", "", unread))
    expect(bell.locator(".bell-count")).to_have_text("1")

    bell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Notifications"))
    item = page.locator(".notification.unread")
    expect(item).to_have_count(1)
    expect(item.locator(".comment-body")).to_have_text(reply.body)
    said = tr(
        lang,
        "%(who)s replied to your comment",
        who=tr(lang, "%(name)s (%(country)s)", name="Emma", country=tr(lang, "Germany")),
    )
    item.get_by_role("link", name=said).click()

    expect(page).to_have_url(re.compile(rf"{re.escape(article.get_absolute_url())}.*#comment-{reply.pk}$"))
    expect(page.locator(f"#comment-{top.pk}")).to_be_visible()
    # The reply itself, in its thread under the comment it answers, is where the page opened.
    expect(page.locator(f"#comment-{top.pk} #comment-{reply.pk}")).to_be_in_viewport()
    expect(page.locator("header a.bell .bell-count")).to_have_count(0)
