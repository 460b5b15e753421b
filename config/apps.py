"""The project's own start-up work, kept out of the settings module (importing it writes nothing)."""

from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


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
