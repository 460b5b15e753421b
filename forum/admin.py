from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import COUNT_FIELDS, Article, Comment, Section
from .signals import moderated


def _audited(request: HttpRequest, action: str, targets: list, change) -> int:
    """Run ``change`` and announce it for the audit trail (moderation records it), together: if
    the record fails, the change is undone. ``targets`` are listed before the change, which may
    take them out of the action's queryset."""
    with transaction.atomic():
        count = change()
        moderated.send(sender=type(targets[0]) if targets else None, actor=request.user, action=action, targets=targets)
    return count


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "dateline", "status", "comments_open", "japan_open", "world_open", "published_at")
    list_filter = ("status", "comments_open", "japan_open", "world_open")
    list_editable = ("comments_open",)
    search_fields = ("title", "body")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"
    fields = (
        "title",
        "slug",
        "dateline",
        "body",
        "discussion_prompt",
        "status",
        "comments_open",
        "japan_open",
        "world_open",
        "published_at",
    )
    actions = (
        "publish",
        "close_comments",
        "open_comments",
        "close_japan",
        "open_japan",
        "close_world",
        "open_world",
    )

    def save_model(self, request: HttpRequest, obj: Article, form: forms.ModelForm, change: bool) -> None:
        # Opening or closing comments from the form or the list's checkbox is audited like the actions.
        if change and "comments_open" in form.changed_data:
            action = "open" if obj.comments_open else "close"
            _audited(request, action, [obj], lambda: super(ArticleAdmin, self).save_model(request, obj, form, change))
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            services.publish_article(article=article)
        self.message_user(request, _("Published."), messages.SUCCESS)

    @admin.action(description=_("Close comments on the selected articles"), permissions=["change"])
    def close_comments(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        articles = list(queryset)
        count = _audited(
            request, "close", articles, lambda: services.set_comments_open(articles=queryset, is_open=False)
        )
        message = ngettext("Comments closed on %(count)d article.", "Comments closed on %(count)d articles.", count) % {
            "count": count
        }
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Open comments on the selected articles"), permissions=["change"])
    def open_comments(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        articles = list(queryset)
        count = _audited(request, "open", articles, lambda: services.set_comments_open(articles=queryset, is_open=True))
        message = ngettext("Comments opened on %(count)d article.", "Comments opened on %(count)d articles.", count) % {
            "count": count
        }
        self.message_user(request, message, messages.SUCCESS)

    def _set_section(self, request: HttpRequest, queryset: QuerySet[Article], section: Section, is_open: bool) -> None:
        count = services.set_section_open(articles=queryset, section=section, is_open=is_open, actor=request.user)
        if is_open:
            message = ngettext(
                "“%(section)s” opened on %(count)d article.", "“%(section)s” opened on %(count)d articles.", count
            )
        else:
            message = ngettext(
                "“%(section)s” closed on %(count)d article.", "“%(section)s” closed on %(count)d articles.", count
            )
        self.message_user(request, message % {"section": section.label, "count": count}, messages.SUCCESS)

    @admin.action(description=_("Close “Reactions in Japan” on the selected articles"), permissions=["change"])
    def close_japan(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._set_section(request, queryset, Section.JAPAN, is_open=False)

    @admin.action(description=_("Open “Reactions in Japan” on the selected articles"), permissions=["change"])
    def open_japan(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._set_section(request, queryset, Section.JAPAN, is_open=True)

    @admin.action(
        description=_("Close “Voices from Around the World” on the selected articles"), permissions=["change"]
    )
    def close_world(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._set_section(request, queryset, Section.WORLD, is_open=False)

    @admin.action(description=_("Open “Voices from Around the World” on the selected articles"), permissions=["change"])
    def open_world(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._set_section(request, queryset, Section.WORLD, is_open=True)


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
    )
    list_filter = ("status", "section", "article")
    list_select_related = ("author", "article")
    search_fields = ("body", "author__username", "author__display_name")
    raw_id_fields = ("author", "article")
    # Counters are derived from the votes; nobody types them in.
    readonly_fields = ("created_at", "edited_at", *COUNT_FIELDS, "tallied_at")
    fields = ("article", "author", "section", "status", "body", "edited_by_moderator", *readonly_fields)
    actions = ("hide", "restore", "move_to_japan", "move_to_world")
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

    def save_model(self, request: HttpRequest, obj: Comment, form: forms.ModelForm, change: bool) -> None:
        services.save_comment_in_admin(editor=request.user, comment=obj)

    @admin.display(description=_("comment"))
    def short_body(self, comment: Comment) -> str:
        return comment.body if len(comment.body) <= 80 else comment.body[:79] + "…"

    def _done(self, request: HttpRequest, message: str, count: int) -> None:
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Hide the selected comments"), permissions=["change"])
    def hide(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = _audited(request, "hide", list(queryset), lambda: services.hide_comments(comments=queryset))
        self._done(request, ngettext("%(count)d comment hidden.", "%(count)d comments hidden.", count), count)

    @admin.action(description=_("Restore the selected comments"), permissions=["change"])
    def restore(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = _audited(request, "restore", list(queryset), lambda: services.restore_comments(comments=queryset))
        self._done(request, ngettext("%(count)d comment restored.", "%(count)d comments restored.", count), count)

    @admin.action(description=_("Move to “Reactions in Japan”"), permissions=["change"])
    def move_to_japan(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = _audited(
            request, "move", list(queryset), lambda: services.move_comments(comments=queryset, section=Section.JAPAN)
        )
        self._done(request, ngettext("%(count)d comment moved.", "%(count)d comments moved.", count), count)

    @admin.action(description=_("Move to “Voices from Around the World”"), permissions=["change"])
    def move_to_world(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = _audited(
            request, "move", list(queryset), lambda: services.move_comments(comments=queryset, section=Section.WORLD)
        )
        self._done(request, ngettext("%(count)d comment moved.", "%(count)d comments moved.", count), count)
