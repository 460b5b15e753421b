from django import forms
from django.contrib.auth.forms import UserCreationForm

from .models import User


class SignUpForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "country")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("display_name", "country")
