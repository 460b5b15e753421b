"""The embedded default under concurrent writes: 8 processes voting and tallying at once on one
SQLite file (WAL, IMMEDIATE transactions, 20 s busy timeout) never see "database is locked".
Runs in the SQLite smoke run (``-m embedded``); skipped on PostgreSQL."""

import json
import subprocess
import sys

import pytest
from django.db import connection

from tests.factories import CommentFactory, UserFactory
from tests.faults.helpers import wrong_counters
from tests.processes import ROOT, child_env, wait_for
from votes.models import Vote

pytestmark = [pytest.mark.embedded, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WRITERS = 8
ROUNDS = 25


@pytest.fixture(autouse=True)
def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the embedded SQLite default only (the smoke run)")


def test_eight_concurrent_writer_processes_never_see_database_is_locked(article, tmp_path):
    """8 processes cast and tally 600 votes at once on SQLite: no error at all, one row per reader, exact counters."""
    comments = CommentFactory.create_batch(3, article=article)
    comment_ids = [comment.pk for comment in comments]
    readers = [UserFactory(country="JP" if n % 2 else "AU", password=None) for n in range(WRITERS)]
    # The writers' tally messages go to a broker folder of their own under tmp_path; the database
    # is the test's SQLite file (FORUM_SQLITE_PATH from child_env).
    env = child_env(FORUM_VAR_DIR=str(tmp_path / "var"))
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.faults.sqlite_vote_writer",
                f"--user-id={reader.pk}",
                f"--comment-ids={','.join(map(str, comment_ids))}",
                f"--rounds={ROUNDS}",
                f"--sync-dir={tmp_path}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for reader in readers
    ]
    try:
        wait_for(
            lambda: len(list(tmp_path.glob("ready-*"))) == WRITERS or any(w.poll() is not None for w in writers),
            timeout=90,
            what="every writer to be ready",
        )
        (tmp_path / "go").touch()
        outputs = [writer.communicate(timeout=120)[0] for writer in writers]
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait()

    assert "database is locked" not in "".join(outputs)
    assert [writer.returncode for writer in writers] == [0] * WRITERS, outputs
    summaries = [json.loads(output.strip().splitlines()[-1]) for output in outputs]
    assert [(s["votes"], s["tallies"], s["errors"]) for s in summaries] == [(ROUNDS * 3, ROUNDS * 3, [])] * WRITERS
    last_round = ROUNDS - 1
    assert sorted(Vote.objects.values_list("user_id", "comment_id", "choice")) == sorted(
        (reader.pk, pk, "agree" if (last_round + pk + reader.pk) % 2 else "disagree")
        for reader in readers
        for pk in comment_ids
    )
    # The last tally of each comment ran after its last vote committed, so no further tally is needed.
    assert wrong_counters(comment_ids) == {}
