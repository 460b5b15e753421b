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

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    @property
    def is_in_japan(self) -> bool:
        return self.country == JAPAN


class AccountDeletion(models.Model):
    """A reader deleted their own account: when, and from where. Deliberately nothing else: the
    audit may show moderators that an account was deleted, never whose it was."""

    class Via(models.TextChoices):
        WEB = "web", _("the website")
        API = "api", _("the API")

    deleted_at = models.DateTimeField(_("deleted at"), auto_now_add=True)
    via = models.CharField(_("deleted through"), max_length=3, choices=Via.choices)

    class Meta:
        ordering = ["-deleted_at", "-id"]
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")

    def __str__(self) -> str:
        return _("Account deletion #%(number)s") % {"number": self.pk}
