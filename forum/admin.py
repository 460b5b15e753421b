"""The admin's pages for articles and comments: what they list, show and let staff edit.

What staff *do* here — actions and saves — the moderation app adds (moderation/forum_admin.py
subclasses these and registers itself in their place), because every change to a comment or a
discussion is audited there, and forum does not import moderation."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import selectors, services
from .models import COUNT_FIELDS, Article, Comment


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "dateline", "status", "comments_open", "japan_open", "world_open", "published_at")
    list_filter = ("status", "comments_open", "japan_open", "world_open")
    list_editable = ("comments_open",)
    search_fields = ("title", "title_ja", "body", "body_ja")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"
    fields = (
        "title",
        "slug",
        "dateline",
        "body",
        "discussion_prompt",
        # The Japanese version beside the English original: both title and body, or neither.
        "title_ja",
        "body_ja",
        "discussion_prompt_ja",
        "status",
        "comments_open",
        "japan_open",
        "world_open",
        "published_at",
    )


class CommentAdminForm(forms.ModelForm):
    def clean_body(self) -> str:
        # Browsers send a textarea's line breaks as CRLF; without this, saving a comment posted
        # through the API would count as rewording it. Then the same rules as the reader's form.
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        return services.clean_comment_body(body)  # its ValidationError becomes the field's error


class ThreadFilter(admin.SimpleListFilter):
    """Replies, or the comments that start threads."""

    title = _("replies")
    parameter_name = "thread"

    def lookups(self, request: HttpRequest, model_admin):
        return [("replies", _("Replies")), ("top_level", _("Top-level comments"))]

    def queryset(self, request: HttpRequest, queryset):
        match self.value():
            case "replies":
                return queryset.filter(parent__isnull=False)
            case "top_level":
                return queryset.filter(parent__isnull=True)
        return queryset


def _excerpt(comment: Comment, length: int) -> str:
    if comment.is_placeholder:
        return str(_("(deleted by its author)"))
    return comment.body if len(comment.body) <= length else comment.body[: length - 1] + "…"


def thread_context(comment: Comment, *, length: int = 200) -> str:
    """For a reply, what a moderator judges it against: its thread's comment (its text, a link to
    its admin page, its status when out of view) and, when it answers another reply, that reply.
    Empty for a comment that starts a thread. Reads ``parent`` and ``reply_to``: select them."""
    if comment.parent_id is None:
        return ""
    parent = comment.parent
    lines = [
        format_html(
            '<div class="thread-context-parent"><span class="thread-context-label">{}</span> '
            '<a href="{}"><q lang="{}">{}</q></a>{}</div>',
            _("A reply in the thread of:"),
            reverse("admin:forum_comment_change", args=[parent.pk]),
            parent.language,
            _excerpt(parent, length),
            format_html(" <strong>({})</strong>", parent.get_status_display())
            if parent.status != Comment.Status.VISIBLE
            else "",
        )
    ]
    answered = comment.reply_to
    if answered is not None and answered.pk != parent.pk:
        lines.append(
            format_html(
                '<div class="thread-context-answers"><span class="thread-context-label">{}</span> '
                '<a href="{}"><q lang="{}">{}</q></a></div>',
                _("Answering the reply:"),
                reverse("admin:forum_comment_change", args=[answered.pk]),
                answered.language,
                _excerpt(answered, length),
            )
        )
    elif comment.reply_to_id is None:
        lines.append(
            format_html('<div class="thread-context-answers">{}</div>', _("The reply it answered was deleted."))
        )
    return format_html('<div class="thread-context">{}</div>', format_html_join("", "{}", ((line,) for line in lines)))


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = (
        "short_body",
        "author",
        "article",
        "section",
        "status",
        "agree_count",
        "disagree_count",
        "created_at",
        "is_pick",
    )
    list_filter = ("status", ThreadFilter, "section", ("picked_at", admin.EmptyFieldListFilter), "article")
    list_select_related = ("author", "article", "parent", "reply_to")
    search_fields = ("body", "author__username", "author__display_name")
    raw_id_fields = ("author", "article")
    # Counters are derived from the votes; nobody types them in.
    # The language is the author's to correct (forum.services.edit_comment); staff see it.
    # Its earlier texts: a read-only list for everyone, being the record of what was written.
    # A reply shows its thread: what it answers, for a moderator to judge it in context. An
    # editors' pick is made and unmade by the list's actions (moderation audits them).
    readonly_fields = (
        "thread",
        "language",
        "created_at",
        "edited_at",
        "deleted_at",
        "earlier_versions",
        *COUNT_FIELDS,
        "tallied_at",
        "picked_at",
        "pick_note",
        "picked_by",
    )
    fields = ("article", "author", "section", "status", "body", "edited_by_moderator", *readonly_fields)
    form = CommentAdminForm

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Comments are readers' words; nobody writes one in the admin under someone's name.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Comment | None = None) -> tuple[str, ...]:
        readonly = ("edited_by_moderator", *self.readonly_fields)
        if not request.user.is_superuser:
            # Moderators hide, restore and move comments (the actions); they do not reword them,
            # re-attribute them, or move them to another article.
            readonly = ("article", "author", "section", "body", *readonly)
        return readonly

    @admin.display(description=_("editors' pick"), boolean=True, ordering="picked_at")
    def is_pick(self, comment: Comment) -> bool:
        return comment.is_pick

    @admin.display(description=_("comment"))
    def short_body(self, comment: Comment) -> str:
        text = _excerpt(comment, 80)
        return format_html("{}{}", text, thread_context(comment, length=80)) if comment.parent_id else text

    @admin.display(description=_("thread"))
    def thread(self, comment: Comment) -> str:
        return thread_context(comment) or _("It starts a thread.")

    @admin.display(description=_("earlier versions"))
    def earlier_versions(self, comment: Comment) -> str:
        """The texts edits replaced, newest first, each with when, by whom and whether staff
        rewrote it: read in one query (forum.selectors.comment_revisions), however many."""
        revisions = selectors.comment_revisions(comment=comment)
        if not revisions:
            return _("None: its text was never changed.")
        return format_html(
            '<ol class="comment-revisions">{}</ol>',
            format_html_join(
                "",
                '<li><div class="comment-revision-meta">{} · {}{}</div>'
                '<blockquote lang="{}" style="white-space: pre-wrap">{}</blockquote></li>',
                (
                    (
                        formats.date_format(timezone.localtime(revision.edited_at), "DATETIME_FORMAT"),
                        revision.edited_by or "—",
                        format_html(" <strong>({})</strong>", _("by a moderator")) if revision.by_moderator else "",
                        revision.language,
                        revision.body,
                    )
                    for revision in revisions
                ),
            ),
        )
