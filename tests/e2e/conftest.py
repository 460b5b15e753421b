"""Browser fixtures for the end-to-end tests: Debian's Chromium, launched headless by pytest-playwright.

No browser download works on the machines that run these tests, so Playwright drives the system
Chromium that tests/setup_services.sh installs instead of one of its own builds.
"""

import shutil

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.i18n import LOCALES

CHROMIUM = "/usr/bin/chromium"

# Containers have no user namespaces for Chromium's sandbox and no GPU; the rest keeps the browser
# from calling home (updates, sync, first-run pages) while a test runs.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `bash tests/setup_services.sh` (it installs Debian's chromium).")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The README's screenshots (marker `screenshots`) are shot on request only: `-m screenshots`."""
    if "screenshots" in (config.option.markexpr or ""):
        return
    deselected = [item for item in items if item.get_closest_marker("screenshots")]
    if deselected:
        items[:] = [item for item in items if not item.get_closest_marker("screenshots")]
        config.hook.pytest_deselected(items=deselected)


@pytest.fixture(params=list(LOCALES))
def lang(request: pytest.FixtureRequest) -> str:
    """The reader's language: a test that asks for it runs once in English and once in Japanese."""
    return request.param


@pytest.fixture
def open_page(browser: Browser, lang: str):
    """Opens a page in a new browser context whose locale asks for ``lang`` (Accept-Language),
    with any other context options (java_script_enabled=False, a phone's viewport...). Every
    context is closed after the test."""
    contexts = []

    def open_(**options) -> Page:
        context = browser.new_context(locale=LOCALES[lang], **options)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()
