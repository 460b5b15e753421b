"""On the embedded default (no Redis) the rate limits count across processes: every web process
counts in one SQLite file under var/ (infra/machine_counts.py). Before, each process counted in its
own memory, and a reader got 19 comments through a limit of 10 a minute across three workers."""

import subprocess
import sys
import textwrap

import pytest
from django.conf import settings

from infra import machine_counts, rate_limits
from tests.processes import ROOT, child_env

pytestmark = pytest.mark.embedded

COUNTS_PER_PROCESS = 150
# A process counting under one key, as a web worker counts a reader's comments.
COUNTER = textwrap.dedent(
    f"""
    import django
    django.setup()
    from infra.rate_limits import count_in_windows
    counts = [count_in_windows([("comment_user:user:7:1", 60)])[0] for _ in range({COUNTS_PER_PROCESS})]
    print(" ".join(map(str, counts)))
    """
)


def test_two_processes_share_one_count_and_lose_none(tmp_path):
    """Two processes count at the same time under the same key: together they count every request
    once, each count a different number, as one process would."""
    env = child_env(FORUM_VAR_DIR=str(tmp_path), FORUM_REDIS_URL="", CELERY_BROKER_URL="", DATABASE_URL="")
    processes = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", COUNTER], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()
    counts = [int(n) for out, _err in outputs for n in out.split()]
    assert sorted(counts) == list(range(1, 2 * COUNTS_PER_PROCESS + 1))
    assert (tmp_path / "rate-limits.sqlite3").exists()


@pytest.fixture
def embedded_limits(settings, tmp_path, monkeypatch):
    """This process as on the embedded default: no Redis, the counts in a file of its own."""
    settings.FORUM_REDIS_URL = ""
    settings.RATE_LIMIT_COUNTS_FILE = tmp_path / "rate-limits.sqlite3"
    monkeypatch.setattr(rate_limits, "forum_redis", lambda: None)


def test_two_connections_to_the_file_see_one_count(embedded_limits):
    """A second client of the file (another process's connection) continues the same count."""
    assert rate_limits.count_in_windows([("k", 60), ("other", 60)]) == [1, 1]
    machine_counts._local.connection = None  # as a new process: a connection of its own
    assert rate_limits.count_in_windows([("k", 60)]) == [2]


@pytest.mark.django_db
def test_the_comment_limit_holds_on_the_embedded_default(client, reader, article, rates, embedded_limits):
    rates(comment_user="2/min")
    client.force_login(reader)
    url = f"/articles/{article.slug}/comments/"
    answers = [client.post(url, {"body": f"Post {n}"}).status_code for n in range(3)]
    assert answers == [302, 302, 429]


def test_ended_windows_are_swept(embedded_limits, monkeypatch):
    monkeypatch.setattr(machine_counts, "SWEEP_EVERY", 2)
    machine_counts.count([("ended", -5)])  # a window that ended at once
    machine_counts.count([("current", 60)])  # the second count sweeps
    rows = machine_counts._connection().execute("SELECT key FROM counts").fetchall()
    assert rows == [("current",)]
    assert settings.RATE_LIMIT_COUNTS_FILE.exists()
