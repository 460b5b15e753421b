"""PostgreSQL stopped under load: clients get 503 JSON with Retry-After, never a 500; every vote
that was answered 2xx is stored; /ready/ reports the outage; everything recovers without a restart.

Everything runs as deployed against a private PostgreSQL cluster on a throwaway data directory
(never the shared server): gunicorn, a Celery worker and beat, all pointed at it through their
environment, the schema made by ``manage.py migrate``. Redis is the test's own database on the
shared server, with the test's own queue and key prefix.
"""

import http.client
import json
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field

import psycopg
import pytest

from tests.faults.helpers import logs_on_failure
from tests.processes import ROOT, child_env, free_port, start_beat, start_postgres, start_web, start_worker, wait_for

pytestmark = pytest.mark.slow

CLIENTS = 16
COMMENTS = 6

SEED = """
import json
from rest_framework.authtoken.models import Token
from tests.factories import ArticleFactory, CommentFactory, UserFactory
article = ArticleFactory(slug="outage")
comments = CommentFactory.create_batch({comments}, article=article, author=UserFactory(country="GB"))
voters = [UserFactory(country="JP" if n % 2 else "BR", password=None) for n in range({clients})]
print(json.dumps({{
    "comments": [c.pk for c in comments],
    "voters": [[v.pk, Token.objects.create(user=v).key] for v in voters],
}}))
"""

COUNTERS_WRONG = """
SELECT c.id FROM forum_comment c
LEFT JOIN (
    SELECT comment_id,
        count(*) FILTER (WHERE choice = 'agree') AS agree,
        count(*) FILTER (WHERE choice = 'disagree') AS disagree,
        count(*) FILTER (WHERE choice = 'agree' AND region = 'japan') AS agree_japan,
        count(*) FILTER (WHERE choice = 'disagree' AND region = 'world') AS disagree_world
    FROM votes_vote GROUP BY comment_id
) v ON v.comment_id = c.id
WHERE c.agree_count <> coalesce(v.agree, 0) OR c.disagree_count <> coalesce(v.disagree, 0)
   OR c.agree_japan_count <> coalesce(v.agree_japan, 0) OR c.disagree_world_count <> coalesce(v.disagree_world, 0)
"""


@dataclass
class VoteClient:
    """One mobile client voting in a closed loop with its own token."""

    port: int
    token: str
    comment_ids: list[int]
    answers: list[tuple[int, str, int, dict, dict]] = field(default_factory=list)  # comment, choice, status…
    errors: list[str] = field(default_factory=list)

    def vote(self, comment_id: int, choice: str) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(
                "PUT",
                f"/api/v1/comments/{comment_id}/vote/",
                body=json.dumps({"choice": choice}),
                headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
            )
            response = connection.getresponse()
            raw = response.read()
            headers = {key.lower(): value for key, value in response.getheaders()}
        except OSError as error:
            self.errors.append(repr(error))
            return 0
        finally:
            connection.close()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"not json": raw[:200].decode(errors="replace")}
        self.answers.append((comment_id, choice, response.status, headers, body))
        return response.status

    def run(self, stop: threading.Event, rng: random.Random) -> None:
        while not stop.is_set():
            self.vote(rng.choice(self.comment_ids), rng.choice(["agree", "disagree"]))

    def repeat_unanswered(self) -> None:
        """What a client does after the outage: repeat each vote whose last answer was not a 2xx."""
        last: dict[int, tuple[str, int]] = {}
        for comment_id, choice, status, _, _ in self.answers:
            last[comment_id] = (choice, status)
        for comment_id, (choice, status) in last.items():
            for _ in range(20):
                if 200 <= status < 300:
                    break
                time.sleep(0.1)
                status = self.vote(comment_id, choice)

    def expected_votes(self) -> dict[int, str]:
        """The last choice per comment that the server answered 2xx to: what must be stored."""
        return {comment_id: choice for comment_id, choice, status, _, _ in self.answers if 200 <= status < 300}


def get_json(port: int, path: str) -> tuple[int, dict, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, json.loads(response.read())
    finally:
        connection.close()


def raw_status(port: int, request: bytes) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        return int(sock.recv(64).split(b" ", 2)[1])


def assert_oversized_requests_get_documented_statuses(port: int) -> None:
    """gunicorn answers a request line or header over its limits itself; the schema lists both."""
    schema = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/schema/?format=json").read())  # noqa: S310
    articles = schema["paths"]["/api/v1/articles/"]["get"]["responses"]
    long_query = b"GET /api/v1/articles/?page_size=" + b"1" * 5600 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    long_header = b"GET /api/v1/articles/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n"
    assert raw_status(port, long_query) == 414 and "414" in articles
    assert raw_status(port, long_header) == 431 and "431" in articles


def test_postgres_stopped_under_load_answers_503_and_loses_no_vote(process_log_dir):
    postgres = start_postgres()
    try:
        with psycopg.connect(postgres.url(), autocommit=True) as admin:
            admin.execute("CREATE DATABASE forum")
        database_url = postgres.url("forum")
        suffix = str(time.monotonic_ns())
        env = {
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "outage-test-" + suffix,
            "CELERY_QUEUE": f"outage-{suffix}",
            "TALLY_KEY_PREFIX": f"outage-{suffix}",
            "RECONCILE_SECONDS": "2",
            "API_THROTTLE_VOTE_USER": "100000/min",
            "API_THROTTLE_VOTE_ANON": "100000/min",
        }
        manage = [sys.executable, "manage.py"]
        subprocess.run(
            [*manage, "migrate", "--noinput"],
            cwd=ROOT,
            env=child_env(**env),
            check=True,
            timeout=120,
            capture_output=True,
        )
        seeded = subprocess.run(
            [*manage, "shell", "-c", SEED.format(comments=COMMENTS, clients=CLIENTS)],
            cwd=ROOT,
            env=child_env(**env),
            check=True,
            timeout=60,
            capture_output=True,
            text=True,
        )
        data = json.loads(seeded.stdout.strip().splitlines()[-1])
        _run_outage(postgres, data, env, database_url, process_log_dir)
    finally:
        postgres.remove()


def _run_outage(postgres, data, env, database_url, log_dir):
    web_port = free_port()
    processes = []
    with logs_on_failure(processes):
        web = start_web(log_dir=log_dir, port=web_port, **env)
        processes.append(web)
        worker = start_worker(log_dir=log_dir, concurrency=1, **env)
        processes.append(worker)
        beat = start_beat(log_dir=log_dir, **env)
        processes.append(beat)
        assert get_json(web_port, "/ready/")[0] == 200
        assert_oversized_requests_get_documented_statuses(web_port)

        clients = [VoteClient(web_port, token, data["comments"]) for _, token in data["voters"]]
        stop = threading.Event()
        threads = [
            threading.Thread(target=client.run, args=(stop, random.Random(n)), daemon=True)  # noqa: S311
            for n, client in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.5)

        postgres.stop("fast")
        down = time.monotonic()
        time.sleep(1)
        ready_status, ready_headers, ready = get_json(web_port, "/ready/")
        time.sleep(max(0.0, down + 4 - time.monotonic()))
        postgres.start()
        outage_seconds = time.monotonic() - down
        time.sleep(3)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        for client in clients:
            client.repeat_unanswered()

        # During the outage: 503 JSON with Retry-After and a detail saying to repeat the vote.
        assert ready_status == 503 and ready_headers.get("retry-after")
        assert ready == {"ready": False, "checks": {"database": "unreachable", "redis": "ok", "broker": "ok"}}
        answers = [answer for client in clients for answer in client.answers]
        statuses = {status for _, _, status, _, _ in answers}
        assert statuses <= {200, 503}, [a[2:] for a in answers if a[2] not in (200, 503)][:3]
        assert not [error for client in clients for error in client.errors]
        outage_answers = [(headers, body) for _, _, status, headers, body in answers if status == 503]
        assert outage_answers, "the load met the outage"
        for headers, body in outage_answers:
            assert headers["content-type"] == "application/json" and int(headers["retry-after"]) > 0
            assert set(body) == {"detail"} and "Repeat the same request" in body["detail"]

        # Every vote answered 2xx is stored, as its last 2xx choice.
        with psycopg.connect(database_url, autocommit=True) as db:
            stored = {
                (user_id, comment_id): choice
                for user_id, comment_id, choice in db.execute("SELECT user_id, comment_id, choice FROM votes_vote")
            }
            for (user_id, _), client in zip(data["voters"], clients, strict=True):
                for comment_id, choice in client.expected_votes().items():
                    assert stored.get((user_id, comment_id)) == choice, (user_id, comment_id)
            # Recovered without a restart: /ready/ is 200 again and the worker and beat tally the counters.
            assert get_json(web_port, "/ready/")[0] == 200
            back = time.monotonic()
            wait_for(lambda: not db.execute(COUNTERS_WRONG).fetchall(), timeout=30, interval=0.2, what="exact counters")
            converged_after = time.monotonic() - back
        assert all(process.popen.poll() is None for process in processes), "web, worker and beat stay up"

        # Operators see the outage once per process as it begins and as it ends, not once per request.
        began = web.log().count("Outage: the database is unreachable")
        assert 1 <= began <= 2 < len(outage_answers)
        assert web.log().count("Outage over: the database") == began
        assert "Traceback" not in web.log()
        print(  # the report's figures
            f"{len(answers)} votes, {len(outage_answers)} answered 503 during a {outage_seconds:.1f} s outage; "
            f"counters exact {converged_after:.2f} s after the check; worker log: "
            f"{worker.log().count('Outage: the database')} outage start, {worker.log().count('Outage over')} end"
        )
