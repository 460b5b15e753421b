from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import ReplyMail


class MailPreferenceForm(forms.Form):
    reply_mail = forms.ChoiceField(
        label=_("E-mail me about replies"), choices=ReplyMail.choices, widget=forms.RadioSelect
    )
    language = forms.ChoiceField(label=_("Language of the e-mail"), choices=settings.LANGUAGES)
