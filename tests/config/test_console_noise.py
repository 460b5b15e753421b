"""The console shows each request once: a 4xx is gunicorn's access-log line only (django.request
logged "Not Found: ..." a second time), and browsers find an icon instead of a 404 per visit."""

import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_a_4xx_is_not_logged_again_by_django(client, caplog):
    caplog.set_level(logging.DEBUG, logger="")  # catches whatever a logger lets through
    assert client.get("/no-such-page/").status_code == 404
    assert client.post("/articles/no-such-article/comments/").status_code in (302, 403, 404)
    assert [r for r in caplog.records if r.name == "django.request"] == []


def test_server_errors_are_still_logged_by_django():
    request_logger = logging.getLogger("django.request")
    assert settings.LOGGING["loggers"]["django.request"]["level"] == "ERROR"
    assert request_logger.isEnabledFor(logging.ERROR) and not request_logger.isEnabledFor(logging.WARNING)


def test_pages_link_an_icon_that_is_served(client):
    html = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert icon, "no icon linked"
    assert icon.group(1) == static("favicon.svg")
    assert "<svg" in Path(finders.find("favicon.svg")).read_text()  # collected and served by whitenoise
    old_address = client.get("/favicon.ico")
    assert old_address.status_code == 301 and old_address["Location"] == icon.group(1)
