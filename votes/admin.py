from django.contrib import admin

from .models import Vote


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    """Votes are the readers' own: moderators may look, nobody edits them by hand (nor un-voids
    one: voids are made by the readers' admin action, with a reason, and are final)."""

    list_display = ("comment", "user", "choice", "region", "updated_at", "voided_at")
    list_filter = ("choice", "region", ("voided_at", admin.EmptyFieldListFilter))
    list_select_related = ("comment", "user")
    raw_id_fields = ("comment", "user")
    search_fields = ("user__username",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
