"""The site's own app configs: its start-up work, kept out of the settings module (importing it
writes nothing), and django-axes (the sign-in lock-outs) as the admin shows it.

axes words its admin lazily but ships no Japanese, and its app has no verbose name at all, so the
app is installed through AxesConfig and its labels are repeated here, where `make messages`
finds them, for the project's catalogue (LOCALE_PATHS comes before the packages' own) to translate."""

from pathlib import Path

from axes.apps import AppConfig as BaseAxesConfig
from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def folders_in_use() -> list[Path]:
    """The folders the configured setup writes into: var/, the collected static files (whitenoise
    warns at every start when they are missing), and on the embedded default SQLite's and the
    filesystem broker's."""
    folders = [Path(settings.VAR_DIR), Path(settings.STATIC_ROOT)]
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        folders.append(Path(database["NAME"]).parent)
    broker = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    folders += [Path(broker[name]) for name in ("data_folder_in", "data_folder_out") if name in broker]
    return folders


class SiteConfig(AppConfig):
    name = "config"
    label = "site"
    verbose_name = "Site"

    def ready(self) -> None:
        for folder in folders_in_use():
            folder.mkdir(parents=True, exist_ok=True)
        from api import openapi  # noqa: F401 (registers the schema's extensions)


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
