"""django-axes (the sign-in lock-outs) as the admin shows it: named in the moderator's language.

axes words its admin lazily but ships no Japanese, and its app has no verbose name at all, so the
app is installed through this config and its labels are repeated here, where `make messages`
finds them, for the project's catalogue (LOCALE_PATHS comes before the packages' own) to translate."""

from axes.apps import AppConfig as BaseAxesConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(BaseAxesConfig):
    verbose_name = _("Sign-in lock-outs")


# axes' own msgids, kept in the project's catalogue (see above); nothing reads this tuple.
AXES_LABELS = (
    _("access attempt"),
    _("access attempts"),
    _("access attempt expiration"),
    _("access attempt expirations"),
    _("access failure"),
    _("access failures"),
    _("access log"),
    _("access logs"),
    _("Access Attempt"),
    _("Access lock out"),
    _("Attempt Remaining"),
    _("Attempt Time"),
    _("Clean up expired attempts"),
    _("Expires At"),
    _("Failed Logins"),
    _("Form Data"),
    _("GET Data"),
    _("HTTP Accept"),
    _("IP Address"),
    _("Locked Out"),
    _("Logout Time"),
    _("Meta Data"),
    _("Not set"),
    _("POST Data"),
    _("Path"),
    _("Session key hash (sha256)"),
    _("The time when access attempt expires and is no longer valid."),
    _("User Agent"),
)
