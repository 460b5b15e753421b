from django import forms
from django.contrib.auth.forms import AdminPasswordChangeForm, PasswordChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from .countries import country_choices
from .models import User
from .services import change_password, ensure_country_change_allowed
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


class SignUpForm(CountryChoicesMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "country")
        help_texts = PROFILE_HELP


class ProfileForm(CountryChoicesMixin, forms.ModelForm):
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
    """The reader's own password change: stored through the service, which revokes their tokens."""

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
