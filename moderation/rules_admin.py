"""The admin for sanctions, word lists and vote voids (the readers' side of moderation); the
queue and the audit trail are in moderation/admin.py, which imports this module."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.admin import UserAdmin
from accounts.models import Sanction, User

from . import sanctions, staff_edits, vote_voids, word_rules
from .forms import ReasonForm, SuspensionForm
from .history import AuditedHistoryMixin
from .models import WordRule


def action_form_page(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    form_class: type[forms.Form],
    title: str,
    submit_label: str,
    apply: Callable[[forms.Form, object], None],
    done: Callable[[int], str],
) -> TemplateResponse | None:
    """An intermediate action page: the first call shows ``form_class`` for the selected objects;
    the form posted back (with ``apply``) runs ``apply`` on each object. Objects the service
    refuses are reported one by one; the others go ahead. Returns None when done (back to the list)."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        succeeded = 0
        for obj in queryset:
            try:
                apply(form, obj)
                succeeded += 1
            except (PermissionDenied, ValidationError) as refusal:
                text = "; ".join(refusal.messages) if isinstance(refusal, ValidationError) else str(refusal)
                modeladmin.message_user(request, f"{obj}: {text}", messages.ERROR)
        if succeeded:
            modeladmin.message_user(request, done(succeeded), messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": _("Selected:"),
        "opts": modeladmin.model._meta,
        "queryset": queryset,
        "form": form,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "submit_label": submit_label,
    }
    return TemplateResponse(request, "admin/moderation/action_form.html", context)


class ModerationUserAdmin(AuditedHistoryMixin, UserAdmin):
    """The readers' admin (accounts.admin.UserAdmin, whose rules keep moderators to readers
    only) with the moderation actions added, and every save, password set and deletion audited
    (moderation.staff_edits). They live here, not in accounts, because they record to the
    moderation audit and accounts imports no other app."""

    list_display = (*UserAdmin.list_display, "is_banned", "suspended_until", "is_premoderated")
    list_filter = (*UserAdmin.list_filter, "is_banned", "is_premoderated")
    readonly_fields = ("suspended_until", "is_banned", "is_premoderated", "sanction_history")
    actions = ("suspend_readers", "ban_readers", "premoderate_readers", "void_votes")

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("Standing"), {"fields": self.readonly_fields})]

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)  # a superuser adding an account
            return
        staff_edits.save_reader(editor=request.user, reader=obj, changed=form.changed_data)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        # Django's view saves the form itself; the audit joins it in one transaction, recorded
        # when the stored password changed (a refused or invalid form changes nothing).
        with transaction.atomic():
            before = User.objects.select_for_update().filter(pk=id).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            after = User.objects.filter(pk=id).values_list("password", flat=True).first()
            if request.method == "POST" and before is not None and after != before:
                reader = User.objects.get(pk=id)
                staff_edits.record_password_set(editor=request.user, reader=reader, usable=reader.has_usable_password())
        return response

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        staff_edits.delete_readers(editor=request.user, readers=[obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        staff_edits.delete_readers(editor=request.user, readers=list(queryset))

    @admin.display(description=gettext_lazy("sanctions"))
    def sanction_history(self, reader: User) -> str:
        """Every sanction, newest first (the full record is under Sanctions)."""
        rows = format_html_join(
            "",
            "<li>{} · {} – {} · {}{}</li>",
            (
                (
                    sanction.get_kind_display(),
                    date_format(localtime(sanction.starts_at), "DATETIME_FORMAT"),
                    date_format(localtime(sanction.ends_at), "DATETIME_FORMAT") if sanction.ends_at else "…",
                    sanction.reason,
                    _(" (lifted)") if sanction.lifted_at else "",
                )
                for sanction in reader.sanctions.all()
            ),
        )
        return format_html("<ul>{}</ul>", rows) if rows else _("None")

    @admin.action(description=gettext_lazy("Suspend the selected readers…"), permissions=["change"])
    def suspend_readers(self, request: HttpRequest, queryset: QuerySet[User]):
        return action_form_page(
            self,
            request,
            queryset,
            form_class=SuspensionForm,
            title=_("Suspend readers"),
            submit_label=_("Suspend"),
            apply=lambda form, reader: sanctions.suspend_reader(
                moderator=request.user, reader=reader, reason=form.cleaned_data["reason"], **form.period_kwargs()
            ),
            done=lambda n: ngettext("%(count)d reader suspended.", "%(count)d readers suspended.", n) % {"count": n},
        )

    @admin.action(description=gettext_lazy("Ban the selected readers…"), permissions=["change"])
    def ban_readers(self, request: HttpRequest, queryset: QuerySet[User]):
        return action_form_page(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Ban readers"),
            submit_label=_("Ban"),
            apply=lambda form, reader: sanctions.ban_reader(
                moderator=request.user, reader=reader, reason=form.cleaned_data["reason"]
            ),
            done=lambda n: ngettext("%(count)d reader banned.", "%(count)d readers banned.", n) % {"count": n},
        )

    @admin.action(description=gettext_lazy("Pre-moderate the selected readers…"), permissions=["change"])
    def premoderate_readers(self, request: HttpRequest, queryset: QuerySet[User]):
        return action_form_page(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Pre-moderate readers"),
            submit_label=_("Pre-moderate"),
            apply=lambda form, reader: sanctions.premoderate_reader(
                moderator=request.user, reader=reader, reason=form.cleaned_data["reason"]
            ),
            done=lambda n: (
                ngettext(
                    "%(count)d reader pre-moderated: their new comments wait for review.",
                    "%(count)d readers pre-moderated: their new comments wait for review.",
                    n,
                )
                % {"count": n}
            ),
        )

    @admin.action(description=gettext_lazy("Void all votes of the selected readers…"), permissions=["change"])
    def void_votes(self, request: HttpRequest, queryset: QuerySet[User]):
        return action_form_page(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Void readers' votes"),
            submit_label=_("Void their votes"),
            apply=lambda form, reader: vote_voids.void_votes(
                moderator=request.user, reader=reader, reason=form.cleaned_data["reason"]
            ),
            done=lambda n: (
                ngettext(
                    "Votes voided for %(count)d reader; the counts are being re-tallied.",
                    "Votes voided for %(count)d readers; the counts are being re-tallied.",
                    n,
                )
                % {"count": n}
            ),
        )


admin.site.unregister(User)
admin.site.register(User, ModerationUserAdmin)


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    """Sanctions past and present, read-only: they are imposed from the readers' list and lifted
    with the "lift" action, each with a reason and each audited."""

    list_display = ("user", "kind", "starts_at", "ends_at", "active", "imposed_by", "lifted_at", "lifted_by")
    list_filter = ("kind", "starts_at", "lifted_at")
    list_select_related = ("user", "imposed_by", "lifted_by")
    search_fields = ("user__username", "user__display_name", "reason")
    date_hierarchy = "starts_at"
    actions = ("lift",)

    @admin.display(description=gettext_lazy("active"), boolean=True)
    def active(self, sanction: Sanction) -> bool:
        return sanction.is_active

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Sanction | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Sanction | None = None) -> bool:
        return False

    def has_lift_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.change_sanction")

    @admin.action(description=gettext_lazy("Lift the selected sanctions…"), permissions=["lift"])
    def lift(self, request: HttpRequest, queryset: QuerySet[Sanction]):
        def apply(form: forms.Form, sanction: Sanction) -> None:
            if not sanctions.lift_sanction(
                moderator=request.user, sanction=sanction, reason=form.cleaned_data["reason"]
            ):
                raise ValidationError(_("It was already lifted."))

        return action_form_page(
            self,
            request,
            queryset.select_related("user"),
            form_class=ReasonForm,
            title=_("Lift sanctions"),
            submit_label=_("Lift"),
            apply=apply,
            done=lambda n: ngettext("%(count)d sanction lifted.", "%(count)d sanctions lifted.", n) % {"count": n},
        )


@admin.register(WordRule)
class WordRuleAdmin(admin.ModelAdmin):
    """The banned and suspect word lists. Every addition, change and removal is audited."""

    list_display = ("phrase", "list", "note", "added_by", "created_at")
    list_filter = ("list",)
    search_fields = ("phrase", "note")
    fields = ("phrase", "list", "note")

    def save_model(self, request: HttpRequest, obj: WordRule, form: forms.ModelForm, change: bool) -> None:
        word_rules.save_word_rule(moderator=request.user, rule=obj)

    def delete_model(self, request: HttpRequest, obj: WordRule) -> None:
        word_rules.remove_word_rules(moderator=request.user, rules=[obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WordRule]) -> None:
        word_rules.remove_word_rules(moderator=request.user, rules=list(queryset))
