"""Badges in the admin: accounts' page (accounts/admin.py) with its saves and deletes made
through moderation.badges, which audits them. Registered in place of accounts' own."""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.admin import BadgeAdmin
from accounts.models import Badge

from . import badges
from .history import AuditedHistoryMixin
from .models import AuditEntry


class ModerationBadgeAdmin(AuditedHistoryMixin, BadgeAdmin):
    def save_model(self, request: HttpRequest, obj: Badge, form: forms.ModelForm, change: bool) -> None:
        saved = badges.give_badge(
            editor=request.user,
            reader=obj.user,
            kind=obj.kind,
            title=obj.title,
            description=obj.description,
            via=AuditEntry.ReasonCode.ADMIN_FORM,
        )
        obj.pk, obj.given_at, obj.given_by, obj.accepted_at = (
            saved.pk,
            saved.given_at,
            saved.given_by,
            saved.accepted_at,
        )

    def delete_model(self, request: HttpRequest, obj: Badge) -> None:
        badges.remove_badges(editor=request.user, badges=[obj], via=AuditEntry.ReasonCode.ADMIN_FORM)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Badge]) -> None:
        badges.remove_badges(
            editor=request.user, badges=list(queryset.select_related("user")), via=AuditEntry.ReasonCode.ADMIN_ACTION
        )


admin.site.unregister(Badge)
admin.site.register(Badge, ModerationBadgeAdmin)
