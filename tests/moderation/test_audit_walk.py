"""The admin walk: every way staff can change a comment, an article or a reader's account in the
admin — each editable field of each change form, each list-editable column, each bulk action,
each extra page — done as that staff member through the admin's own HTTP paths, leaves exactly
one audit entry per object touched, with the right action, actor and target.

The walk reads what the admin offers (the rendered form's fields, the action menu, the list's
editable columns, the admin's URLs) and fails when it offers something the walk does not cover,
so a new field, action or page cannot arrive unaudited.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from forum.models import Article, Comment
from moderation.models import AuditEntry, QueueItem
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("moderator", "superuser")


# --- Posting a form as a browser would -----------------------------------------------------------


class FormFields(HTMLParser):
    """The name/value pairs a browser would submit from the page's forms (text, hidden, checked
    boxes and radios, selected options, textareas); buttons are left out."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((name, a.get("value") or "on"))
                return
            self.pairs.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.pairs.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser drops the one newline that follows <textarea>, and sends CRLF line breaks.
            text = self._text[1:] if self._text.startswith("\n") else self._text
            self.pairs.append((self._textarea, text.replace("\r\n", "\n").replace("\n", "\r\n")))
            self._textarea = None


def browser_data(html: str) -> dict[str, list[str]]:
    parser = FormFields()
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.pairs:
        if name != "csrfmiddlewaretoken":
            data.setdefault(name, []).append(value)
    return data


def post_change(client, url: str, changes: dict) -> None:
    """Load the change form, change the named inputs (None: unchecked/left out), post it."""
    page = client.get(url)
    assert page.status_code == 200
    data = browser_data(page.content.decode())
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value if isinstance(value, list) else [value]
    response = client.post(url, {**data, "_save": "Save"})
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors


# --- What there is to walk -----------------------------------------------------------------------


@dataclass
class Case:
    """One way to change an object, and the audit action it must leave on it: ``changes`` are
    the inputs to post (None: a box left unchecked; a callable gets the object), ``setup`` makes
    an object in a state the change alters (default: the admin's usual object)."""

    action: str
    changes: dict | Callable = field(default_factory=dict)
    setup: Callable | None = None


def _reader(**kwargs) -> User:
    return UserFactory(email="reader@example.org", **kwargs)


def _article(**kwargs) -> Article:
    # Whole seconds, as the form shows them: saving it unchanged is then no change.
    return ArticleFactory(published_at=timezone.now().replace(microsecond=0), **kwargs)


def _comment(**kwargs) -> Comment:
    return CommentFactory(author=UserFactory(country="GB"), **kwargs)


COMMENT_FIELDS = {
    "moderator": {
        "status": Case("hide", {"status": "hidden"}),
    },
    "superuser": {
        "status": Case("hide", {"status": "hidden"}),
        "article": Case("move_article", lambda c: {"article": str(ArticleFactory().pk)}),
        "author": Case("reattribute", lambda c: {"author": str(UserFactory(country="GB").pk)}),
        "section": Case("move", {"section": "japan"}),
        "body": Case("rewrite", {"body": "Reworded by staff."}),
    },
}
ARTICLE_FIELDS = {
    "title": Case("edit_article", {"title": "A corrected headline"}),
    "slug": Case("edit_article", {"slug": "a-new-slug"}),
    "dateline": Case("edit_article", {"dateline": "2026-01-02"}),
    "body": Case("edit_article", {"body": "A corrected body."}),
    "discussion_prompt": Case("edit_article", {"discussion_prompt": "Tell us."}),
    # A Japanese version is a title and a body together (Article.clean): walked as a pair.
    "title_ja": Case("edit_article", {"title_ja": "訂正した見出し", "body_ja": "本文。"}),
    "body_ja": Case("edit_article", {"body_ja": "訂正した本文。", "title_ja": "見出し"}),
    "discussion_prompt_ja": Case("edit_article", {"discussion_prompt_ja": "ご意見をお寄せください。"}),
    "status": Case("unpublish", {"status": "draft"}),
    "comments_open": Case("close", {"comments_open": None}),
    "japan_open": Case("close_section", {"japan_open": None}),
    "world_open": Case("close_section", {"world_open": None}),
    "published_at": Case("edit_article", {"published_at_0": "2026-01-02", "published_at_1": "09:00:00"}),
}
USER_FIELDS_FOR_MODERATORS = {
    "first_name": Case("account_changed", {"first_name": "Hana"}),
    "last_name": Case("account_changed", {"last_name": "Yamada"}),
    "is_active": Case("deactivate", {"is_active": None}),
    "display_name": Case("account_changed", {"display_name": "Renamed"}),
    "country": Case("account_changed", {"country": "FR"}),
}
USER_FIELDS = {
    "moderator": USER_FIELDS_FOR_MODERATORS,
    "superuser": {
        **USER_FIELDS_FOR_MODERATORS,
        "username": Case("account_changed", {"username": "renamed-reader"}),
        "email": Case("account_changed", {"email": "new@example.org"}),
        "is_staff": Case("account_changed", {"is_staff": "on"}),
        "is_superuser": Case("account_changed", {"is_superuser": "on"}),
        "groups": Case("account_changed", lambda u: {"groups": str(Group.objects.get(name="Moderators").pk)}),
        "user_permissions": Case(
            "account_changed", lambda u: {"user_permissions": str(Permission.objects.get(codename="view_vote").pk)}
        ),
        "last_login": Case("account_changed", {"last_login_0": "2026-01-02", "last_login_1": "09:00:00"}),
        "date_joined": Case("account_changed", {"date_joined_0": "2020-01-02", "date_joined_1": "09:00:00"}),
    },
}

# model -> (admin URL prefix, make an object, editable fields per role)
CHANGE_FORMS = {
    Comment: ("forum_comment", _comment, COMMENT_FIELDS),
    QueueItem: ("moderation_queueitem", lambda: _comment(status="held"), {"moderator": {}, "superuser": {}}),
    Article: ("forum_article", _article, {"moderator": ARTICLE_FIELDS, "superuser": ARTICLE_FIELDS}),
    User: ("accounts_user", _reader, USER_FIELDS),
}

COMMENT_ACTIONS = {
    "hide": Case("hide"),
    "restore": Case("restore", setup=lambda: _comment(status="hidden")),
    "move_to_japan": Case("move"),
    "move_to_world": Case("move", setup=lambda: _comment(section="japan")),
    "pick": Case("pick", {"apply": "1", "note": "Worth reading."}),
    "unpick": Case("unpick", setup=lambda: _comment(picked_at=timezone.now())),
}
QUEUE_ACTIONS = {
    "approve_selected": Case("approve", setup=lambda: _comment(status="held")),
    "reject_selected": Case("reject", {"reason": "spam"}, setup=lambda: _comment(status="held")),
    # Rejects the comment and suspends its author: one entry on each.
    "reject_and_suspend_selected": Case("reject+sanction", {"reason": "spam"}, setup=lambda: _comment(status="held")),
}
ARTICLE_ACTIONS = {
    "publish": Case("publish", setup=lambda: ArticleFactory(status="draft", published_at=None)),
    "close_comments": Case("close"),
    "open_comments": Case("open", setup=lambda: _article(comments_open=False)),
    "close_japan": Case("close_section"),
    "open_japan": Case("open_section", setup=lambda: _article(japan_open=False)),
    "close_world": Case("close_section"),
    "open_world": Case("open_section", setup=lambda: _article(world_open=False)),
}
USER_ACTIONS = {
    "suspend_readers": Case("sanction", {"apply": "1", "period": "7", "reason": "Spam run"}),
    "ban_readers": Case("sanction", {"apply": "1", "reason": "Spam bot"}),
    "premoderate_readers": Case("sanction", {"apply": "1", "reason": "Watch"}),
    "void_votes": Case("void_votes", {"apply": "1", "reason": "Vote ring"}),
}
DELETE = {"delete_selected": Case("delete", {"post": "yes"})}
DELETED = {Comment: "delete_comment", Article: "delete_article", User: "delete_account"}

# model -> (changelist URL name, make an object, actions per role)
ACTIONS = {
    Comment: ("forum_comment", _comment, {"moderator": COMMENT_ACTIONS, "superuser": {**COMMENT_ACTIONS, **DELETE}}),
    QueueItem: ("moderation_queueitem", _comment, {"moderator": QUEUE_ACTIONS, "superuser": QUEUE_ACTIONS}),
    Article: (
        "forum_article",
        _article,
        {"moderator": ARTICLE_ACTIONS, "superuser": {**ARTICLE_ACTIONS, **DELETE}},
    ),
    User: ("accounts_user", _reader, {"moderator": USER_ACTIONS, "superuser": {**USER_ACTIONS, **DELETE}}),
}

# The list's editable columns: model -> column -> case (the column's input is form-0-<column>).
LIST_EDITABLE = {
    Comment: {},
    QueueItem: {},
    Article: {"comments_open": Case("close", {"form-0-comments_open": None})},
    User: {},
}

# Every page each admin has; those that change something are walked in test_extra_pages.
ADMIN_URLS = {
    Comment: {"changelist", "add", "history", "delete", "change"},
    QueueItem: {"changelist", "add", "history", "delete", "change", "decide"},
    Article: {"changelist", "add", "history", "delete", "change"},
    User: {"changelist", "add", "history", "delete", "change", "password_change"},
}


@pytest.fixture
def staff(request, moderator):
    if request.param == "moderator":
        return moderator
    return UserFactory(username="boss", is_staff=True, is_superuser=True)


def new_entries(since: int, actor: User) -> list[tuple[str, str, str]]:
    entries = AuditEntry.objects.filter(pk__gt=since).order_by("pk")
    assert all(entry.actor_id == actor.pk for entry in entries)
    return [(entry.action, entry.target_type, entry.target_id) for entry in entries]


def last_entry_id() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def label(obj) -> str:
    return obj._meta.concrete_model._meta.label_lower


# --- The walk -----------------------------------------------------------------------------------


def test_every_admin_of_comments_articles_and_users_is_walked():
    registered = {model for model in admin.site._registry if model in (Comment, Article, User)}
    registered |= {model for model in admin.site._registry if model._meta.concrete_model in (Comment, Article, User)}
    assert registered == set(CHANGE_FORMS) == set(ACTIONS) == set(LIST_EDITABLE) == set(ADMIN_URLS)


@pytest.mark.parametrize("model", list(ADMIN_URLS), ids=lambda m: m.__name__)
def test_every_admin_page_is_known(model):
    model_admin = admin.site._registry[model]
    prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
    names = {pattern.name for pattern in model_admin.get_urls() if pattern.name}
    # The user admin's password page is named after auth's User (Django's own naming).
    pages = {name.removeprefix(prefix).removeprefix("auth_user_") for name in names}
    assert pages == ADMIN_URLS[model]


@pytest.mark.parametrize("staff", ROLES, indirect=True)
@pytest.mark.parametrize("model", list(CHANGE_FORMS), ids=lambda m: m.__name__)
def test_every_editable_field_is_audited(client, staff, model):
    prefix, make, by_role = CHANGE_FORMS[model]
    cases = by_role["superuser" if staff.is_superuser else "moderator"]
    client.force_login(staff)
    page = client.get(reverse(f"admin:{prefix}_change", args=[make().pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    editable = {name for name, form_field in form.fields.items() if not form_field.disabled}
    assert editable == set(cases), "a field staff can edit is not walked (or one walked is gone)"
    for name, case in cases.items():
        obj = make()
        changes = case.changes(obj) if callable(case.changes) else case.changes
        since = last_entry_id()
        post_change(client, reverse(f"admin:{prefix}_change", args=[obj.pk]), changes)
        assert new_entries(since, staff) == [(case.action, label(obj), str(obj.pk))], (
            name,
            list(AuditEntry.objects.filter(pk__gt=since).values_list("details", flat=True)),
        )


@pytest.mark.parametrize("staff", ROLES, indirect=True)
@pytest.mark.parametrize("model", list(ACTIONS), ids=lambda m: m.__name__)
def test_every_action_is_audited(client, staff, model):
    prefix, make, by_role = ACTIONS[model]
    cases = by_role["superuser" if staff.is_superuser else "moderator"]
    client.force_login(staff)
    changelist = reverse(f"admin:{prefix}_changelist")
    page = client.get(changelist)
    offered = {value for value, _label in page.context["action_form"].fields["action"].choices if value}
    assert offered == set(cases), "an action is not walked (or one walked is gone)"
    for action, case in cases.items():
        obj = (case.setup or make)()
        if case.action == "reject+sanction":
            expected = [("reject", "forum.comment", str(obj.pk)), ("sanction", "accounts.user", str(obj.author_id))]
        else:
            code = DELETED[model._meta.concrete_model] if case.action == "delete" else case.action
            expected = [(code, label(obj), str(obj.pk))]
        since = last_entry_id()
        response = client.post(changelist, {"action": action, "_selected_action": [obj.pk], **case.changes})
        assert response.status_code == 302, action
        assert new_entries(since, staff) == expected, action


@pytest.mark.parametrize("staff", ROLES, indirect=True)
@pytest.mark.parametrize("model", list(LIST_EDITABLE), ids=lambda m: m.__name__)
def test_every_list_editable_column_is_audited(client, staff, model):
    prefix = CHANGE_FORMS[model][0]
    client.force_login(staff)
    obj = CHANGE_FORMS[model][1]()
    changelist = reverse(f"admin:{prefix}_changelist") + f"?id__exact={obj.pk}"  # only the object walked
    page = client.get(changelist)
    assert set(page.context["cl"].list_editable) == set(LIST_EDITABLE[model])
    for column, case in LIST_EDITABLE[model].items():
        data = browser_data(page.content.decode())
        data = {name: value for name, value in data.items() if name.startswith("form-")}
        for name, value in case.changes.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = [value]
        since = last_entry_id()
        response = client.post(changelist, {**data, "_save": "Save"})
        assert response.status_code == 302, column
        assert new_entries(since, staff) == [(case.action, label(obj), str(obj.pk))], column
        assert AuditEntry.objects.get(pk__gt=since).reason_code == "admin_list"


@pytest.mark.parametrize("staff", ROLES, indirect=True)
def test_extra_pages_are_audited(client, staff):
    """The pages beside forms and actions that change something: the queue's per-row decision,
    and for superusers the delete pages and the set-password page."""
    client.force_login(staff)
    comment = _comment(status="held")
    since = last_entry_id()
    client.post(
        reverse("admin:moderation_queueitem_decide", args=[comment.pk]),
        {"decision": "reject", f"reason-{comment.pk}": "spam"},
    )
    assert new_entries(since, staff) == [("reject", "forum.comment", str(comment.pk))]
    for model, prefix, make in (
        (Comment, "forum_comment", _comment),
        (Article, "forum_article", _article),
        (User, "accounts_user", _reader),
    ):
        obj = make()
        since = last_entry_id()
        response = client.post(reverse(f"admin:{prefix}_delete", args=[obj.pk]), {"post": "yes"})
        if staff.is_superuser:
            assert new_entries(since, staff) == [(DELETED[model], label(obj), str(obj.pk))]
        else:
            assert response.status_code == 403 and new_entries(since, staff) == []
    reader = _reader()
    since = last_entry_id()
    response = client.post(
        reverse("admin:auth_user_password_change", args=[reader.pk]),
        {"password1": "set by staff 123!", "password2": "set by staff 123!", "usable_password": "true"},
    )
    if staff.is_superuser:
        assert response.status_code == 302
        assert new_entries(since, staff) == [("password_set", "accounts.user", str(reader.pk))]
    else:
        assert response.status_code == 403 and new_entries(since, staff) == []
