"""The embedded default under a burst of votes: ``python bench/embedded.py`` (or ``embedded_phase``).

The stack `make run` starts, with no PostgreSQL and no Redis: SQLite, the filesystem broker,
gunicorn (gunicorn.conf.py's sizes), one Celery worker (concurrency 2) and beat. 50 signed-in
readers send 2,000 votes in 15 s through the page's vote endpoint (paced, not as fast as they
can: the rate a viral article brought); then the clock runs until every comment's stored counts
match its vote rows. Target: exact within 5 s of the last vote. Before votes were coalesced in
the database (votes.coalescing.DatabaseMarks), every vote queued its own tally task; after 2,000
votes, 1,881 tasks were waiting and counts stayed wrong for 20-40 minutes.

The seed and the check run in child processes on the embedded settings, so this process never
sets up Django: it can run beside bench/run.py's PostgreSQL phases.
"""

import argparse
import asyncio
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load, servers  # noqa: E402

READERS = 50
VOTES = 2000
SECONDS = 15.0
COMMENTS = 20
TARGET_SECONDS = 5.0

# Every comment whose six stored counts differ from its counted (not voided) vote rows. Plain SQL,
# independent of votes.counting, so a mistake there cannot hide here.
DRIFT_SQL = """
WITH fresh AS (
    SELECT c.id,
        count(v.id) FILTER (WHERE v.choice = 'agree' AND v.region = 'japan' AND v.voided_at IS NULL) AS aj,
        count(v.id) FILTER (WHERE v.choice = 'agree' AND v.region = 'world' AND v.voided_at IS NULL) AS aw,
        count(v.id) FILTER (WHERE v.choice = 'disagree' AND v.region = 'japan' AND v.voided_at IS NULL) AS dj,
        count(v.id) FILTER (WHERE v.choice = 'disagree' AND v.region = 'world' AND v.voided_at IS NULL) AS dw
    FROM forum_comment c LEFT JOIN votes_vote v ON v.comment_id = c.id GROUP BY c.id
)
SELECT count(*) FROM forum_comment c JOIN fresh f ON f.id = c.id
WHERE c.agree_japan_count != f.aj OR c.agree_world_count != f.aw OR c.disagree_japan_count != f.dj
   OR c.disagree_world_count != f.dw OR c.agree_count != f.aj + f.aw OR c.disagree_count != f.dj + f.dw
"""


def embedded_env(run_dir: Path) -> dict[str, str]:
    """`make run`'s environment: no DATABASE_URL, broker or Redis; the run's own var folder."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "FORUM_REDIS_URL"}}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "FORUM_VAR_DIR": str(run_dir / "var"),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "FORUM_NEW_ACCOUNT_WAIT_SECONDS": "0",
        # Every reader is on 127.0.0.1 here; the limits are not what this phase measures.
        "RATE_LIMIT_VOTE_USER": "1000000/s",
        "RATE_LIMIT_VOTE_ANON": "1000000/s",
    }


def seed_in_child() -> None:
    """Run in a child process on the embedded settings: the readers and comments, as JSON."""
    import django

    django.setup()
    from django.utils import timezone

    from accounts.models import User
    from bench.measure import session_headers
    from forum.models import Article, Comment, Section

    author = User.objects.create(username="bench-author", country="GB", password="!", email_verified=True)
    readers = User.objects.bulk_create(
        [
            User(username=f"bench-reader-{i}", country="JP" if i % 2 else "US", password="!", email_verified=True)
            for i in range(READERS)
        ]
    )
    article = Article.objects.create(
        title="Viral article", slug="viral", dateline=timezone.localdate(), body="Votes.", status="published"
    )
    comments = Comment.objects.bulk_create(
        [
            Comment(article=article, author=author, section=Section.WORLD, signed=True, body=f"Comment {i}.")
            for i in range(COMMENTS)
        ]
    )
    print(
        json.dumps(
            {
                "readers": [[reader.pk, session_headers(reader)] for reader in readers],
                "comment_ids": [comment.pk for comment in comments],
            }
        )
    )


@dataclass
class EmbeddedResult:
    sent: int
    ok: int
    failures: dict[str, int]
    send_seconds: float
    exact_after: float | None  # seconds from the last answer until every count was exact
    latencies_ms: list[float]
    most_queued: int = 0  # the most messages seen waiting in the broker's folder at once

    @property
    def sent_in_time(self) -> bool:
        return self.ok == VOTES and self.send_seconds <= SECONDS + 1  # the last vote is due at 15 s

    @property
    def exact_in_time(self) -> bool:
        return self.exact_after is not None and self.exact_after <= TARGET_SECONDS


async def _watch_queue(broker: Path, result: EmbeddedResult, done: asyncio.Event) -> None:
    while not done.is_set():
        result.most_queued = max(result.most_queued, sum(1 for _ in broker.glob("*.msg")))
        await asyncio.sleep(0.25)


async def _paced_votes(base_url: str, readers, comment_ids: list[int], result: EmbeddedResult, broker: Path) -> float:
    """Each reader sends its share of the votes evenly over the window; returns the wall time of
    the last answer. Each vote changes the reader's choice, as the page's script sends it."""
    endpoint = load.PageVoteEndpoint(base_url)
    per_reader = VOTES // len(readers)
    gap = SECONDS / per_reader
    started = time.perf_counter()
    last_answer = 0.0

    async def reader_loop(index: int, voter: load.Voter) -> None:
        nonlocal last_answer
        for n in range(per_reader):
            due = started + n * gap + index * gap / len(readers)
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            comment_id = comment_ids[(index * 7 + n) % len(comment_ids)]
            method, url, headers, body = endpoint.request(voter, comment_id, voter.next_choice(comment_id))
            sent = time.perf_counter()
            result.sent += 1
            try:
                async with session.request(method, url, headers=headers, data=body) as response:
                    answer = await response.read()
            except (TimeoutError, aiohttp.ClientError) as error:
                result.failures[type(error).__name__] = result.failures.get(type(error).__name__, 0) + 1
                continue
            if response.status != 200:
                result.failures[f"HTTP {response.status}"] = result.failures.get(f"HTTP {response.status}", 0) + 1
                continue
            voter.choices[comment_id] = endpoint.choice_after(answer, "")  # the answer's my_vote
            result.ok += 1
            result.latencies_ms.append((time.perf_counter() - sent) * 1000)
            last_answer = max(last_answer, time.time())

    voters = [load.Voter(user_id=pk, headers=headers) for pk, headers in readers]
    done = asyncio.Event()
    watcher = asyncio.create_task(_watch_queue(broker, result, done))
    async with load.new_session(len(voters) + 4) as session:
        await asyncio.gather(*(reader_loop(i, voter) for i, voter in enumerate(voters)))
    done.set()
    await watcher
    result.send_seconds = time.perf_counter() - started
    return last_answer


def drifted(database: Path) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=20) as connection:
        return connection.execute(DRIFT_SQL).fetchone()[0]


def embedded_phase(*, run_dir: Path, workers: int = servers.DEFAULT_WORKERS, timeout: float = 120) -> EmbeddedResult:
    env = embedded_env(run_dir)
    log_dir = run_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    servers.run_manage("migrate", "--noinput", env=env, log_dir=log_dir)
    seeded = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--seed-in-child"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    port = servers.free_port()
    running = []
    try:
        running.append(
            servers.start_gunicorn(env=env, log_dir=log_dir, port=port, workers=workers, threads=1, label="embedded")
        )
        running.append(servers.start_worker(env=env, log_dir=log_dir, concurrency=2))
        running.append(servers.start_beat(env=env, log_dir=log_dir))
        result = EmbeddedResult(sent=0, ok=0, failures={}, send_seconds=0, exact_after=None, latencies_ms=[])
        base_url = f"http://127.0.0.1:{port}"
        broker = run_dir / "var" / "celery-broker"
        last_answer = asyncio.run(_paced_votes(base_url, seed["readers"], seed["comment_ids"], result, broker))
        database = run_dir / "var" / "forum.sqlite3"
        while time.time() - last_answer < timeout:
            if drifted(database) == 0:
                result.exact_after = max(0.0, time.time() - last_answer)
                break
            time.sleep(0.1)
        return result
    finally:
        for server in reversed(running):
            server.stop()


def describe(result: EmbeddedResult) -> list[str]:
    exact = "never (within the timeout)" if result.exact_after is None else f"{result.exact_after:.1f} s"
    failures = f", failures {result.failures}" if result.failures else ""
    return [
        f"{result.ok:,} of {result.sent:,} votes answered in {result.send_seconds:.1f} s from {READERS} readers "
        f"(p50 {load.percentile(result.latencies_ms, 0.5):.0f} ms, "
        f"p99 {load.percentile(result.latencies_ms, 0.99):.0f} ms){failures}; "
        f"target {VOTES:,} in ≤ {SECONDS:.0f} s: " + ("met" if result.sent_in_time else "MISSED"),
        f"every count exact {exact} after the last vote; target ≤ {TARGET_SECONDS:.0f} s: "
        + ("met" if result.exact_in_time else "MISSED"),
        f"most tasks waiting in the broker at once: {result.most_queued}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed-in-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=servers.DEFAULT_WORKERS)
    args = parser.parse_args()
    if args.seed_in_child:
        seed_in_child()
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-embedded-") as run_dir:
        print(f"Embedded default (`make run`: SQLite, filesystem broker, no Redis); logs in {run_dir}", flush=True)
        for line in describe(embedded_phase(run_dir=Path(run_dir), workers=args.workers)):
            print(f"  {line}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
