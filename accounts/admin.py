from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import AccountDeletion, User

# Fields that grant power. Only a superuser may change them, so a moderator who can edit readers
# cannot promote anyone, themselves included.
POWER_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("Forum profile"), {"fields": ("display_name", "country")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Forum profile"), {"fields": ("display_name", "country")}),)
    list_display = ("username", "display_name", "country", "email", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "groups", "country")
    search_fields = ("username", "display_name", "email")

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += POWER_FIELDS
        return readonly


@admin.register(AccountDeletion)
class AccountDeletionAdmin(admin.ModelAdmin):
    """Readers who deleted their own account: when and from where, never who. Read-only."""

    list_display = ("__str__", "deleted_at", "via")
    list_filter = ("via",)
    date_hierarchy = "deleted_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AccountDeletion | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AccountDeletion | None = None) -> bool:
        return False
