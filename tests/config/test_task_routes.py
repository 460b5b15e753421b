"""Each kind of Celery work has its own queue, so a backlog of one never delays a tally; a worker
started without -Q (make run, the embedded default, the tests) still consumes every queue."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]

ROUTES = {
    "votes.tasks.tally_comment": "tallies",
    "votes.tasks.tally_comments": "tallies",
    "votes.tasks.tally_dirty_comments": "tallies",
    "votes.tasks.reconcile_vote_counters": "reconcile",
    "moderation.tasks.close_old_discussions": "moderation",
    "accounts.tasks.send_confirmation_mail": "mail",
    "moderation.tasks.send_rejection_mail": "mail",
    "notifications.tasks.send_reply_mail": "mail",
    "notifications.tasks.send_reply_digest_mails": "mail",
    "notifications.tasks.send_notification_mail": "mail",
}


@pytest.mark.parametrize(("task", "kind"), ROUTES.items())
def test_each_task_goes_to_its_kinds_queue(task, kind):
    route = app.amqp.router.route({}, task)
    assert route["queue"].name == settings.CELERY_QUEUE_NAMES[kind]


def test_the_four_queues_are_distinct_and_an_unrouted_task_uses_the_default_queue():
    assert len(set(settings.CELERY_QUEUE_NAMES.values())) == 4
    assert app.amqp.router.route({}, "forum.tasks.anything")["queue"].name == settings.CELERY_TASK_DEFAULT_QUEUE


def test_a_worker_without_queues_named_consumes_all_of_them():
    consumed = set(app.amqp.queues.consume_from or app.amqp.queues)
    assert consumed == {settings.CELERY_TASK_DEFAULT_QUEUE, *settings.CELERY_QUEUE_NAMES.values()}


def _database_settings(tmp_path, **env) -> dict:
    run_env = {**os.environ, "FORUM_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgres://forum@127.0.0.1:6432/forum"}
    run_env.update(env)
    code = "import json, config.settings as s; print(json.dumps(s.DATABASES['default'], default=str))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_behind_pgbouncer_nothing_outlives_a_transaction(tmp_path):
    """DATABASE_PGBOUNCER=1: no server-side cursors, no prepared statements (transaction pooling
    lends a different server connection to each transaction); without it, both as Django has them."""
    database = _database_settings(tmp_path, DATABASE_PGBOUNCER="1")
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert "prepare_threshold" in database["OPTIONS"] and database["OPTIONS"]["prepare_threshold"] is None
    database = _database_settings(tmp_path, DATABASE_PGBOUNCER="0")
    assert not database.get("DISABLE_SERVER_SIDE_CURSORS") and "prepare_threshold" not in database["OPTIONS"]
