from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .forms import ForumAdminPasswordChangeForm
from .models import User

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
    change_password_form = ForumAdminPasswordChangeForm  # revokes the reader's API tokens

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            services.deactivate_user(user=obj)  # their API tokens go too

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += POWER_FIELDS
        return readonly
