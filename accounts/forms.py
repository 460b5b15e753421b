from allauth.socialaccount.forms import SignupForm as AllauthSocialSignupForm
from django import forms
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    PasswordChangeForm,
    UserChangeForm,
    UserCreationForm,
)
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .countries import country_choices
from .email_domains import ensure_email_domain_accepted
from .models import User
from .names import check_name
from .services import change_password, ensure_country_change_allowed
from .sign_in_limits import password_confirmed
from .time_zones import zone_choices

PROFILE_HELP = {
    "display_name": _("Signs your comments under “Voices from Around the World”; reactions in Japan are unsigned."),
    "country": _(
        "Japan puts your comments under “Reactions in Japan”; any other country, or none, under “Voices "
        "from Around the World”. Your votes count towards Japan or the world the same way."
    ),
}


class CountryChoicesMixin:
    """The country list in the reader's language's order, the browser's country first
    (accounts/countries.py); ``suggested_country`` comes from the request's Accept-Language."""

    def __init__(self, *args, suggested_country: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices(first=suggested_country)


class NameRulesMixin:
    """Runs accounts.names.check_name on a username or display name the form sets or changes,
    each error under its own field (the form keeps what was typed)."""

    NAME_FIELDS = ("username", "display_name")

    def staff_title_allowed(self) -> bool:
        return False

    def clean(self) -> dict:
        cleaned = super().clean()
        account = self.instance if self.instance.pk else None
        for field in self.NAME_FIELDS:
            if field not in self.fields or field not in cleaned:
                continue  # not on this form, or already refused
            name = cleaned[field]
            if account is not None and name == getattr(account, field):
                continue  # a name already held stays until it is changed
            try:
                check_name(
                    name=name,
                    user=account,
                    staff_title_allowed=self.staff_title_allowed(),
                    is_username=field == "username",
                )
            except ValidationError as refusal:
                self.add_error(field, refusal)
        return cleaned


class AdminNameRulesMixin(NameRulesMixin):
    """In the admin a superuser may give a staff account a staff title (accounts.admin sets
    ``by_superuser`` for the request); moderators, and readers' accounts, follow the rules."""

    by_superuser = False

    def staff_title_allowed(self) -> bool:
        def flag(name: str) -> bool:
            return bool(self.cleaned_data.get(name, getattr(self.instance, name)))

        return self.by_superuser and (flag("is_staff") or flag("is_superuser"))


class AdminUserChangeForm(AdminNameRulesMixin, UserChangeForm):
    pass


class AdminUserAddForm(AdminNameRulesMixin, AdminUserCreationForm):
    pass


EMAIL_HELP = _(
    "We send a link to this address: follow it to verify the address. You need a verified address to vote, "
    "comment or report. Other readers never see it."
)


class SignUpForm(NameRulesMixin, CountryChoicesMixin, UserCreationForm):
    # Not the user's field: User.email holds the address once verified (accounts.email_addresses).
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=EMAIL_HELP,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "country")
        help_texts = PROFILE_HELP

    field_order = ["username", "email"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        ensure_email_domain_accepted(email)
        return email


class SocialSignUpForm(CountryChoicesMixin, AllauthSocialSignupForm):
    """A reader new from LINE, Yahoo! JAPAN ID, Google or Apple (allauth's social sign-up form):
    username and e-mail address as allauth asks them (prefilled from the provider), plus display
    name and country as on the site's sign-up, under the same name rules. No password: the
    provider is the way in (a password can be set later by a reset)."""

    display_name = User._meta.get_field("display_name").formfield(help_text=PROFILE_HELP["display_name"])
    country = User._meta.get_field("country").formfield(help_text=PROFILE_HELP["country"])

    field_order = ["username", "email", "display_name", "country"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        user = self.sociallogin.user
        self.initial.setdefault("display_name", getattr(user, "display_name", "") or "")
        self.fields["email"].label = _("E-mail address")
        self.fields["email"].help_text = EMAIL_HELP
        self.fields["username"].label = User._meta.get_field("username").verbose_name.capitalize()
        self.order_fields(self.field_order)

    def clean(self) -> dict:
        cleaned = super().clean()
        for field in ("username", "display_name"):
            name = cleaned.get(field)
            if not name:
                continue  # refused already, or an empty display name (the username signs)
            try:
                check_name(name=name, user=None, staff_title_allowed=False, is_username=field == "username")
            except ValidationError as refusal:
                self.add_error(field, refusal)
        return cleaned

    def save(self, request: HttpRequest) -> User:
        user = self.sociallogin.user
        user.display_name = self.cleaned_data.get("display_name", "")
        user.country = self.cleaned_data.get("country", "")
        return super().save(request)


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("New e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send a link to the new address; your current address stays until you follow it."),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        ensure_email_domain_accepted(email)
        return email


class ProfileForm(NameRulesMixin, CountryChoicesMixin, forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Times on the site are shown in this zone."),
    )

    class Meta:
        model = User
        fields = ("display_name", "country", "time_zone")
        help_texts = PROFILE_HELP

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = zone_choices()

    def clean_country(self) -> str:
        country = self.cleaned_data["country"]
        ensure_country_change_allowed(user=self.instance, country=country)
        return country


class ForumPasswordChangeForm(PasswordChangeForm):
    """The reader's own password change: stored through the service, which revokes their tokens.
    The current password is checked as a sign-in is, under the sign-in limits."""

    def __init__(self, user: User, *args, request: HttpRequest, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        if not password_confirmed(self.request, self.user, old_password):
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password

    def save(self, commit: bool = True) -> User:
        change_password(user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class ForumAdminPasswordChangeForm(AdminPasswordChangeForm):
    """A moderator setting a reader's password (or disabling it): also through the service."""

    def save(self, commit: bool = True) -> User:
        usable = self.cleaned_data.get("set_usable_password", True)
        change_password(user=self.user, password=self.cleaned_data["password1"] if usable else None)
        return self.user


class AccountDeletionForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you who deletes the account."),
    )


def _code_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class TwoFactorCodeForm(forms.Form):
    """A code from the reader's authenticator app, or one of their recovery codes."""

    code = _code_field(_("Code"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "The six digits your authenticator app shows now. Lost your phone? Type one of your recovery codes."
        )


class TotpActivateForm(forms.Form):
    """The first code from the app the reader has just set up, with the secret it was given."""

    code = _code_field(_("Code from the app"))
    setup_token = forms.CharField(widget=forms.HiddenInput, max_length=500)
