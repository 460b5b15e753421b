"""The production topology (deploy/, make cluster) started on this machine on the test ports:
nginx in front of two gunicorn nodes, a Celery worker per queue, one beat behind its lock,
PgBouncer in transaction mode and two Redis servers, all under supervisord.

One cluster for the module (it takes ~15 s to start); each test drives it through nginx as a
reader's browser or app would, and reads the database the cluster writes (the test database,
through PgBouncer)."""

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.factories import CommentFactory, UserFactory
from tests.processes import ROOT, database_env, spawn, wait_for
from tests.slow_clients import slow_bodies, timed_get
from votes.models import Vote

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

HOST = "127.0.0.1"
# The deploy helper's test range (18700-18799); make cluster's defaults are 8000-8002, 6380-6381, 6432.
PORTS = {
    "FORUM_ADDRESS": 18750,
    "web1": 18751,
    "web2": 18752,
    "CLUSTER_BROKER_REDIS": 18753,
    "CLUSTER_CACHE_REDIS": 18754,
    "CLUSTER_PGBOUNCER": 18755,
}


def _env(cluster_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CLUSTER_", "FORUM_", "DJANGO_"))}
    env.update(
        CLUSTER_DIR=str(cluster_dir),
        CLUSTER_DATABASE_URL=database_env()["DATABASE_URL"],
        FORUM_ADDRESS=f"{HOST}:{PORTS['FORUM_ADDRESS']}",
        CLUSTER_WEB_ADDRESSES=f"{HOST}:{PORTS['web1']},{HOST}:{PORTS['web2']}",
        CLUSTER_BROKER_REDIS=f"{HOST}:{PORTS['CLUSTER_BROKER_REDIS']}",
        CLUSTER_CACHE_REDIS=f"{HOST}:{PORTS['CLUSTER_CACHE_REDIS']}",
        CLUSTER_PGBOUNCER=f"{HOST}:{PORTS['CLUSTER_PGBOUNCER']}",
        # One worker per node: two slow bodies would hold both nodes without the front's buffering.
        CLUSTER_GUNICORN_WORKERS="1",
        # The tests make their own articles; make cluster loads the demo.
        CLUSTER_LOAD_DEMO="0",
    )
    return env


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("the topology fronts PostgreSQL with PgBouncer")
    # Not under pytest's tmp_path (root-only): PgBouncer (as postgres) reads its config here and
    # nginx's workers (www-data) the static files.
    cluster_dir = Path(tempfile.mkdtemp(prefix="forum-cluster-"))
    cluster_dir.chmod(0o755)
    env = _env(cluster_dir)
    with django_db_blocker.unblock():
        started = subprocess.run(
            ["bash", str(ROOT / "deploy" / "cluster"), "up"], env=env, capture_output=True, text=True, timeout=240
        )
    logs = cluster_dir / "log"
    try:
        assert started.returncode == 0, f"{started.stdout}\n{started.stderr}\n" + "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in sorted(logs.glob("*.log"))
        )
        yield {"dir": cluster_dir, "env": env, "stdout": started.stdout}
    finally:
        stopped = subprocess.run(
            ["bash", str(ROOT / "deploy" / "cluster"), "down"], env=env, capture_output=True, text=True, timeout=120
        )
        assert stopped.returncode == 0, stopped.stderr
        # Everything is gone: no port of the topology answers any more.
        for port in PORTS.values():
            with pytest.raises(OSError):
                http.client.HTTPConnection(HOST, port, timeout=1).connect()
        shutil.rmtree(cluster_dir, ignore_errors=True)


def request(port: int, method: str, path: str, *, body: str = "", headers: dict | None = None):
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request(method, path, body=body.encode(), headers=headers or {})
        response = conn.getresponse()
        body = response.read().decode(errors="replace")
        return response.status, dict(response.getheaders()), response.getheaders(), body
    finally:
        conn.close()


def cookies_from(raw_headers) -> dict[str, str]:
    return {
        match.group(1): match.group(2)
        for name, value in raw_headers
        if name.lower() == "set-cookie" and (match := re.match(r"([^=]+)=([^;]*)", value))
    }


def front(method: str, path: str, **kwargs):
    return request(PORTS["FORUM_ADDRESS"], method, path, **kwargs)


def supervisorctl(cluster, *args: str) -> str:
    conf = cluster["dir"] / "etc" / "supervisord.conf"
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "supervisorctl"), "-c", str(conf), *args],
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout


def test_every_process_runs_and_the_front_serves_pages_static_files_and_the_shared_cache(cluster):
    status = supervisorctl(cluster, "status")
    for program in (
        "nginx",
        "web1",
        "web2",
        "worker-tallies",
        "worker-reconcile",
        "worker-mail",
        "worker-moderation",
        "beat",
        "pgbouncer",
        "redis-broker",
        "redis-cache",
    ):
        assert re.search(rf"^(\w+:)?{program}\s+RUNNING", status, re.M), status

    assert front("GET", "/health/")[0] == 200
    comment = CommentFactory()
    article_path = comment.article.get_absolute_url()
    status, headers, _, page = front("GET", article_path)
    assert status == 200 and comment.article.title in page
    assert "public" in headers["Cache-Control"]
    # The signed-out page is served from nginx's cache the second time; never for a session.
    assert front("GET", article_path)[1]["X-Cache-Status"] == "HIT"
    assert front("GET", article_path, headers={"Cookie": "sessionid=x"})[1]["X-Cache-Status"] == "BYPASS"
    assert front("GET", article_path, headers={"Authorization": "Token x"})[1]["X-Cache-Status"] == "BYPASS"
    # The anonymous API list too (public for 5 s), but never an answer to a token.
    comments_path = f"/api/v1/articles/{comment.article.slug}/comments/?section={comment.section}"
    assert front("GET", comments_path)[0] == 200
    assert front("GET", comments_path)[1]["X-Cache-Status"] == "HIT"
    token = Token.objects.create(user=UserFactory())
    answer = front("GET", comments_path, headers={"Authorization": f"Token {token.key}"})
    assert answer[0] == 200 and answer[1]["X-Cache-Status"] == "BYPASS"
    # Compressed, and static files straight from nginx with the hashed name kept a year.
    assert front("GET", article_path, headers={"Accept-Encoding": "gzip"})[1].get("Content-Encoding") == "gzip"
    css = re.search(r'href="(/static/css/forum\.[0-9a-f]{12}\.css)"', page).group(1)
    status, headers, _, _ = front("GET", css)
    assert status == 200 and "immutable" in headers["Cache-Control"]
    # A body over FORUM_MAX_REQUEST_BODY_BYTES stops at nginx, with the API's JSON error shape,
    # in the reader's language, and a page for browsers.
    status, headers, _, body = front("POST", "/api/v1/auth/token/", body="x" * 70_000)
    assert status == 413 and headers["Content-Type"] == "application/json"
    limit = settings.MAX_REQUEST_BODY_BYTES
    assert json.loads(body) == {"detail": f"The request body is larger than {limit} bytes."}
    japanese = front("POST", "/api/v1/auth/token/", body="x" * 70_000, headers={"Accept-Language": "ja,en;q=0.5"})
    assert json.loads(japanese[3]) == {"detail": f"リクエスト本文が{limit}バイトを超えています。"}
    status, headers, _, page = front(
        "POST", article_path + "comments/", body="x" * 70_000, headers={"Accept-Language": "ja-JP,ja;q=0.9"}
    )
    assert status == 413 and headers["Content-Type"].startswith("text/html")
    assert '<html lang="ja">' in page and "<h1>データが大きすぎます</h1>" in page


def test_the_front_answers_the_live_polls_of_a_period(cluster):
    """A live answer is public until its period ends (forum/live.py): nginx answers the other
    polls of the period itself, the 304s included, with the interval the page should wait."""
    comment = CommentFactory()
    path = f"/articles/{comment.article_id}/live/?ids={comment.pk}&after=0"
    # Start just after a period begins, so the polls below share one.
    time.sleep(1.05 - time.time() % 1)
    first = front("GET", path)
    assert first[0] == 200 and "public" in first[1]["Cache-Control"], first[1]
    again = front("GET", path)
    not_modified = front("GET", path, headers={"If-None-Match": first[1]["ETag"]})
    assert again[1]["X-Cache-Status"] == "HIT" and again[3] == first[3]
    assert not_modified[0] == 304 and not_modified[1]["X-Cache-Status"] == "HIT"
    assert not_modified[1]["X-Poll-Seconds"] == first[1]["X-Poll-Seconds"] == "3.5"
    assert "X-Accel-Expires" not in first[1]  # nginx's own instruction, not passed on


def test_a_session_signed_in_through_the_front_works_on_either_node(cluster):
    reader = UserFactory(username="hanako")
    # The tests hash with MD5 for speed (conftest); the cluster's settings know only the real hashers.
    hasher = PBKDF2PasswordHasher()
    reader.password = hasher.encode("correct horse battery", hasher.salt())
    reader.save(update_fields=["password"])
    _, _, raw, _ = front("GET", "/accounts/sign-in/")
    csrf = cookies_from(raw)["csrftoken"]
    status, headers, raw, _ = front(
        "POST",
        "/accounts/sign-in/",
        body=f"csrfmiddlewaretoken={csrf}&username=hanako&password=correct+horse+battery",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"http://{HOST}:{PORTS['FORUM_ADDRESS']}/accounts/sign-in/",
        },
    )
    assert status == 302, headers
    session = cookies_from(raw)["sessionid"]
    for node in ("web1", "web2"):
        status, _, _, page = request(
            PORTS[node], "GET", "/accounts/profile/", headers={"Cookie": f"sessionid={session}"}
        )
        assert status == 200 and "hanako" in page, node
    # Signed out, the profile sends the reader to sign in.
    assert request(PORTS["web2"], "GET", "/accounts/profile/")[0] == 302


def test_a_vote_through_the_front_is_stored_through_pgbouncer_and_tallied_by_the_tally_worker(cluster):
    comment = CommentFactory()
    voter = UserFactory(country="JP", date_joined=timezone.now() - timedelta(days=1))
    token = Token.objects.create(user=voter)
    status, _, _, body = front(
        "PUT",
        f"/api/v1/comments/{comment.pk}/vote/",
        body='{"choice": "agree"}',
        headers={"Authorization": f"Token {token.key}", "Content-Type": "application/json"},
    )
    assert status == 200, body

    def tallied() -> bool:
        comment.refresh_from_db()
        return comment.agree_count == 1 and comment.agree_japan_count == 1

    wait_for(tallied, timeout=20, interval=0.2, what="the tally worker to count the vote")
    tallies_log = (cluster["dir"] / "log" / "worker-tallies.log").read_text()
    assert "ready" in tallies_log
    # PgBouncer carried the app's transactions to this database.
    stats = subprocess.run(
        ["psql", "-h", HOST, "-p", str(PORTS["CLUSTER_PGBOUNCER"]), "-U", "postgres", "-At", "-c", "SHOW STATS"]
        + ["pgbouncer"],
        capture_output=True,
        text=True,
        timeout=10,
    )
    database = connection.settings_dict["NAME"]
    [row] = [line.split("|") for line in stats.stdout.splitlines() if line.startswith(f"{database}|")]
    assert int(row[1]) > 0, stats.stdout  # total_xact_count


def test_slow_request_bodies_never_hold_an_app_worker(cluster):
    """Four connections trickle a 60,000-byte sign-in body one byte every 2 s (security finding 3:
    three of them took gunicorn down); /health/ through the front still answers within 1 s."""
    # The control: sent to a node directly, one such body holds its only worker.
    node = PORTS["web1"]
    with slow_bodies(HOST, node, connections=1, path="/accounts/sign-in/", declared=60_000, interval=2):
        time.sleep(0.5)
        assert timed_get(f"http://{HOST}:{node}/health/", timeout=1)[0] is None
    wait_for(lambda: timed_get(f"http://{HOST}:{node}/health/", timeout=1)[0] == 200, timeout=15, what="web1 free")

    port = PORTS["FORUM_ADDRESS"]
    with slow_bodies(HOST, port, connections=4, path="/accounts/sign-in/", declared=60_000, interval=2) as sent:
        time.sleep(2.5)
        probes = []
        for _ in range(8):
            probes.append(timed_get(f"http://{HOST}:{port}/health/", timeout=1))
            time.sleep(0.5)
        assert all(count >= 2 for count in sent), sent  # they were still sending throughout
    assert all(status == 200 and seconds < 1 for status, seconds in probes), probes


def test_a_process_that_dies_is_restarted_and_the_other_node_answers_meanwhile(cluster):
    old_pid = int(supervisorctl(cluster, "pid", "app:web1"))
    os.kill(old_pid, signal.SIGKILL)
    # nginx sends GETs to web2 while web1 is down.
    assert all(front("GET", "/health/")[0] == 200 for _ in range(6))
    wait_for(
        lambda: (
            re.search(r"^app:web1\s+RUNNING", supervisorctl(cluster, "status"), re.M)
            and int(supervisorctl(cluster, "pid", "app:web1")) != old_pid
        ),
        timeout=30,
        interval=0.3,
        what="supervisord to start web1 again",
    )
    wait_for(lambda: timed_get(f"http://{HOST}:{PORTS['web1']}/health/", timeout=1)[0] == 200, timeout=30)


def test_a_second_beat_waits_for_the_first(cluster, process_log_dir):
    """The beat role on a second machine by mistake: its guard finds the lock held and never
    starts beat (here a stand-in command that would say so)."""
    env = {**cluster["env"], "FORUM_REDIS_URL": f"redis://{HOST}:{PORTS['CLUSTER_BROKER_REDIS']}/1"}
    second = spawn(
        "second-beat",
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "config.beat_lock", "--", "echo", "SECOND BEAT STARTED"],
        env,
        process_log_dir,
    )
    try:
        wait_for(lambda: "this one waits" in second.log(), timeout=30, what="the second guard to wait")
        time.sleep(0.5)
        assert second.popen.poll() is None and "SECOND BEAT STARTED" not in second.log()
    finally:
        second.stop()
    assert "Took forum:beat-lock" in (cluster["dir"] / "log" / "beat.log").read_text()


def test_killing_a_node_and_the_tally_worker_mid_load_loses_no_vote(cluster):
    """Votes, page views and live polls through the front while web1 and the tally worker are
    killed -9 and restarted by supervisord: every vote a reader sent is stored as they last sent
    it (a reader whose PUT met a 5xx sends it again, as an idempotent request may be); the only
    5xx are votes while web1 is down, never a GET, which nginx retries on web2; and once both are
    back every count equals its vote rows."""
    from bench.measure import drifted_comments

    comments = CommentFactory.create_batch(6)
    voters = [
        (UserFactory(country="JP" if n % 2 else "US", date_joined=timezone.now() - timedelta(days=1)), n)
        for n in range(8)
    ]
    tokens = {user.pk: Token.objects.create(user=user).key for user, _ in voters}
    article = comments[0].article
    live = f"/articles/{article.pk}/live/?ids={comments[0].pk}&after=0"
    answers: list[tuple[float, str, int]] = []  # (when, method, status)
    last_sent: dict[tuple[int, int], str] = {}
    stop = threading.Event()

    def vote_loop(user, n: int) -> None:
        # Under the per-address vote limit (10/s from 127.0.0.1): 8 readers, one vote a second each.
        choice = "agree"
        while not stop.is_set():
            comment = comments[n % len(comments)]
            choice = "disagree" if choice == "agree" else "agree"
            while True:  # an idempotent PUT: sent again until it is answered
                try:
                    status = front(
                        "PUT",
                        f"/api/v1/comments/{comment.pk}/vote/",
                        body=f'{{"choice": "{choice}"}}',
                        headers={"Authorization": f"Token {tokens[user.pk]}", "Content-Type": "application/json"},
                    )[0]
                except OSError:
                    status = 0
                answers.append((time.monotonic(), "PUT", status))
                if status == 200:
                    last_sent[(user.pk, comment.pk)] = choice
                    break
                time.sleep(0.2)
            n += 1
            time.sleep(1)

    def read_loop(path: str) -> None:
        while not stop.is_set():
            try:
                status = front("GET", path)[0]
            except OSError:
                status = 0
            answers.append((time.monotonic(), "GET", status))
            time.sleep(0.1)

    threads = [threading.Thread(target=vote_loop, args=voter) for voter in voters]
    threads += [threading.Thread(target=read_loop, args=(path,)) for path in (article.get_absolute_url(), live)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(3)
        old = {name: int(supervisorctl(cluster, "pid", name)) for name in ("app:web1", "workers:worker-tallies")}
        killed_at = time.monotonic()
        for pid in old.values():
            os.kill(pid, signal.SIGKILL)
        for name, pid in old.items():
            wait_for(
                lambda name=name, pid=pid: (
                    re.search(rf"^{name}\s+RUNNING", supervisorctl(cluster, "status"), re.M)
                    and int(supervisorctl(cluster, "pid", name)) != pid
                ),
                timeout=60,
                interval=0.3,
                what=f"supervisord to start {name} again",
            )
        wait_for(lambda: timed_get(f"http://{HOST}:{PORTS['web1']}/health/", timeout=1)[0] == 200, timeout=30)
        recovered_at = time.monotonic()
        time.sleep(3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    failures = [(when, method, status) for when, method, status in answers if status >= 500 or status == 0]
    assert not [failure for failure in failures if failure[1] == "GET"], failures
    # nginx marks web1 failed and stops sending to it within a moment of the kill; a 502 may also
    # meet a vote on a connection web1 held when it died, until it answers again.
    assert all(killed_at - 0.5 <= when <= recovered_at + 1 for when, _, _ in failures), (killed_at, failures)
    assert sum(1 for _, method, status in answers if method == "PUT" and status == 200) >= 30
    assert sum(1 for _, method, status in answers if method == "GET" and status == 200) >= 30

    stored = dict(
        ((user_id, comment_id), choice)
        for user_id, comment_id, choice in Vote.objects.filter(comment__in=comments).values_list(
            "user_id", "comment_id", "choice"
        )
    )
    assert stored == last_sent
    wait_for(
        lambda: drifted_comments([comment.pk for comment in comments]) == [],
        timeout=40,
        interval=0.5,
        what="every count to equal its vote rows (the tally, or the reconciliation after the killed round)",
    )
