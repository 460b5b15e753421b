"""`make run` installs requirements.txt only: it must hold no test or development tool, which live
in requirements-dev.txt (installed by `make test`)."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEST_TOOLS = {
    "pytest",
    "pytest-django",
    "pytest-playwright",
    "playwright",
    "factory-boy",
    "schemathesis",
    "ruff",
    "import-linter",
    "polib",
    "aiohttp",
    "uvloop",
    "coverage",
    "hypothesis",
}


def requirement_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[\[<>=!~ ;]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def test_the_run_install_has_no_test_tool():
    run = requirement_names(ROOT / "requirements.txt")
    dev_only = requirement_names(ROOT / "requirements-dev.txt")
    assert run, "requirements.txt lists nothing"
    assert not run & TEST_TOOLS
    assert not run & dev_only, "a package is in both lists: keep it in one"
    assert "pytest" in dev_only and "ruff" in dev_only


def test_dev_install_includes_the_run_install():
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text().splitlines()


def test_make_run_installs_only_the_runtime():
    makefile = (ROOT / "Makefile").read_text()
    run_target = re.search(r"^run: (.*)$", makefile, re.MULTILINE).group(1).split()
    assert run_target == ["install"]
    install = re.search(r"^install: (.*)$", makefile, re.MULTILINE).group(1).strip()
    recipe = re.search(
        rf"^{re.escape(install.replace('$(VENV)', '.venv'))}:.*?\n((?:\t.*\n)+)",
        makefile.replace("$(VENV)", ".venv"),
        re.MULTILINE,
    ).group(1)
    assert "-r requirements.txt" in recipe and "requirements-dev" not in recipe
    assert re.search(r"^test: install-dev$", makefile, re.MULTILINE)
