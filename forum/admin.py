"""The admin's pages for articles and comments: what they list, show and let staff edit.

What staff *do* here — actions and saves — the moderation app adds (moderation/forum_admin.py
subclasses these and registers itself in their place), because every change to a comment or a
discussion is audited there, and forum does not import moderation."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest
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
    list_filter = ("status", "section", ("picked_at", admin.EmptyFieldListFilter), "article")
    list_select_related = ("author", "article")
    search_fields = ("body", "author__username", "author__display_name")
    raw_id_fields = ("author", "article")
    # Counters are derived from the votes; nobody types them in.
    # The language is the author's to correct (forum.services.edit_comment); staff see it.
    # Its earlier texts: a read-only list for everyone, being the record of what was written.
    # An editors' pick is made and unmade by the list's actions (moderation audits them).
    readonly_fields = (
        "language",
        "created_at",
        "edited_at",
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
        return comment.body if len(comment.body) <= 80 else comment.body[:79] + "…"

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
