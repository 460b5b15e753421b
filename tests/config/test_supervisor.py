"""make run's process manager: a worker killed with -9 comes back by itself and the web server
keeps answering meanwhile (honcho, used before, stopped the whole site when one process died)."""

import os
import re
import signal
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.processes import ROOT, child_env, free_port, spawn, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SUPERVISORD = str(Path(sys.executable).with_name("supervisord"))


def _health(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def _running_pids(log: str, program: str) -> list[int]:
    return [int(pid) for pid in re.findall(rf"spawned: '{program}' with pid (\d+)", log)]


def test_killed_worker_is_restarted_and_the_web_keeps_answering(tmp_path, process_log_dir):
    """supervisord started as make run starts it: kill -9 of the worker brings a new worker, the
    web server answers throughout, and Ctrl-C stops everything."""
    port = free_port()
    var = tmp_path / "var"
    var.mkdir()
    env = child_env(FORUM_VAR_DIR=str(var), FORUM_ADDRESS=f"127.0.0.1:{port}")
    stack = spawn("supervisord", [SUPERVISORD, f"--configuration={ROOT / 'supervisord.conf'}"], env, process_log_dir)
    try:
        wait_for(lambda: _health(port), timeout=60, interval=0.2, what="the web server")
        wait_for(lambda: "worker entered RUNNING" in stack.log(), timeout=60, what="the worker")
        [first_worker] = _running_pids(stack.log(), "worker")

        os.kill(first_worker, signal.SIGKILL)
        wait_for(lambda: len(_running_pids(stack.log(), "worker")) == 2, timeout=30, what="a new worker")
        assert _health(port), stack.log()
        wait_for(lambda: stack.log().count("worker entered RUNNING") == 2, timeout=30, what="the new worker running")
        second_worker = _running_pids(stack.log(), "worker")[1]
        assert second_worker != first_worker
        os.kill(second_worker, 0)  # alive
        assert _health(port)
        assert "web entered RUNNING" in stack.log() and stack.log().count("spawned: 'web'") == 1
    finally:
        stack.kill(signal.SIGINT)  # Ctrl-C
    assert "stopped: web" in stack.log() and "stopped: worker" in stack.log(), stack.log()
    assert not _health(port)
