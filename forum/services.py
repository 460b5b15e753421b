"""Writes for articles and comments. Views, API views, admin actions and commands call these."""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import (
    Muted,
    Refusal,
    departed_reader,
    is_premoderated,
    mute_reader,
    signs_with_badge,
    taking_part_refusal,
    unmute_voice,
)
from accounts.text import has_visible_text

from . import caching
from .languages import detect_language
from .models import Article, Comment, CommentQuerySet, CommentRevision, Section


def section_for_new_comment(*, author: User, parent: Comment | None = None) -> Section:
    """The section a new comment goes to. A top-level comment goes to its author's own section:
    readers in Japan react in the first, everyone else is a voice from the world. A reply belongs
    to its parent's thread, whichever section that is and wherever its author lives (whether it
    is signed still follows its author: signs_new_comment)."""
    if parent is not None:
        return Section(parent.section)
    return Section(author.region.value)


def signs_new_comment(*, author: User) -> bool:
    """Whether a new comment (or reply) by ``author`` names them to every reader (Comment.signed):
    it follows where its author lives, not the section it lands in. Readers in Japan speak
    unsigned, as every reaction in Japan is, unless they hold a badge they agreed to sign with
    (accounts.Badge: a badge holder's comments are signed in both sections)."""
    return Section(author.region.value).signs_comments or signs_with_badge(user=author)


def clean_comment_body(body: str) -> str:
    """Strip the text and enforce the length rules; raise ValidationError with a reader's message."""
    text = (body or "").strip()
    if not has_visible_text(text):  # empty, or only zero-width and other invisible characters
        raise ValidationError(_("Write something before posting."), code="blank")
    if len(text) > settings.COMMENT_MAX_LENGTH:
        raise ValidationError(
            _("Keep it to %(limit)d characters (this one has %(length)d).")
            % {"limit": settings.COMMENT_MAX_LENGTH, "length": len(text)},
            code="max_length",
        )
    if "\x00" in text:
        raise ValidationError(_("The text contains a character that cannot be stored."), code="invalid")
    return text


LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def comment_language(text: str, language: str | None = None) -> str:
    """The language a comment is stored in: the author's choice when they made one (it must be
    one of settings.LANGUAGES), else detected from the text. A text with no letters (emoji) takes
    the language the author reads the site in."""
    if language:
        if language not in LANGUAGE_CODES:
            raise ValidationError(
                _("Choose one of the listed languages: %(languages)s.")
                % {"languages": ", ".join(sorted(LANGUAGE_CODES))},
                code="invalid_choice",
            )
        return language
    reader_language = translation.get_language() or settings.LANGUAGE_CODE
    return detect_language(text, fallback=reader_language if reader_language in LANGUAGE_CODES else "en")


# --- Refusal rules: may this reader do this here, and if not, why ------------------------------
# One function per action, each answering a Refusal (its message for the reader, and a code the
# API and pages can act on) or None. The services raise them (PermissionDenied), the article
# page's controls (forum/page_cache.py) are enabled or shown by them, and the API answers them:
# so what a page offers is what the service will do. The vote's rule is votes.services.vote_refusal.
# None of them queries: a page asks them for every comment it shows.

SIGN_IN = "sign_in"
DISCUSSION_CLOSED = "discussion_closed"
SECTION_CLOSED = "section_closed"
NOT_AUTHOR = "not_author"
OWN_COMMENT = "own_comment"
EDIT_WINDOW_PASSED = "edit_window_passed"
COMMENT_DELETED = "comment_deleted"
NOT_ANSWERABLE = "not_answerable"


def _deleted_refusal(comment: Comment) -> Refusal | None:
    """A placeholder (a comment taken back while it had replies) takes nothing more: no votes,
    edits, reports or replies, and it cannot be deleted twice."""
    if comment.is_placeholder:
        return Refusal(_("This comment was deleted."), COMMENT_DELETED)
    return None


def participation_refusal(*, user) -> str | None:
    """Why this reader may not vote, comment or report at all: not signed in, or
    accounts.services.taking_part_refusal (a sanction, an unverified address, a new account)."""
    if not user.is_authenticated:
        return Refusal(_("Sign in to take part."), SIGN_IN)
    return taking_part_refusal(user=user)


def _is_author(user, comment: Comment) -> bool:
    return user.is_authenticated and user.pk is not None and comment.author_id == user.pk


def closed_refusal(article: Article, section: str | None = None) -> Refusal | None:
    """Why nothing new may happen in the article's discussion, or in this section of it; None when open."""
    if not article.discussion_open:
        return Refusal(_("Comments on this article are closed."), DISCUSSION_CLOSED)
    if section is not None and not article.section_open(section):
        return Refusal(_("Comments in “%(section)s” are closed.") % {"section": Section(section).label}, SECTION_CLOSED)
    return None


def comment_refusal(*, user, article: Article, parent: Comment | None = None) -> str | None:
    """Why this reader may not post a comment on the article (with ``parent``: a reply in its
    thread, which is the parent's section whatever the reader's); None when they may."""
    if refusal := closed_refusal(article):
        return refusal
    if not user.is_authenticated:
        return participation_refusal(user=user)
    if refusal := closed_refusal(article, section_for_new_comment(author=user, parent=parent)):
        return refusal
    return participation_refusal(user=user)


def reply_refusal(*, user, comment: Comment) -> str | None:
    """Why this reader may not answer ``comment`` (a top-level comment or a reply: the answer joins
    its thread, in the thread's section); None when they may. A placeholder takes no answer (its
    thread's replies still do); otherwise comment_refusal with the thread's section (a reply
    lives in its parent's section, so the answered comment's section is the thread's)."""
    if refusal := _deleted_refusal(comment):
        return refusal
    if comment.status != Comment.Status.VISIBLE:
        return Refusal(_("That comment cannot be answered."), NOT_ANSWERABLE)
    return comment_refusal(user=user, article=comment.article, parent=comment)


def edit_refusal(*, user, comment: Comment) -> str | None:
    """The author may reword a comment within the edit window, while its section is open (closing
    a discussion freezes what was said) and while they may take part; None when they may."""
    if refusal := _deleted_refusal(comment):
        return refusal
    if not _is_author(user, comment):
        return Refusal(_("Only the author can edit this comment."), NOT_AUTHOR)
    if refusal := closed_refusal(comment.article, comment.section):
        return refusal
    if refusal := participation_refusal(user=user):
        return refusal
    if not can_edit_comment(user=user, comment=comment):
        return Refusal(_("The time for editing this comment has passed."), EDIT_WINDOW_PASSED)
    return None


def delete_refusal(*, user, comment: Comment) -> str | None:
    """The author may take back their comment while its section is open (a sanction does not
    stop them); None when they may."""
    if refusal := _deleted_refusal(comment):
        return refusal
    if not _is_author(user, comment):
        return Refusal(_("Only the author can delete this comment."), NOT_AUTHOR)
    if not comment.article.section_open(comment.section):
        return Refusal(_("The discussion is closed: comments can no longer be deleted."), SECTION_CLOSED)
    return None


def report_refusal(*, user, comment: Comment) -> str | None:
    """Why this reader may not report the comment; None when they may. Here rather than in
    moderation, which handles reports: the article page (forum) shows the Report link by it, and
    it reads nothing of moderation's."""
    if refusal := _deleted_refusal(comment):
        return refusal
    if _is_author(user, comment):
        return Refusal(_("You cannot report your own comment."), OWN_COMMENT)
    return participation_refusal(user=user)


def ensure_comments_open(article: Article, section: str | None = None) -> None:
    """Raise PermissionDenied when the article's discussion, or the given section of it, is closed."""
    if refusal := closed_refusal(article, section):
        raise PermissionDenied(refusal)


def screen_comment_body(body: str) -> bool:
    """Run the text through the screens in settings.FORUM_COMMENT_SCREENS; True when one wants a
    moderator to see it first. A screen refuses the text by raising ValidationError.

    The screens are named in a setting and imported by name (as Django does with
    AUTH_PASSWORD_VALIDATORS) because the word lists live in the moderation app, which imports
    forum: forum importing it back would make a loop.
    """
    needs_review = False
    for path in settings.FORUM_COMMENT_SCREENS:
        needs_review |= bool(import_string(path)(body))
    return needs_review


def _replies_came_into_view(comment_ids: list[int]) -> None:
    """Once the transaction commits, run settings.FORUM_REPLY_HOOKS for these comments, now in
    view (each hook takes ``reply_ids``, keeps the replies among them and may run more than once
    for one: the notifications app tells the readers they answer). Named in a setting because
    forum may not import that app. Robust: a hook that fails is logged, and the reply stands."""
    if comment_ids:
        for path in settings.FORUM_REPLY_HOOKS:
            transaction.on_commit(partial(import_string(path), reply_ids=list(comment_ids)), robust=True)


def thread_of(answered: Comment) -> tuple[Comment, Comment]:
    """The thread a reply to ``answered`` joins, and the comment it answers: a reply to a
    top-level comment starts or joins its thread; a reply to a reply joins that reply's thread
    (threads are one level deep) and names the reply it answers."""
    if answered.parent_id is None:
        return answered, answered
    return answered.parent, answered


def post_comment(
    *,
    author: User,
    article: Article,
    body: str,
    language: str | None = None,
    answering: Comment | None = None,
) -> Comment:
    """Post a comment in the author's section, or with ``answering`` a reply in that comment's
    thread (see thread_of), in the thread's section. Raises PermissionDenied or ValidationError.
    ``language``: the author's choice; None detects it (comment_language).

    It is posted pending a moderator's decision when the author is pre-moderated or a screen
    (a suspect word) asks for review."""
    parent = reply_to = None
    if answering is not None:
        if answering.article_id != article.pk:
            raise ValidationError(_("That comment cannot be answered."), code=NOT_ANSWERABLE)
        answering.article = article
        if refusal := reply_refusal(user=author, comment=answering):
            raise PermissionDenied(refusal)
        parent, reply_to = thread_of(answering)
        if parent.status != Comment.Status.VISIBLE:  # a reply in a thread that is out of view
            raise PermissionDenied(Refusal(_("That comment cannot be answered."), NOT_ANSWERABLE))
    if refusal := comment_refusal(user=author, article=article, parent=parent):
        raise PermissionDenied(refusal)
    section = section_for_new_comment(author=author, parent=parent)
    text = clean_comment_body(body)
    language = comment_language(text, language)
    needs_review = screen_comment_body(text) or is_premoderated(user=author)
    comment = Comment.objects.create(
        article=article,
        author=author,
        section=section,
        signed=signs_new_comment(author=author),
        signed_by_badge=signs_with_badge(user=author),  # the author's badge, read once (cached on them)
        body=text,
        language=language,
        status=Comment.Status.PENDING if needs_review else Comment.Status.VISIBLE,
        parent=parent,
        reply_to=reply_to,
    )
    caching.bump_article_version(article.pk)
    if parent is not None and comment.status == Comment.Status.VISIBLE:
        _replies_came_into_view([comment.pk])
    return comment


def can_edit_comment(*, user: User, comment: Comment) -> bool:
    """Whether the comment is the reader's and still within the edit window (see edit_refusal for
    the whole rule)."""
    window = timedelta(seconds=settings.COMMENT_EDIT_WINDOW_SECONDS)
    return comment.author_id == user.pk and timezone.now() - comment.created_at <= window


def ensure_can_edit_comment(*, user: User, comment: Comment) -> None:
    """Raise PermissionDenied saying why the reader may not edit the comment (edit_refusal)."""
    if refusal := edit_refusal(user=user, comment=comment):
        raise PermissionDenied(refusal)


def edit_comment(*, user: User, comment: Comment, body: str | None = None, language: str | None = None) -> Comment:
    """Reword the comment or correct its language (see ensure_can_edit_comment). A new wording
    shows as edited; its language is the one given, else detected from the new text. Correcting
    only the language changes no word, so it does not mark the comment as edited."""
    ensure_can_edit_comment(user=user, comment=comment)
    fields = ["language"]
    earlier: CommentRevision | None = None
    if body is not None:
        text = clean_comment_body(body)
        earlier = CommentRevision(comment=comment, body=comment.body, language=comment.language, edited_by=user)
        comment.language = comment_language(text, language)
        if text != comment.body:
            comment.body, comment.edited_at = text, timezone.now()
            earlier.edited_at = comment.edited_at
            fields += ["body", "edited_at"]
    elif language is not None:
        comment.language = comment_language(comment.body, language)
    if "body" in fields and comment.status == Comment.Status.VISIBLE and screen_comment_body(comment.body):
        # Reworded into something a moderator should see first: it waits like a new one would.
        comment.status = Comment.Status.PENDING
        fields.append("status")
    with transaction.atomic():
        comment.save(update_fields=fields)
        if earlier is not None and "body" in fields:
            earlier.save()  # the words it replaced, for moderators (and the reader's export)
    caching.bump_article_version(comment.article_id)
    return comment


def delete_comment(*, user: User, comment: Comment) -> None:
    """The author may take back their own comment, while the discussion is open; its votes go
    with it. Closing a discussion freezes what was said, as for edits: the record stays whole.

    A comment whose thread has visible replies stays as a placeholder (_make_placeholders), so
    that the replies keep their context; without any, it is deleted (with replies nobody can
    see: held, pending or hidden ones). Deleting the last visible reply of a placeholder's
    thread deletes the placeholder too. The thread's parent is locked first: a reply posted
    meanwhile is either seen here or waits for this to commit."""
    if refusal := delete_refusal(user=user, comment=comment):
        raise PermissionDenied(refusal)
    with transaction.atomic():
        thread = comment.parent_id or comment.pk
        parent = Comment.objects.select_for_update().only("id", "deleted_at").get(pk=thread)
        if comment.parent_id is None:
            if Comment.objects.visible().filter(parent_id=comment.pk).exists():
                _make_placeholders(Comment.objects.filter(pk=comment.pk))
            else:
                comment.delete()
        else:
            Comment.objects.filter(pk=comment.pk).delete()
            if parent.is_placeholder and not Comment.objects.visible().filter(parent_id=parent.pk).exists():
                Comment.objects.filter(pk=parent.pk).delete()
        caching.bump_article_version(comment.article_id)


def remove_bare_placeholders(*, parent_ids: Iterable[int]) -> int:
    """Delete the placeholders among these comments that have no visible reply left (staff
    deleted their last one): nothing of their thread is left to read. Returns how many went."""
    bare = (
        Comment.objects.placeholders()
        .filter(pk__in=list(parent_ids))
        .exclude(models.Exists(Comment.objects.visible().filter(parent=models.OuterRef("pk"))))
    )
    with transaction.atomic():
        found = list(bare.values_list("pk", "article_id"))
        Comment.objects.filter(pk__in=[pk for pk, _article in found]).delete()
        caching.bump_article_versions({article_id for _pk, article_id in found})
    return len(found)


def _make_placeholders(comments: CommentQuerySet, **changes) -> int:
    """Turn these comments into placeholders: their text, earlier texts and votes go, as with a
    deletion, and so does an editors' pick; the row and its thread stay. The vote rows are deleted
    through the relation (forum imports nothing of votes); the database records the comments
    that lost votes and the next reconciliation counts them out (votes.models.DeletedVote)."""
    ids = list(comments.values_list("pk", flat=True))
    if not ids:
        return 0
    rows = Comment.objects.filter(pk__in=ids)
    CommentRevision.objects.filter(comment_id__in=ids).delete()
    Comment.votes.rel.related_model.objects.filter(comment_id__in=ids).delete()
    return rows.update(
        deleted_at=timezone.now(),
        body="",
        edited_at=None,
        unusual_voting_at=None,
        picked_at=None,
        pick_note="",
        picked_by=None,
        **changes,
    )


# What a reader wrote and under whose name: changing either is rewriting their words.
REWRITE_FIELDS = ("body", "author")
# What the admin's comment form saves here; everything else is derived or timestamps, and its
# status is set by set_comment_status (moderation decides it, see moderation.staff_edits).
ADMIN_FIELDS = ("article", "section", *REWRITE_FIELDS)


@transaction.atomic
def save_comment_in_admin(*, editor: User, comment: Comment) -> Comment:
    """Save a comment changed in the admin. Only a superuser may change its body or author (the
    admin shows both read-only to everyone else; this refuses them too, with PermissionDenied),
    and a comment so changed shows to readers as edited by a moderator from then on, so nobody's
    words are changed silently."""
    stored = Comment.objects.select_for_update().only(*REWRITE_FIELDS, "language", "article_id").get(pk=comment.pk)
    if comment.body != stored.body:
        comment.body = clean_comment_body(comment.body)
    if comment.body != stored.body or comment.author_id != stored.author_id:
        if not editor.is_superuser:
            raise PermissionDenied(_("Only a superuser can change what a reader wrote or who wrote it."))
        comment.edited_by_moderator = True
    if comment.body != stored.body:
        # The reader's words as they were: moderators can always read what was rewritten.
        CommentRevision.objects.create(
            comment=comment, body=stored.body, language=stored.language, edited_by=editor, by_moderator=True
        )
    if comment.section == Section.JAPAN and not comment.signed_by_badge:
        comment.signed = False  # see move_comments
    # Not the counters: the tally may have moved them since the form was loaded.
    comment.save(update_fields=[*ADMIN_FIELDS, "edited_by_moderator", "signed"])
    caching.bump_article_versions({comment.article_id, stored.article_id})
    return comment


def _update_comments(comments: CommentQuerySet, **changes) -> int:
    """Apply a bulk change and mark the pages of the articles it touched as changed."""
    with transaction.atomic():
        article_ids = set(comments.values_list("article_id", flat=True).distinct().order_by())
        count = comments.update(**changes)
        caching.bump_article_versions(article_ids)
    return count


def set_comment_status(*, comments: Sequence[Comment], status: str) -> None:
    """Write the comments' status: the one write of it besides posting and the author's edit
    (both above). Whether and why a status changes is moderation's to decide (the queue, readers'
    reports, staff in the admin: moderation.services, moderation.staff_edits), which locks the
    rows and audits the change in the same transaction; this writes it and marks the pages of
    their articles as changed. The objects keep the status they had: the caller audits from it."""
    if status not in Comment.Status.values:
        raise ValueError(f"unknown comment status {status!r}")
    Comment.objects.filter(pk__in=[comment.pk for comment in comments]).update(status=status)
    caching.bump_article_versions(comment.article_id for comment in comments)
    if status == Comment.Status.VISIBLE:  # approved or restored: a reply among them now notifies
        _replies_came_into_view([comment.pk for comment in comments])


PICK_NOTE_MAX_LENGTH = Comment._meta.get_field("pick_note").max_length


def clean_pick_note(note: str | None) -> str:
    """An editors' note as stored: stripped, at most PICK_NOTE_MAX_LENGTH characters (raises
    ValidationError with a moderator's message)."""
    text = " ".join((note or "").split())
    if len(text) > PICK_NOTE_MAX_LENGTH:
        raise ValidationError(
            _("Keep the note to %(limit)d characters (this one has %(length)d).")
            % {"limit": PICK_NOTE_MAX_LENGTH, "length": len(text)},
            code="max_length",
        )
    return text


def set_pick(*, comments: Sequence[Comment], picked_by: User, note: str = "") -> None:
    """Make the comments editors' picks (編集部ピックアップ) with ``note``, or change the note of those
    already picked (their pick keeps its time): the one writer of the pick fields. Whether a
    comment is picked is moderation's to decide (moderation.picks), which locks the rows and
    audits in the same transaction; this writes and marks the pages of their articles as changed."""
    note = clean_pick_note(note)
    ids = [comment.pk for comment in comments]
    with transaction.atomic():
        rows = Comment.objects.filter(pk__in=ids)
        rows.filter(picked_at__isnull=True).update(picked_at=timezone.now(), picked_by=picked_by)
        rows.update(pick_note=note)
    caching.bump_article_versions(comment.article_id for comment in comments)


def unset_pick(*, comments: Sequence[Comment]) -> None:
    """The comments are editors' picks no more (see set_pick)."""
    Comment.objects.filter(pk__in=[comment.pk for comment in comments]).update(
        picked_at=None, picked_by=None, pick_note=""
    )
    caching.bump_article_versions(comment.article_id for comment in comments)


def move_comments(*, comments: CommentQuerySet, section: str) -> int:
    """Move comments to another section. Whether a comment names its author does not follow it to
    the world: a reaction from Japan was posted unsigned, and its author did not agree to be named,
    so it stays unsigned there. Moved to Japan, a comment loses its byline like every reaction,
    except one its author signed with a badge (Comment.signed_by_badge): they agreed to be named
    in both sections.

    A thread lives in its parent's section: a top-level comment takes its replies with it (each
    keeps its byline, which follows where its author lives), and a reply is not moved on its own.
    Returns how many top-level comments moved."""
    if section not in Section.values:
        raise ValidationError(_("Unknown section."))
    with transaction.atomic():
        parents = comments.filter(parent__isnull=True)
        _update_comments(Comment.objects.filter(parent__in=parents.values("pk")), section=section)
        if section == Section.JAPAN:
            kept = models.Case(models.When(signed_by_badge=True, then=models.F("signed")), default=models.Value(False))
            return _update_comments(parents, section=section, signed=kept)
        return _update_comments(parents, section=section)


def _set_open(articles: models.QuerySet[Article], field: str, is_open: bool) -> list[Article]:
    with transaction.atomic():
        ids = list(articles.values_list("pk", flat=True))
        changing = list(
            Article.objects.select_for_update().filter(pk__in=ids).exclude(**{field: is_open}).order_by("pk")
        )
        Article.objects.filter(pk__in=[article.pk for article in changing]).update(**{field: is_open})
        for article in changing:
            setattr(article, field, is_open)
        caching.bump_article_versions(article.pk for article in changing)
    return changing


def set_comments_open(*, articles: models.QuerySet[Article], is_open: bool) -> list[Article]:
    """Open or close the discussion on these articles. Returns the articles that changed (the
    moderation app audits them)."""
    return _set_open(articles, "comments_open", is_open)


def set_section_open(*, articles: models.QuerySet[Article], section: str, is_open: bool) -> list[Article]:
    """Open or close one section of these articles' discussions; the other section is left as
    it is. Returns the articles that changed (the moderation app audits them)."""
    if section not in Section.values:
        raise ValidationError(_("Unknown section."))
    return _set_open(articles, f"{section}_open", is_open)


def close_discussions_published_before(*, cutoff: datetime) -> list[Article]:
    """Close the comments of articles published before ``cutoff`` that the timed closing has not
    closed yet; each is closed once (a moderator may reopen it after). Returns those whose
    comments were open (the others were already closed by hand, and are only marked done)."""
    with transaction.atomic():
        due = list(
            Article.objects.select_for_update(skip_locked=True)
            .filter(published_at__lt=cutoff, comments_auto_closed_at__isnull=True)
            .order_by("pk")
        )
        Article.objects.filter(pk__in=[article.pk for article in due]).update(
            comments_open=False, comments_auto_closed_at=timezone.now()
        )
        closed = [article for article in due if article.comments_open]
        caching.bump_article_versions(article.pk for article in closed)
    return closed


@transaction.atomic
def publish_article(*, article: Article) -> Article:
    article.status = Article.Status.PUBLISHED
    if article.published_at is None:
        article.published_at = timezone.now()
    article.save()
    caching.bump_article_version(article.pk)
    return article


def author_byline_changed(*, user: User) -> None:
    """The reader's byline (name or country) changed, or is about to: the pages they commented on
    show it (signed comments to everyone, unsigned ones to the author), so their versions are
    bumped. Called by accounts' services through settings.ACCOUNTS_BYLINE_HOOKS, inside the
    transaction of the change (accounts imports no other app)."""
    caching.bump_article_versions(
        Comment.objects.filter(author_id=user.pk).values_list("article_id", flat=True).distinct().order_by()
    )


def author_leaving(*, user: User) -> None:
    """The reader's account is about to be deleted (settings.ACCOUNTS_DELETION_HOOKS, in the
    transaction of the deletion, before the cascade): their comments go with it, but not other
    readers' replies. A comment of theirs whose thread has visible replies from others becomes a
    placeholder under accounts.services.departed_reader (no text, no name, no votes), so that the
    cascade leaves the thread. A placeholder whose visible replies are all theirs goes: nothing
    of its thread would be left to read. The pages of every article they commented on change."""
    author_byline_changed(user=user)
    others = Comment.objects.visible().filter(parent=models.OuterRef("pk")).exclude(author=user)
    _make_placeholders(
        Comment.objects.filter(author=user, parent__isnull=True).filter(models.Exists(others)),
        author=departed_reader(),
        signed=False,
    )
    Comment.objects.placeholders().filter(
        models.Exists(Comment.objects.visible().filter(parent=models.OuterRef("pk"), author=user))
    ).exclude(models.Exists(others)).delete()


# --- Muting a comment's author ------------------------------------------------------------------
# A reader mutes the author of a comment they see, signed or not, without ever learning who it is:
# the mute is of the comment's voice (Mute.signed), and nothing said back names its author.
# Muting changes no shared page (the collapse is the reader's own overlay): nothing to bump.


def mute_refusal(*, user, comment: Comment) -> str | None:
    """Why this reader may not mute the comment's author; None when they may. Any signed-in reader
    may mute anyone else, a sanctioned one too (muting protects the reader, it says nothing)."""
    if not user.is_authenticated:
        return Refusal(_("Sign in to mute a reader."), SIGN_IN)
    if _is_author(user, comment):
        return Refusal(_("You cannot mute yourself: this is your own comment."), OWN_COMMENT)
    return None


def mute_author_of(*, reader: User, comment: Comment) -> Muted:
    """Mute the author of ``comment`` for ``reader``: their comments and replies in the comment's
    voice (signed or unsigned) collapse for the reader, and their replies do not notify them.
    Muting twice changes nothing. Raises PermissionDenied (a Refusal) for one's own comment."""
    if refusal := mute_refusal(user=reader, comment=comment):
        raise PermissionDenied(refusal)
    return mute_reader(reader=reader, muted_id=comment.author_id, signed=comment.signed, from_comment_id=comment.pk)


def unmute_author_of(*, reader: User, comment: Comment) -> bool:
    """Take back the reader's mute of the comment's author (in the comment's voice): False when
    there was none."""
    return unmute_voice(reader=reader, muted_id=comment.author_id, signed=comment.signed)
