"""The admin in Japanese has no English left: a moderator (and a superuser, for the pages only
they reach) signs in with a Japanese browser and every page of the desk is read for Latin words.

What is read is the page's own wording, not the data on it: headings, the sidebar's app and model
names, column headings, filter titles and choices, the bulk actions, buttons, field labels, help
texts, breadcrumbs and messages. Table cells and read-only field values are data (usernames,
titles) and are left out. Any run of Latin letters fails unless it is in ALLOWED: proper names and
codes, and the usernames this test creates."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from accounts.models import User
from forum.services import edit_comment
from moderation import sanctions, word_rules
from moderation.models import AuditEntry, WordRule
from moderation.services import SUSPEND_DAYS, report_comment
from tests.factories import ArticleFactory, CommentFactory, EstablishedReaderFactory, UserFactory
from votes.services import cast_vote

# Proper names and codes a Japanese admin writes in Latin letters, the group's name (data, as its
# members' filter shows it), and this test's usernames.
ALLOWED = {"Django", "Markdown", "Control", "Mac", "Command", "ID", "URL", "API", "JST", "IP", "Moderators"}
ALLOWED |= {"mod", "boss", "taro", "hanako", "kenji"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")

# Elements whose text is data, not the admin's wording: list cells (and a row's linked first
# cell), field values (read-only ones, text areas, <bdi> such as the password hash's summary), the
# comment bodies and titles in the queue's column, the recent actions' object names, and the
# permissions' names (rows Django stores in English when it creates them, not translated text).
DATA_TAGS = {"td", "textarea", "bdi"}
DATA_CLASSES = {"readonly", "queue-text", "queue-meta", "queue-reported-text", "actionlist"}
DATA_IDS = {"id_user_permissions"}
SKIPPED_TAGS = {"script", "style", "template", "noscript", "title"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class AdminText(HTMLParser):
    """The visible wording of an admin page (``texts``: where each piece was found, and the text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str, bool]] = []  # (tag, id, skipped) per open element
        self.texts: list[tuple[str, str]] = []

    def _skipping(self) -> bool:
        return any(skipped for _tag, _id, skipped in self.open)

    def _is_data(self, tag: str, attributes: dict) -> bool:
        if tag in DATA_TAGS or tag in SKIPPED_TAGS or attributes.get("id") in DATA_IDS:
            return True
        if DATA_CLASSES & set((attributes.get("class") or "").split()):
            return True
        # A row's first cell in the change list is a <th> linking to the object: data too.
        open_tags = [open_tag for open_tag, _id, _skipped in self.open]
        return tag == "th" and "tbody" in open_tags and any(id_ == "result_list" for _t, id_, _s in self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") in {"submit", "button"} and not self._skipping():
            self.texts.append(("input[type=submit]", attributes.get("value") or ""))
        if tag not in VOID_TAGS:
            self.open.append((tag, attributes.get("id") or "", self._is_data(tag, attributes)))

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching element (an unclosed <p> or <li> inside it closes with it).
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                break

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._skipping():
            self.texts.append((" > ".join(tag for tag, _id, _skipped in self.open[-3:]), data.strip()))


def english_on(html: str) -> list[str]:
    parser = AdminText()
    parser.feed(html)
    found = []
    for where, text in parser.texts:
        words = [word for word in LATIN_WORD.findall(text) if word not in ALLOWED]
        if words:
            found.append(f"{' '.join(words)!r} in {text!r} ({where})")
    return found


def get_in_japanese(client: Client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    assert response.headers["Content-Language"] == "ja"
    return response.content.decode()


@pytest.fixture
def desk(moderator):
    """Something on every page: a comment in the queue with a report and a vote, a sanction, a
    word rule, an audit entry. Names are in Latin letters (allowed); the rest is Japanese."""
    moderator.username = "mod"
    moderator.save()
    article = ArticleFactory(title="円安と家計", slug="yen", discussion_prompt="どう思いますか")
    taro = EstablishedReaderFactory(username="taro", display_name="太郎", country="JP")
    hanako = EstablishedReaderFactory(username="hanako", display_name="花子", country="JP")
    kenji = UserFactory(username="kenji", display_name="健二", country="JP")
    comment = CommentFactory(article=article, author=taro, body="値上げが続いて苦しい。")
    cast_vote(user=hanako, comment=comment, choice="agree")
    report_comment(reporter=hanako, comment=comment, reason="abuse", detail="言葉がきつい")
    # Edited after the report: the comment's page lists its earlier text, the queue the reported one.
    edit_comment(user=taro, comment=comment, body="値上げが続いて本当に苦しい。")
    comment.status = "held"
    comment.save(update_fields=["status"])
    sanctions.suspend_reader(moderator=moderator, reader=kenji, days=3, reason="荒らし")
    word_rules.save_word_rule(moderator=moderator, rule=WordRule(phrase="バカ", list="banned", note="侮辱"))
    return {"comment": comment, "article": article, "reader": taro}


MODERATOR_PAGES = [
    "/admin/",
    "/admin/moderation/",
    "/admin/moderation/queueitem/",
    "/admin/moderation/auditentry/",
    "/admin/forum/",
    "/admin/forum/comment/",
    "/admin/forum/comment/{comment}/change/",
    "/admin/forum/article/",
    "/admin/forum/article/add/",
    "/admin/forum/article/{article}/change/",
    "/admin/accounts/",
    "/admin/accounts/sanction/",
    "/admin/accounts/user/",
    "/admin/accounts/user/{reader}/change/",
    "/admin/accounts/accountdeletion/",
    "/admin/moderation/wordrule/",
    "/admin/moderation/wordrule/add/",
    "/admin/votes/",
    "/admin/votes/vote/",
    "/admin/axes/",
    "/admin/axes/accessattempt/",
]


@pytest.mark.parametrize("url", MODERATOR_PAGES)
def test_the_moderators_admin_pages_have_no_english_in_japanese(client, desk, moderator, url):
    client.force_login(moderator)
    url = url.format(**{name: obj.pk for name, obj in desk.items()})
    english = english_on(get_in_japanese(client, url))
    assert not english, f"English on {url} in Japanese:\n" + "\n".join(english)


def test_the_pages_only_a_superuser_reaches_have_no_english_in_japanese(client, desk):
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(boss)
    vote = desk["comment"].votes.get()
    sanction = User.objects.get(username="kenji").sanctions.get()
    for url in [
        f"/admin/votes/vote/{vote.pk}/change/",
        f"/admin/accounts/sanction/{sanction.pk}/change/",
        f"/admin/forum/comment/{desk['comment'].pk}/change/",
        f"/admin/accounts/user/{desk['reader'].pk}/change/",
        f"/admin/moderation/auditentry/{AuditEntry.objects.order_by('id').first().pk}/change/",
    ]:
        english = english_on(get_in_japanese(client, url))
        assert not english, f"English on {url} in Japanese:\n" + "\n".join(english)


def test_the_bulk_action_with_a_number_is_japanese(client, desk, moderator):
    """Built at import, it used to be worded then (in English) whatever the moderator's language."""
    client.force_login(moderator)
    page = get_in_japanese(client, "/admin/moderation/queueitem/")
    assert "Reject the selected comments and suspend" not in page
    assert f"選択したコメントを却下し、投稿者を{SUSPEND_DAYS}日間一時停止する" in page
    assert f"Reject the selected comments and suspend their authors for {SUSPEND_DAYS} days" in client.get(
        "/admin/moderation/queueitem/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode("utf-8")


def test_the_check_finds_english_wording_and_skips_data():
    """The guard itself: a heading, a column heading, a filter, an action, a button and a label in
    English are found; an English title in a cell or a read-only value is data and is not."""
    html = (
        "<html><body><div id='content'><h1>Select comment to change</h1>"
        "<div id='changelist-filter'><h3>By status</h3><ul><li><a href='?'>All</a></li></ul></div>"
        "<select name='action'><option value='x'>Hide the selected comments</option></select>"
        "<input type='submit' value='Go'><label for='f'>Phrase:</label>"
        "<table id='result_list'><thead><tr><th><div class='text'>AUTHOR</div></th></tr></thead>"
        "<tbody><tr><th><a href='1/'>Rare earths</a></th><td>English data</td></tr></tbody></table>"
        "<div class='readonly'>Some value</div><p>ID: mod, taro</p></div></body></html>"
    )
    found = " | ".join(english_on(html))
    for english in ["Select comment to change", "By status", "All", "Hide the selected", "Go", "Phrase", "AUTHOR"]:
        assert english.split()[0] in found, f"{english!r} not found in {found}"
    for data in ["Rare", "English data", "Some value", "mod", "taro", "ID"]:
        assert f"'{data}" not in found, f"{data!r} was reported: {found}"
