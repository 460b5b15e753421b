"""The admin's pages for articles and comments: what they list, show and let staff edit.

What staff *do* here — actions and saves — the moderation app adds (moderation/forum_admin.py
subclasses these and registers itself in their place), because every change to a comment or a
discussion is audited there, and forum does not import moderation."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import COUNT_FIELDS, Article, Comment, CommentRevision


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


class CommentRevisionInline(admin.TabularInline):
    """The comment's earlier texts, newest first, on its admin page: read-only for everyone, since
    they are the record of what was written (forum.services keeps them on every edit)."""

    model = CommentRevision
    fields = ("edited_at", "edited_by", "by_moderator", "language", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request: HttpRequest):
        # Who replaced each text in the same query: no query per revision.
        return super().get_queryset(request).select_related("edited_by")

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        # Whoever may see the comment may see what it said before.
        return request.user.has_perm("forum.view_comment") or request.user.has_perm("forum.change_comment")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


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
    )
    list_filter = ("status", "section", "article")
    list_select_related = ("author", "article")
    search_fields = ("body", "author__username", "author__display_name")
    raw_id_fields = ("author", "article")
    # Counters are derived from the votes; nobody types them in.
    # The language is the author's to correct (forum.services.edit_comment); staff see it.
    readonly_fields = ("language", "created_at", "edited_at", *COUNT_FIELDS, "tallied_at")
    fields = ("article", "author", "section", "status", "body", "edited_by_moderator", *readonly_fields)
    form = CommentAdminForm
    inlines = (CommentRevisionInline,)

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

    @admin.display(description=_("comment"))
    def short_body(self, comment: Comment) -> str:
        return comment.body if len(comment.body) <= 80 else comment.body[:79] + "…"
