"""Editors' picks in a real headless Chromium, in English and in Japanese: a moderator picks a
comment in the admin (the action, then its note), and the article page shows it at the top of its
section under 「編集部ピックアップ」 / "Editors' picks", with the note, and still in its place in
the list, marked."""

import pytest
from playwright.sync_api import expect

from forum.models import Comment
from moderation.models import AuditEntry
from tests.e2e.i18n import ntr, tr
from tests.factories import ArticleFactory, CommentFactory, UserFactory, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # the factory's


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_a_moderator_picks_a_comment_and_it_shows_at_the_top(open_page, lang, live_server, moderator, javascript):
    article = ArticleFactory(title="Rare earths and supply chains")
    picked = CommentFactory(
        article=article, author=UserFactory(country="GB", display_name="Emma"), body="The oldest, and the clearest."
    )
    newer = [CommentFactory(article=article, author=UserFactory(country="DE")) for _ in range(3)]
    note = "データを丁寧に読み解いています。" if lang == "ja" else "A careful reading of the data."

    # 1. The moderator signs in to the admin (in the test's language) and picks the comment.
    admin = open_page(viewport={"width": 1400, "height": 900})
    admin.goto(live_server.url + "/admin/login/?next=/admin/forum/comment/")
    admin.locator("input[name=username]").fill(moderator.username)
    admin.locator("input[name=password]").fill(PASSWORD)
    admin.locator("input[name=password]").press("Enter")
    admin.locator("input[name=code]").fill(totp_code())
    admin.locator("input[name=code]").press("Enter")
    admin.wait_for_url("**/admin/forum/comment/")
    admin.locator(f"input[name=_selected_action][value='{picked.pk}']").check()
    admin.locator("select[name=action]").select_option("pick")
    admin.locator("button[name=index]").click()
    admin.get_by_label(tr(lang, "Editors' note")).fill(note)
    admin.get_by_role("button", name=tr(lang, "Pick")).click()
    expect(admin.locator(".messagelist")).to_contain_text(
        ntr(lang, "%(count)d comment picked.", "%(count)d comments picked.", 1, count=1)
    )
    assert Comment.objects.get(pk=picked.pk).pick_note == note
    assert AuditEntry.objects.filter(action="pick", target_id=str(picked.pk), actor=moderator).exists()

    # 2. A reader of the same language sees it at the top of "Voices from Around the World", with
    #    or without the page's script: the picks are part of the page itself.
    reader = open_page(java_script_enabled=javascript)
    reader.goto(live_server.url + article.get_absolute_url())
    section = reader.locator("#section-world")
    picks = section.locator(".editors-picks")
    expect(picks.get_by_role("heading", name=tr(lang, "Editors' picks"))).to_be_visible()
    expect(picks).to_contain_text(note)
    expect(picks).to_contain_text("The oldest, and the clearest.")
    expect(picks.locator(".byline")).to_contain_text("Emma")
    # Above the list, whose newest-first order still puts the pick last, marked.
    picks_top = picks.bounding_box()["y"]
    list_top = section.locator(".comment-list").bounding_box()["y"]
    assert picks_top < list_top
    items = section.locator(".comment-list > li.comment")
    expect(items).to_have_count(len(newer) + 1)
    expect(items.last).to_have_id(f"comment-{picked.pk}")
    expect(items.last.locator(".pick-mark")).to_have_text(tr(lang, "Editors' pick"))
    # The block's link leads to the comment in its place.
    picks.get_by_role("link", name=tr(lang, "Go to the comment")).click()
    expect(reader.locator(f"#comment-{picked.pk}")).to_be_visible()
