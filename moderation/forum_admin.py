"""What staff do to articles and comments in the admin: forum's admin pages (forum/admin.py)
with their actions and saves, each through a moderation service that audits it in the same
transaction (moderation.staff_edits, moderation.closing). Registered in place of forum's own."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from forum.admin import ArticleAdmin, CommentAdmin
from forum.models import Article, Comment, Section

from . import closing, picks, staff_edits
from .forms import PickForm
from .history import AuditedHistoryMixin
from .models import AuditEntry
from .rules_admin import action_form_page


def _via(request: HttpRequest) -> str:
    """Which admin path saved an object: the list's editable column or the change form."""
    url_name = request.resolver_match.url_name if request.resolver_match else ""
    return AuditEntry.ReasonCode.ADMIN_LIST if url_name.endswith("_changelist") else AuditEntry.ReasonCode.ADMIN_FORM


class ModerationArticleAdmin(AuditedHistoryMixin, ArticleAdmin):
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
        if not change:
            super().save_model(request, obj, form, change)  # a new draft: nothing to audit yet
            return
        staff_edits.save_article(editor=request.user, article=obj, changed=form.changed_data, via=_via(request))

    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        staff_edits.delete_articles(editor=request.user, articles=[obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        staff_edits.delete_articles(editor=request.user, articles=list(queryset))

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        staff_edits.publish_articles(editor=request.user, articles=queryset)
        self.message_user(request, _("Published."), messages.SUCCESS)

    def _set_open(self, request: HttpRequest, queryset: QuerySet[Article], is_open: bool) -> None:
        changed = closing.set_comments_open(
            moderator=request.user, articles=queryset, is_open=is_open, via=AuditEntry.ReasonCode.ADMIN_ACTION
        )
        if is_open:
            message = ngettext(
                "Comments opened on %(count)d article.", "Comments opened on %(count)d articles.", len(changed)
            )
        else:
            message = ngettext(
                "Comments closed on %(count)d article.", "Comments closed on %(count)d articles.", len(changed)
            )
        self.message_user(request, message % {"count": len(changed)}, messages.SUCCESS)

    @admin.action(description=_("Close comments on the selected articles"), permissions=["change"])
    def close_comments(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._set_open(request, queryset, is_open=False)

    @admin.action(description=_("Open comments on the selected articles"), permissions=["change"])
    def open_comments(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._set_open(request, queryset, is_open=True)

    def _set_section(self, request: HttpRequest, queryset: QuerySet[Article], section: Section, is_open: bool) -> None:
        count = len(
            closing.set_section_open(
                moderator=request.user,
                articles=queryset,
                section=section,
                is_open=is_open,
                via=AuditEntry.ReasonCode.ADMIN_ACTION,
            )
        )
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


class ModerationCommentAdmin(AuditedHistoryMixin, CommentAdmin):
    actions = ("hide", "restore", "move_to_japan", "move_to_world", "pick", "unpick")

    def has_pick_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(picks.PICK_PERMISSION)

    def save_model(self, request: HttpRequest, obj: Comment, form: forms.ModelForm, change: bool) -> None:
        staff_edits.save_comment(editor=request.user, comment=obj)

    def delete_model(self, request: HttpRequest, obj: Comment) -> None:
        staff_edits.delete_comments(editor=request.user, comments=[obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        staff_edits.delete_comments(editor=request.user, comments=list(queryset))

    def _done(self, request: HttpRequest, message: str, count: int) -> None:
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Hide the selected comments"), permissions=["change"])
    def hide(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = staff_edits.hide_comments(moderator=request.user, comments=queryset)
        self._done(request, ngettext("%(count)d comment hidden.", "%(count)d comments hidden.", count), count)

    @admin.action(description=_("Restore the selected comments"), permissions=["change"])
    def restore(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = staff_edits.restore_comments(moderator=request.user, comments=queryset)
        self._done(request, ngettext("%(count)d comment restored.", "%(count)d comments restored.", count), count)

    @admin.action(description=_("Move to “Reactions in Japan”"), permissions=["change"])
    def move_to_japan(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = staff_edits.move_comments(moderator=request.user, comments=queryset, section=Section.JAPAN)
        self._done(request, ngettext("%(count)d comment moved.", "%(count)d comments moved.", count), count)

    @admin.action(description=_("Move to “Voices from Around the World”"), permissions=["change"])
    def move_to_world(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = staff_edits.move_comments(moderator=request.user, comments=queryset, section=Section.WORLD)
        self._done(request, ngettext("%(count)d comment moved.", "%(count)d comments moved.", count), count)

    @admin.action(description=_("Pick as editors' picks…"), permissions=["pick"])
    def pick(self, request: HttpRequest, queryset: QuerySet[Comment]):
        return action_form_page(
            self,
            request,
            queryset,
            form_class=PickForm,
            title=gettext("Pick as editors' picks"),
            submit_label=gettext("Pick"),
            apply=lambda form, comment: picks.pick_comments(
                moderator=request.user,
                comments=Comment.objects.filter(pk=comment.pk),
                note=form.cleaned_data["note"],
                via=AuditEntry.ReasonCode.ADMIN_ACTION,
            ),
            done=lambda n: ngettext("%(count)d comment picked.", "%(count)d comments picked.", n) % {"count": n},
        )

    @admin.action(description=_("Remove from the editors' picks"), permissions=["pick"])
    def unpick(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = picks.unpick_comments(moderator=request.user, comments=queryset, via=AuditEntry.ReasonCode.ADMIN_ACTION)
        message = ngettext(
            "%(count)d comment removed from the editors' picks.",
            "%(count)d comments removed from the editors' picks.",
            count,
        )
        self._done(request, message, count)


admin.site.unregister(Article)
admin.site.register(Article, ModerationArticleAdmin)
admin.site.unregister(Comment)
admin.site.register(Comment, ModerationCommentAdmin)
