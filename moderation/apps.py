from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    """The moderation desk: who moderates and with which powers. Its main face is Django admin."""

    name = "moderation"
    verbose_name = _("Moderation")
