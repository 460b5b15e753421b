from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

JAPAN = "JP"


class User(AbstractUser):
    """A reader. The country decides which comment section their comments land in."""

    display_name = models.CharField(
        _("display name"), max_length=60, blank=True, help_text=_("Shown with your comments.")
    )
    country = CountryField(_("country"), blank=True)
    # When the reader last changed their country after signing up (None: never); see
    # accounts.services.ensure_country_change_allowed.
    country_changed_at = models.DateTimeField(_("country changed at"), null=True, blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    @property
    def is_in_japan(self) -> bool:
        return self.country == JAPAN
