"""`make run`'s console shows the address, the moderator's sign-in, requests and errors, not a line
per routine task: supervisord.conf runs the worker and beat with FORUM_TASK_LOG_LEVEL=WARNING,
which lowers Celery's per-task loggers (config/settings.py LOGGING)."""

import configparser
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment
from tests.factories import CommentFactory, UserFactory
from tests.processes import start_beat, start_worker, wait_for
from votes.models import Vote

ROOT = Path(settings.BASE_DIR)


def test_supervisord_quiets_the_routine_task_lines():
    config = configparser.RawConfigParser()
    config.read(ROOT / "supervisord.conf")
    for program in ("worker", "beat"):
        assert config.get(f"program:{program}", "environment") == 'FORUM_TASK_LOG_LEVEL="WARNING"'
        assert " --quiet " in config.get(f"program:{program}", "command")  # no banner
    assert "--access-logfile=-" in config.get("program:web", "command")  # requests are shown


def test_task_loggers_follow_the_setting():
    for name in ("celery.app.trace", "celery.worker.strategy", "celery.beat"):
        assert settings.LOGGING["loggers"][name]["level"] == settings.TASK_LOG_LEVEL


@pytest.mark.slow  # a real worker process
@pytest.mark.django_db(transaction=True)
def test_a_quiet_worker_still_tallies(client, process_log_dir):
    """At WARNING the worker runs the tally as ever (tests/votes/test_worker.py shows the
    "succeeded" lines at the default INFO) and says nothing about each task."""
    worker = start_worker(log_dir=process_log_dir, FORUM_TASK_LOG_LEVEL="WARNING")
    try:
        comment = CommentFactory(author=UserFactory(country="GB"))
        client.force_login(UserFactory(country="JP"))
        assert client.post(reverse("vote", args=[comment.pk]), {"choice": "agree"}).status_code == 302
        wait_for(lambda: Comment.objects.get(pk=comment.pk).agree_count == 1, timeout=30, what="the tally")
        log = worker.log()
    finally:
        worker.stop()
    assert "ready." in log  # the worker's start is still told
    assert "succeeded" not in log and " received" not in log


@pytest.mark.slow  # a real beat process, waiting for its schedule
@pytest.mark.django_db(transaction=True)
def test_a_quiet_beat_still_schedules(process_log_dir):
    """Beat at WARNING keeps sending the sweep and reconciliation (the worker, at INFO here, receives
    them) without a line of its own for each."""
    worker = start_worker(log_dir=process_log_dir, FORUM_TASK_LOG_LEVEL="INFO")
    # Unbuffered, so its banner (printed to stdout) is in the log however it is stopped.
    beat = start_beat(log_dir=process_log_dir, FORUM_TASK_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    try:
        received = re.compile(r"Task votes\.tasks\.(reconcile_vote_counters|tally_dirty_comments)\[[^]]+\] received")
        wait_for(
            lambda: (
                {match.group(1) for match in received.finditer(worker.log())}
                == {"reconcile_vote_counters", "tally_dirty_comments"}
            ),
            timeout=60,
            what="the reconciliation and the sweep sent by the quiet beat",
        )
    finally:
        beat.stop()
        worker.stop()
    beat_log = beat.log()
    assert "celery beat" in beat_log  # its banner: it ran
    assert "Sending due task" not in beat_log


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_make_runs_console_shows_requests_not_routine_tasks(tmp_path, process_log_dir):
    """supervisord as make run starts it: the console has the address, each request and the
    worker's "ready", and after several beats of the sweep and reconciliation no line about them."""
    import shlex
    import signal
    import sys
    import urllib.request

    from tests.processes import child_env, free_port, spawn

    port = free_port()
    var = tmp_path / "var"
    var.mkdir()
    env = child_env(FORUM_VAR_DIR=str(var), FORUM_ADDRESS=f"127.0.0.1:{port}")
    supervisord = str(Path(sys.executable).with_name("supervisord"))
    # Through a pipe, as in a terminal: each program writes to supervisord's /dev/stdout, which for
    # a plain file would be reopened at its start by every program. The reader ignores Ctrl-C so
    # that the shutdown lines arrive too.
    command = f"{shlex.quote(supervisord)} --configuration={shlex.quote(str(ROOT / 'supervisord.conf'))} 2>&1"
    stack = spawn("supervisord", ["sh", "-c", f"{command} | (trap '' INT; exec cat)"], env, process_log_dir)

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    try:
        wait_for(answers, timeout=60, interval=0.2, what="the web server")
        wait_for(lambda: "ready." in stack.log(), timeout=60, what="the worker")
        # A vote row nobody tallied (as after a lost task): beat's reconciliation, run by the worker,
        # corrects the counter and says so at WARNING, the kind of line the console keeps.
        comment = CommentFactory(author=UserFactory(country="GB"))
        Vote.objects.create(
            user=UserFactory(country="JP"), comment=comment, choice="agree", region="japan", updated_at=timezone.now()
        )
        wait_for(lambda: Comment.objects.get(pk=comment.pk).agree_count == 1, timeout=60, what="the reconciliation")
        wait_for(lambda: "Reconciliation corrected the counters" in stack.log(), timeout=10, what="its warning")
    finally:
        stack.kill(signal.SIGINT)  # Ctrl-C
    log = stack.log()
    assert f"Listening at: http://127.0.0.1:{port}" in log
    assert '"GET /health/ HTTP/1.1" 200' in log
    assert "Sending due task" not in log and " succeeded in " not in log and "] received" not in log
    assert "celery beat v" not in log and "[tasks]" not in log  # no banners
