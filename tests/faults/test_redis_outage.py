"""Redis down: votes still succeed and are stored; Redis back empty: the counters converge.

Everything runs as deployed, on a private redis-server the test starts on its own port (never the
shared one on 6379): gunicorn serving the web side over loopback, a Celery worker and beat, all
pointed at that Redis through their environment. Beat runs with RECONCILE_SECONDS=2.
"""

import http.client
import json
import secrets
import time

import pytest
import redis
from django.conf import settings
from django.test import Client

from tests.factories import CommentFactory, UserFactory
from tests.faults.helpers import logs_on_failure, wrong_counters
from tests.processes import free_port, start_beat, start_redis, start_web, start_worker, wait_for
from votes.models import Vote

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RECONCILE_SECONDS = 2
REDIS_DOWN = "Outage: the redis is unreachable"
REDIS_BACK = "Outage over: the redis"
CSRF_TOKEN = secrets.token_hex(16)  # 32 characters: a valid CSRF secret, sent as cookie and header


def signed_in_session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def press_vote(web_port: int, session_key: str, comment_id: int, choice: str) -> tuple[int, dict, float]:
    """Press a vote button the way the page's script does (the API's PUT with the session and
    the CSRF token); returns the status, the answer and how long the reader waited."""
    connection = http.client.HTTPConnection("127.0.0.1", web_port, timeout=30)
    started = time.monotonic()
    try:
        connection.request(
            "PUT",
            f"/api/v1/comments/{comment_id}/vote/",
            body=json.dumps({"choice": choice}),
            headers={
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={CSRF_TOKEN}",
                "X-CSRFToken": CSRF_TOKEN,
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    waited = time.monotonic() - started
    answer = json.loads(body) if response.getheader("Content-Type", "").startswith("application/json") else {}
    return response.status, answer, waited


def http_get(web_port: int, path: str) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", web_port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_votes_succeed_while_redis_is_down_and_counters_converge_when_it_returns_empty(article, process_log_dir):
    """Votes during the outage answer 200 at once and are stored; once Redis is back empty the counters are exact."""
    comments = CommentFactory.create_batch(2, article=article)
    comment_ids = [comment.pk for comment in comments]
    readers = [UserFactory(country="JP" if n % 2 else "BR", password=None) for n in range(8)]
    sessions = [signed_in_session(reader) for reader in readers]

    redis_port, web_port = free_port(), free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = {"CELERY_BROKER_URL": redis_url, "FORUM_REDIS_URL": redis_url, "RECONCILE_SECONDS": str(RECONCILE_SECONDS)}
    processes = [start_redis(port=redis_port, log_dir=process_log_dir)]
    with logs_on_failure(processes):
        web = start_web(log_dir=process_log_dir, port=web_port, **env)
        worker = start_worker(log_dir=process_log_dir, concurrency=1, **env)
        processes += [web, worker]
        beat = start_beat(log_dir=process_log_dir, **env)
        processes.append(beat)
        wait_for(lambda: "Sending due task reconcile" in beat.log(), timeout=30, what="beat to reconcile once")

        # Redis up: the vote is tallied through the dirty set as usual.
        assert press_vote(web_port, sessions[0], comment_ids[0], "agree")[0] == 200
        wait_for(lambda: not wrong_counters(comment_ids), timeout=10, what="the first vote to be tallied")
        assert REDIS_DOWN not in web.log()

        # Redis down: every vote is answered at once and stored; the tally waits.
        processes[0].kill()
        down = time.monotonic()
        outage = [
            press_vote(web_port, sessions[n], comment_ids[n % 2], "disagree" if n % 3 else "agree") for n in range(1, 7)
        ]
        statuses = [status for status, _, _ in outage]
        assert statuses == [200] * 6
        assert [answer["my_vote"] for _, answer, _ in outage] == ["disagree" if n % 3 else "agree" for n in range(1, 7)]
        # A hang guard, not a speed target: the broker and Redis timeouts are fractions of a second.
        assert max(waited for _, _, waited in outage) < 3, [round(waited, 3) for _, _, waited in outage]
        assert Vote.objects.filter(choice__isnull=False).count() == 7
        # Logged once per web process as the outage began, not once per vote (gunicorn runs 2).
        assert 1 <= web.log().count(REDIS_DOWN) <= 2
        # Readiness names Redis (and the broker, the same server); liveness and reads are unaffected.
        ready = http_get(web_port, "/ready/")
        assert ready[0] == 503
        assert ready[1] == {
            "ready": False,
            "checks": {"database": "ok", "redis": "unreachable", "broker": "unreachable"},
        }
        assert http_get(web_port, f"/comments/{comment_ids[0]}/counts/")[0] == 200
        # Stay down for two reconciliation periods, so beat and the worker live through failed sends.
        # (A reconciliation delivered just before the kill may still run and count these votes, so
        # the counters being stale meanwhile is a race, not something to assert.)
        time.sleep(max(0.0, down + 2 * RECONCILE_SECONDS + 0.5 - time.monotonic()))
        assert all(process.popen.poll() is None for process in processes[1:]), "web, worker and beat stay up"

        # Redis back, empty: no dirty marks, no queued tasks; reconciliation alone finds the votes.
        processes[0] = start_redis(port=redis_port, log_dir=process_log_dir)
        with redis.Redis(port=redis_port) as private_redis:
            assert private_redis.dbsize() == 0
        back = time.monotonic()
        wait_for(lambda: not wrong_counters(comment_ids), timeout=45, interval=0.2, what="counters to converge")
        converged_after = time.monotonic() - back
        assert "Reconciliation corrected the counters of 2 comments." in worker.log()

        # And the web side's Redis path works again: the vote marks its comment without a warning.
        status, answer, _ = press_vote(web_port, sessions[7], comment_ids[1], "agree")
        assert (status, answer["my_vote"]) == (200, "agree")
        wait_for(lambda: not wrong_counters(comment_ids), timeout=10, what="the vote after the outage to be tallied")
        assert http_get(web_port, "/ready/")[0] == 200
        began = web.log().count(REDIS_DOWN)
        assert 1 <= began <= 2 and web.log().count(REDIS_BACK) <= began
        print(  # the report's figures
            f"outage votes answered in {[round(waited, 3) for _, _, waited in outage]} s; "
            f"counters exact {converged_after:.2f} s after Redis came back"
        )
