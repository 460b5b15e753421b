from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import User

PROFILE_HELP = {
    "display_name": _("Signs your comments under “Voices from Around the World”; reactions in Japan are unsigned."),
    "country": _(
        "Japan puts your comments under “Reactions in Japan”; any other country, or none, under “Voices "
        "from Around the World”. Your votes count towards Japan or the world the same way."
    ),
}


class SignUpForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "country")
        help_texts = PROFILE_HELP


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("display_name", "country")
        help_texts = PROFILE_HELP


class AccountDeletionForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you who deletes the account."),
    )
