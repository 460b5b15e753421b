"""Changes staff make in the admin to comments, articles and readers' accounts, whatever admin
path they take (a bulk action, a change form, the editable list, the set-password form): each is
made through the owning app's service and audited here in the same transaction, one entry per
kind of change, so nothing staff do to a reader's words or account goes unrecorded.

(Queue decisions are in moderation.services, sanctions in moderation.sanctions, closing in
moderation.closing.)
"""

from django.db import models, transaction

from accounts import services as accounts
from accounts.models import User
from forum import caching
from forum import services as forum
from forum.models import Article, Comment, CommentQuerySet

from . import audit
from .models import AuditEntry
from .services import approve_released

Action = AuditEntry.Action
Why = AuditEntry.ReasonCode


# --- Comments ---------------------------------------------------------------------------------


def _status_action(before: str, after: str) -> str:
    """The audit action for a comment's status going from ``before`` to ``after``."""
    if after == Comment.Status.HIDDEN:
        return Action.HIDE
    if after == Comment.Status.VISIBLE:
        return Action.RELEASE if before in (Comment.Status.HELD, Comment.Status.PENDING) else Action.RESTORE
    return Action.HOLD  # back to held or pending: out of view, awaiting a decision


def _locked(comments: CommentQuerySet) -> CommentQuerySet:
    """The comments' own rows, locked in id order (the admin's queryset joins authors and
    articles, whose rows must not be locked with them)."""
    ids = list(comments.values_list("pk", flat=True))
    return Comment.objects.select_for_update().filter(pk__in=ids).order_by("pk")


def _is_release(before: str, after: str) -> bool:
    """A held or pending comment shown again: a decision on the queue's item, as Approve is."""
    return _status_action(before, after) == Action.RELEASE


def _set_status(*, moderator: User, comments: CommentQuerySet, status: str) -> int:
    with transaction.atomic():
        changing = list(_locked(comments).exclude(status=status))
        forum.set_comment_status(comments=changing, status=status)
        approve_released(
            moderator=moderator, comments=[comment for comment in changing if _is_release(comment.status, status)]
        )
        by_action: dict[tuple[str, str], list[Comment]] = {}
        for comment in changing:
            by_action.setdefault((_status_action(comment.status, status), comment.status), []).append(comment)
        for (action, before), targets in by_action.items():
            audit.record(
                actor=moderator,
                action=action,
                targets=targets,
                reason_code=Why.ADMIN_ACTION,
                details={"from_status": before, "to_status": status},
            )
    return len(changing)


def hide_comments(*, moderator: User, comments: CommentQuerySet) -> int:
    """Hide the comments (those not hidden already). Returns how many changed."""
    return _set_status(moderator=moderator, comments=comments, status=Comment.Status.HIDDEN)


def restore_comments(*, moderator: User, comments: CommentQuerySet) -> int:
    """Show the comments again (a held or pending one is released). Returns how many changed."""
    return _set_status(moderator=moderator, comments=comments, status=Comment.Status.VISIBLE)


@transaction.atomic
def move_comments(*, moderator: User, comments: CommentQuerySet, section: str) -> int:
    """Move the comments to ``section`` (those not there already), each with its thread's replies
    (a reply is not moved on its own: it lives in its thread's section). Returns how many moved."""
    changing = list(_locked(comments).exclude(section=section).filter(parent__isnull=True))
    count = forum.move_comments(comments=Comment.objects.filter(pk__in=[c.pk for c in changing]), section=section)
    audit.record(
        actor=moderator,
        action=Action.MOVE,
        targets=changing,
        reason_code=Why.ADMIN_ACTION,
        details={"section": section},
    )
    return count


@transaction.atomic
def save_comment(*, editor: User, comment: Comment) -> Comment:
    """Save a comment changed in its admin form (forum.services.save_comment_in_admin decides
    who may change what; its status is written here, as every moderator's status change is) and
    audit each kind of change: its status, section, article, author or words. A rewrite keeps the
    words before and after, so the trail shows what was changed."""
    stored = Comment.objects.select_for_update().get(pk=comment.pk)
    forum.save_comment_in_admin(editor=editor, comment=comment)

    def note(action: str, **details) -> None:
        audit.record(actor=editor, action=action, targets=[comment], reason_code=Why.ADMIN_FORM, details=details)

    if comment.status != stored.status:
        forum.set_comment_status(comments=[stored], status=comment.status)
        note(_status_action(stored.status, comment.status), from_status=stored.status, to_status=comment.status)
        if _is_release(stored.status, comment.status):
            approve_released(moderator=editor, comments=[comment])
    if comment.section != stored.section:
        note(Action.MOVE, section=comment.section, from_section=stored.section)
    if comment.article_id != stored.article_id:
        note(Action.MOVE_ARTICLE, from_article=stored.article_id, to_article=comment.article_id)
    if comment.author_id != stored.author_id:
        note(Action.REATTRIBUTE, from_author=stored.author_id, to_author=comment.author_id)
    if comment.body != stored.body:
        note(Action.REWRITE, before=stored.body, after=comment.body)
    return comment


@transaction.atomic
def delete_comments(*, editor: User, comments: list[Comment]) -> int:
    """Delete comments (superusers only, by the admin's permissions); audited with their words,
    since the comment is gone after."""
    comments = list(comments)
    for comment in comments:
        audit.record(
            actor=editor,
            action=Action.DELETE_COMMENT,
            targets=[comment],
            details={"article": comment.article_id, "author": comment.author_id, "body": comment.body},
        )
    Comment.objects.filter(pk__in=[comment.pk for comment in comments]).delete()
    # A placeholder whose last reply staff deleted goes too, as when its author deletes it.
    forum.remove_bare_placeholders(parent_ids={comment.parent_id for comment in comments if comment.parent_id})
    caching.bump_article_versions(comment.article_id for comment in comments)
    return len(comments)


# --- Articles ---------------------------------------------------------------------------------


def _differs(before, after) -> bool:
    """A real change: a text re-sent by a browser with CRLF line breaks, or without the trailing
    newline the form strips, is the same text (the form calls it changed)."""
    if isinstance(before, str) and isinstance(after, str):
        return before.replace("\r\n", "\n").strip() != after.replace("\r\n", "\n").strip()
    return before != after


# The flags that open and close a discussion: audited by moderation.closing's codes, not as edits.
OPEN_FLAGS = ("comments_open", "japan_open", "world_open")


@transaction.atomic
def save_article(*, editor: User, article: Article, changed: list[str], via: str = Why.ADMIN_FORM) -> Article:
    """Save an article changed in the admin (its form, or the list's editable column: ``via``)
    and audit it: opening or closing the discussion or a section as such, a change of status as
    publishing or withdrawing, and any other field as an edit naming the fields."""
    stored = Article.objects.select_for_update().get(pk=article.pk)
    article.save()
    caching.bump_article_version(article.pk)
    for flag in OPEN_FLAGS:
        if flag in changed and getattr(article, flag) != getattr(stored, flag):
            is_open = getattr(article, flag)
            if flag == "comments_open":
                action, details = (Action.OPEN if is_open else Action.CLOSE), {}
            else:
                action = Action.OPEN_SECTION if is_open else Action.CLOSE_SECTION
                details = {"section": flag.removesuffix("_open")}
            audit.record(actor=editor, action=action, targets=[article], reason_code=via, details=details)
    if article.status != stored.status:
        action = Action.PUBLISH if article.status == Article.Status.PUBLISHED else Action.UNPUBLISH
        audit.record(actor=editor, action=action, targets=[article], reason_code=via)
    edited = [
        name
        for name in changed
        if name not in (*OPEN_FLAGS, "status") and _differs(getattr(stored, name), getattr(article, name))
    ]
    if edited:
        audit.record(
            actor=editor, action=Action.EDIT_ARTICLE, targets=[article], reason_code=via, details={"fields": edited}
        )
    return article


@transaction.atomic
def publish_articles(*, editor: User, articles: models.QuerySet[Article]) -> int:
    """Publish the articles (those not published already); each is audited."""
    ids = list(articles.values_list("pk", flat=True))
    changing = list(
        Article.objects.select_for_update().filter(pk__in=ids).exclude(status=Article.Status.PUBLISHED).order_by("pk")
    )
    for article in changing:
        forum.publish_article(article=article)
    audit.record(actor=editor, action=Action.PUBLISH, targets=changing, reason_code=Why.ADMIN_ACTION)
    return len(changing)


@transaction.atomic
def delete_articles(*, editor: User, articles: list[Article]) -> int:
    """Delete articles, and their comments with them; each article is audited."""
    articles = list(articles)
    audit.record(actor=editor, action=Action.DELETE_ARTICLE, targets=articles)
    Article.objects.filter(pk__in=[article.pk for article in articles]).delete()
    # Pages kept whole and the signed-out API list find an article by its slug, without a query.
    caching.bump_article_versions(article.pk for article in articles)
    return len(articles)


# --- Readers' accounts ------------------------------------------------------------------------

# Values the trail may show before and after. Not the e-mail (moderators read the trail and see
# no reader's e-mail) and not the password: for those, only that they changed.
SHOWN_VALUES = ("username", "first_name", "last_name", "display_name", "country", "is_staff", "is_superuser")


def _shown(value) -> str | bool:
    return value if isinstance(value, bool) else str(value or "")


@transaction.atomic
def save_reader(*, editor: User, reader: User, changed: list[str]) -> User:
    """Save a reader's account changed in the admin and audit it: deactivating or reactivating
    as such (deactivating also revokes their API tokens), any other field as a change naming
    the fields. Power and identity fields reach this only from a superuser (the admin's rules)."""
    stored = User.objects.select_for_update().get(pk=reader.pk)
    reader.save()
    if accounts.BYLINE_FIELDS & set(changed):
        accounts.byline_changed(user=reader)
    if "is_active" in changed and reader.is_active != stored.is_active:
        if reader.is_active:
            audit.record(actor=editor, action=Action.REACTIVATE, targets=[reader], reason_code=Why.ADMIN_FORM)
        else:
            accounts.deactivate_user(user=reader)
            audit.record(actor=editor, action=Action.DEACTIVATE, targets=[reader], reason_code=Why.ADMIN_FORM)
    many_to_many = {f.name for f in User._meta.many_to_many}
    fields = [
        name
        for name in changed
        if name != "is_active" and (name in many_to_many or _differs(getattr(stored, name), getattr(reader, name)))
    ]
    if fields:
        before = {name: _shown(getattr(stored, name)) for name in fields if name in SHOWN_VALUES}
        after = {name: _shown(getattr(reader, name)) for name in fields if name in SHOWN_VALUES}
        for name in ("date_joined", "last_login"):
            if name in fields:
                before[name] = getattr(stored, name).isoformat() if getattr(stored, name) else None
                after[name] = getattr(reader, name).isoformat() if getattr(reader, name) else None
        audit.record(
            actor=editor,
            action=Action.ACCOUNT_CHANGED,
            targets=[reader],
            reason_code=Why.ADMIN_FORM,
            details={"fields": fields, "before": before, "after": after},
        )
    return reader


def record_password_set(*, editor: User, reader: User, usable: bool) -> None:
    """Audit a password set (or password sign-in turned off) for a reader in the admin. The
    caller runs it in the transaction of the change (accounts.services.change_password)."""
    audit.record(
        actor=editor,
        action=Action.PASSWORD_SET,
        targets=[reader],
        reason_code=Why.ADMIN_PASSWORD,
        details={"usable": usable},
    )


@transaction.atomic
def delete_readers(*, editor: User, readers: list[User]) -> int:
    """Delete readers' accounts (superusers only, by the admin's permissions); each audited."""
    readers = list(readers)
    audit.record(actor=editor, action=Action.DELETE_ACCOUNT, targets=readers)
    for reader in readers:
        accounts.account_leaving(user=reader)  # other readers' replies to them stay (forum.services.author_leaving)
    User.objects.filter(pk__in=[reader.pk for reader in readers]).delete()
    return len(readers)
