from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .validators import DisplayNameValidator

JAPAN = "JP"


class Region(models.TextChoices):
    """Where a reader lives, for the forum: it picks their comments' section and splits their votes."""

    JAPAN = "japan", _("Japan")
    WORLD = "world", _("World")


class User(AbstractUser):
    """A reader. The country decides which comment section their comments land in."""

    display_name = models.CharField(
        _("display name"),
        max_length=60,
        blank=True,
        help_text=_("Shown with your comments."),
        validators=[DisplayNameValidator()],
    )
    country = CountryField(_("country"), blank=True)
    # When the reader last changed their country after signing up (None: never); see
    # accounts.services.ensure_country_change_allowed.
    country_changed_at = models.DateTimeField(_("country changed at"), null=True, blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # "Hanako" and "hanako" are one reader: sign-in matches either (accounts.backends),
            # so two accounts must never differ by case alone. Usernames are stored NFKC-
            # normalised (save below), so full-width and other compatibility forms fold too.
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_lower_uniq",
                violation_error_code="unique",
                violation_error_message=_("A user with that username already exists."),
            )
        ]

    def save(self, *args, **kwargs) -> None:
        # Whoever saves (a form, the admin, a command, the API), the username is stored in NFKC:
        # "ｈａｎａｋｏ" (full-width) is "hanako".
        self.username = self.normalize_username(self.username)
        super().save(*args, **kwargs)

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    @property
    def is_in_japan(self) -> bool:
        return self.country == JAPAN

    @property
    def region(self) -> Region:
        """Japan for readers whose profile country is Japan, the world for everyone else (or no country)."""
        return Region.JAPAN if self.is_in_japan else Region.WORLD


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
