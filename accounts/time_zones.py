"""Which time zone a reader sees times in: the profile's choice; else Tokyo time for readers in
Japan; else the zone the browser reports (static/js/timezone.js keeps it in the ``tz`` cookie);
else the site's (settings.TIME_ZONE, Asia/Tokyo). config.middleware.TimeZoneMiddleware activates
it for each request, so every page, message and cached rendering (forum/page_cache.py keys on the
active zone) shows the reader's local time, with the zone written after it ("14:05 JST")."""

import zoneinfo
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

JAPAN_ZONE = "Asia/Tokyo"
COOKIE = "tz"


@cache
def zone_names() -> tuple[str, ...]:
    # Only Area/Location names: the legacy aliases ("Japan", "US/Pacific", "Etc/GMT+9") would
    # double a list the reader scrolls through.
    return tuple(
        sorted(name for name in zoneinfo.available_timezones() if "/" in name and not name.startswith(("Etc/", "US/")))
    )


def is_zone(name: str) -> bool:
    return name == "UTC" or name in zone_names()


def validate_time_zone(value: str) -> None:
    if value and not is_zone(value):
        raise ValidationError(_("Choose a time zone from the list."), code="invalid_time_zone")


def zone_choices() -> list[tuple[str, str]]:
    return [("", _("Automatic: Japan time for readers in Japan, otherwise your browser’s")), ("UTC", "UTC")] + [
        (name, name.replace("_", " ")) for name in zone_names()
    ]


def zone_for(*, user, browser_zone: str | None) -> str:
    """The zone this reader's times are shown in (see the module's docstring)."""
    if user.is_authenticated:
        if user.time_zone and is_zone(user.time_zone):
            return user.time_zone
        if user.is_in_japan:
            return JAPAN_ZONE
    if browser_zone and is_zone(browser_zone):
        return browser_zone
    return settings.TIME_ZONE
