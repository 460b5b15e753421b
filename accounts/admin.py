from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin as BaseTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from . import services
from .forms import AdminUserAddForm, AdminUserChangeForm, ForumAdminPasswordChangeForm
from .models import AccountDeletion, Badge, DisposableEmailDomain, TwoFactorAuthenticator, User

# Fields that grant power. Only a superuser may change them, so a moderator who can edit readers
# cannot promote anyone, themselves included.
POWER_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")
# Who the reader is and how old the account is: only a superuser changes them. A moderator's
# work needs neither, and date_joined drives the new-account wait and the young-account flag.
IDENTITY_FIELDS = ("username", "date_joined", "last_login")
# What moderators do not see at all: a reader's e-mail (not listed, searched, filtered or shown).
HIDDEN_FROM_MODERATORS = ("email",)


def is_staff_account(user: User | None) -> bool:
    return user is not None and (user.is_staff or user.is_superuser)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Moderators act on readers only: staff and superuser accounts do not exist for them here
    (404 on every URL, left out of the list and so of bulk actions), because whoever can change an
    account with more power than their own — its password, e-mail, active flag — can take it over.
    Nor do moderators set or reset anyone's password: a password they know is a reader they can
    impersonate. Only a superuser manages staff accounts and passwords.

    Moderators hold no more of a reader's data than their work needs: no e-mail anywhere here,
    and the username, date_joined and last_login read-only."""

    # The address's domain and the last sign-in method are what moderators may know of the address
    # and the sign-in (the address itself stays hidden from them, HIDDEN_FROM_MODERATORS).
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Forum profile"), {"fields": ("display_name", "country")}),
        (_("E-mail and sign-in"), {"fields": ("email_domain", "sign_in_method")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Forum profile"), {"fields": ("display_name", "country")}),)
    list_display = (
        "username",
        "display_name",
        "country",
        "email",
        "email_domain",
        "sign_in_method",
        "is_staff",
        "is_active",
    )
    list_filter = ("is_staff", "is_active", "groups", "country", "sign_in_method")
    search_fields = ("username", "display_name", "email")
    change_password_form = ForumAdminPasswordChangeForm  # revokes the reader's API tokens
    # Both check names as sign-up does (accounts.names), except staff titles on staff set by a superuser.
    form = AdminUserChangeForm
    add_form = AdminUserAddForm

    def get_form(self, request: HttpRequest, obj: User | None = None, **kwargs):
        form = super().get_form(request, obj, **kwargs)  # a class made for this request
        form.by_superuser = request.user.is_superuser
        return form

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            services.deactivate_user(user=obj)  # their API tokens go too
        if change and services.BYLINE_FIELDS & set(form.changed_data):
            services.byline_changed(user=obj)

    def get_list_display(self, request: HttpRequest):
        return _without_hidden(request, super().get_list_display(request))

    def get_search_fields(self, request: HttpRequest):
        return _without_hidden(request, super().get_search_fields(request))

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # A filter in the URL (?email__startswith=a) would reveal e-mails one letter at a time.
        hidden = lookup.split("__")[0] in HIDDEN_FROM_MODERATORS
        if hidden and request is not None and not request.user.is_superuser:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(is_staff=False, is_superuser=False)
        return queryset

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> User | None:
        user = super().get_object(request, object_id, from_field)
        # The admin redirects to the index ("perhaps it was deleted?") for an object outside the
        # queryset; a staff account must answer 404 instead, the same as one that does not exist.
        if user is None and not request.user.is_superuser:
            raise Http404(_("No such reader."))
        return user

    def _may_touch(self, request: HttpRequest, obj: User | None) -> bool:
        return request.user.is_superuser or not is_staff_account(obj)

    def has_view_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return super().has_view_permission(request, obj) and self._may_touch(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_touch(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_touch(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A new account comes with a password; only a superuser chooses one for someone else.
        return request.user.is_superuser and super().has_add_permission(request)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:
            return fieldsets
        # No password row: its widget links to the set-password form, which moderators may not
        # use. No e-mail row either: moderators do not see it.
        left_out = ("password", *HIDDEN_FROM_MODERATORS)
        return [
            (name, {**options, "fields": tuple(field for field in options["fields"] if field not in left_out)})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        readonly = (*super().get_readonly_fields(request, obj), "email_domain", "sign_in_method")
        if not request.user.is_superuser:
            readonly += POWER_FIELDS + IDENTITY_FIELDS
        return readonly


def _without_hidden(request: HttpRequest, names) -> tuple[str, ...]:
    if request.user.is_superuser:
        return tuple(names)
    return tuple(name for name in names if name not in HIDDEN_FROM_MODERATORS)


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """For models that hand out power: whoever can edit a group's permissions can grant them to
    themselves, and whoever can see or create a token can act as its reader. Only a superuser
    reaches these, whatever permissions a group is given by mistake."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


admin.site.unregister(Group)
admin.site.unregister(TokenProxy)


@admin.register(Group)
class GroupAdmin(SuperuserOnlyAdmin, BaseGroupAdmin):
    pass


@admin.register(TokenProxy)
class TokenAdmin(SuperuserOnlyAdmin, BaseTokenAdmin):
    pass


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


@admin.register(DisposableEmailDomain)
class DisposableEmailDomainAdmin(admin.ModelAdmin):
    """The domains sign-up and a change of address refuse (accounts.email_domains); moderators keep it."""

    list_display = ("domain", "note", "added_at")
    search_fields = ("domain", "note")
    fields = ("domain", "note")


# allauth.mfa's authenticators hold the TOTP secrets: a superuser's alone, to delete one for a staff
# member who lost their phone and their recovery codes (they then set two-factor up again). Shown
# through accounts' proxy, whose names are translated (allauth's model names are not).
admin.site.unregister(Authenticator)


@admin.register(TwoFactorAuthenticator)
class TwoFactorAuthenticatorAdmin(SuperuserOnlyAdmin):
    list_display = ("account", "kind", "added", "last_used")
    list_filter = ("type",)
    fields = ("account", "kind", "added", "last_used")
    readonly_fields = fields
    list_select_related = ("user",)

    @admin.display(description=_("account"))
    def account(self, authenticator: TwoFactorAuthenticator) -> str:
        return authenticator.user.get_username()

    @admin.display(description=_("kind"))
    def kind(self, authenticator: TwoFactorAuthenticator) -> str:
        return authenticator.get_type_display()

    @admin.display(description=_("added at"))
    def added(self, authenticator: TwoFactorAuthenticator):
        return authenticator.created_at

    @admin.display(description=_("last used at"))
    def last_used(self, authenticator: TwoFactorAuthenticator):
        return authenticator.last_used_at

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    """Readers' badges: listed and shown here. Offering, changing and removing one is audited, so
    the moderation app registers a subclass that saves through its service (moderation.badges)."""

    list_display = ("user", "kind", "title", "description", "given_at", "accepted_at")
    list_filter = ("kind", ("accepted_at", admin.EmptyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("user__username", "user__display_name", "title", "description")
    raw_id_fields = ("user",)
    fields = ("user", "kind", "title", "description", "given_at", "given_by", "accepted_at")
    readonly_fields = ("given_at", "given_by", "accepted_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Badge | None = None) -> tuple[str, ...]:
        # A badge is one reader's: to give it to another, remove it and offer a new one.
        return (*self.readonly_fields, "user") if obj is not None else self.readonly_fields
