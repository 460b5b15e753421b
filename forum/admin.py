from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import COUNT_FIELDS, Article, Comment, Section


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "dateline", "status", "comments_open", "published_at")
    list_filter = ("status", "comments_open")
    list_editable = ("comments_open",)
    search_fields = ("title", "body")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"
    fields = ("title", "slug", "dateline", "body", "discussion_prompt", "status", "comments_open", "published_at")
    actions = ("publish", "close_comments", "open_comments")

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            services.publish_article(article=article)
        self.message_user(request, _("Published."), messages.SUCCESS)

    @admin.action(description=_("Close comments on the selected articles"), permissions=["change"])
    def close_comments(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        queryset.update(comments_open=False)

    @admin.action(description=_("Open comments on the selected articles"), permissions=["change"])
    def open_comments(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        queryset.update(comments_open=True)


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
    readonly_fields = ("created_at", "edited_at", *COUNT_FIELDS, "tallied_at")
    fields = ("article", "author", "section", "status", "body", *readonly_fields)
    actions = ("hide", "restore", "move_to_japan", "move_to_world")

    @admin.display(description=_("comment"))
    def short_body(self, comment: Comment) -> str:
        return comment.body if len(comment.body) <= 80 else comment.body[:79] + "…"

    def _done(self, request: HttpRequest, message: str, count: int) -> None:
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Hide the selected comments"), permissions=["change"])
    def hide(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = services.hide_comments(comments=queryset)
        self._done(request, ngettext("%(count)d comment hidden.", "%(count)d comments hidden.", count), count)

    @admin.action(description=_("Restore the selected comments"), permissions=["change"])
    def restore(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = services.restore_comments(comments=queryset)
        self._done(request, ngettext("%(count)d comment restored.", "%(count)d comments restored.", count), count)

    @admin.action(description=_("Move to “Reactions in Japan”"), permissions=["change"])
    def move_to_japan(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = services.move_comments(comments=queryset, section=Section.JAPAN)
        self._done(request, ngettext("%(count)d comment moved.", "%(count)d comments moved.", count), count)

    @admin.action(description=_("Move to “Voices from Around the World”"), permissions=["change"])
    def move_to_world(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = services.move_comments(comments=queryset, section=Section.WORLD)
        self._done(request, ngettext("%(count)d comment moved.", "%(count)d comments moved.", count), count)
