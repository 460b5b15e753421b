"""The embedded broker under heavy voting: 4 voter processes cast 3,000 votes, each publishing a
tally task to the filesystem broker, while a real Celery worker consumes them. Before the atomic
write (config/broker.py) the worker died with JSONDecodeError on a half-written message file after
about 1,100 votes. Runs in the SQLite smoke run (``-m embedded``); skipped on PostgreSQL and Redis."""

import json
import subprocess
import sys

import pytest
from django.db import connection

from tests.factories import CommentFactory, UserFactory
from tests.faults.helpers import wrong_counters
from tests.processes import ROOT, child_env, start_worker, wait_for
from votes.models import Vote

pytestmark = [pytest.mark.embedded, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VOTERS = 4
VOTES_EACH = 750


@pytest.fixture(autouse=True)
def _embedded_only():
    if connection.vendor != "sqlite":
        pytest.skip("the embedded default only (the smoke run)")


def test_worker_survives_thousands_of_concurrent_votes_and_counts_are_exact(article, tmp_path, process_log_dir):
    """4 × 750 votes at once through the filesystem broker: the worker never dies, every task is
    read whole, and every counter matches its vote rows."""
    comments = CommentFactory.create_batch(10, article=article)
    comment_ids = ",".join(str(comment.pk) for comment in comments)
    groups = [[UserFactory(country="JP" if n % 2 else "FR", password=None) for n in range(3)] for _ in range(VOTERS)]
    var = str(tmp_path / "var")  # a broker folder of this test's own, shared by voters and worker
    worker = start_worker(log_dir=process_log_dir, concurrency=2, FORUM_VAR_DIR=var)
    voters = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.config.broker_vote_writer",
                f"--user-ids={','.join(str(user.pk) for user in users)}",
                f"--comment-ids={comment_ids}",
                f"--votes={VOTES_EACH}",
                f"--sync-dir={tmp_path}",
            ],
            cwd=ROOT,
            env=child_env(FORUM_VAR_DIR=var),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for users in groups
    ]
    try:
        wait_for(
            lambda: len(list(tmp_path.glob("ready-*"))) == VOTERS or any(v.poll() is not None for v in voters),
            timeout=60,
            what="every voter to be ready",
        )
        (tmp_path / "go").touch()
        outputs = [voter.communicate(timeout=120)[0] for voter in voters]
        assert [voter.returncode for voter in voters] == [0] * VOTERS, outputs
        assert [json.loads(output.strip().splitlines()[-1])["votes"] for output in outputs] == [VOTES_EACH] * VOTERS
        assert Vote.objects.count() == VOTERS * 3 * 10
        # The last task for each comment was published after its last vote committed.
        wait_for(
            lambda: worker.popen.poll() is not None or wrong_counters([c.pk for c in comments]) == {},
            timeout=60,
            interval=0.5,
            what="the counters to match the vote rows",
        )
        assert worker.popen.poll() is None, worker.log()
        assert "JSONDecodeError" not in worker.log()
        assert "Traceback" not in worker.log(), worker.log()
        assert wrong_counters([c.pk for c in comments]) == {}
    finally:
        for voter in voters:
            if voter.poll() is None:
                voter.kill()
                voter.wait()
        worker.stop()
