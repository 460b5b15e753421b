"""What every benchmark run shares: its environment (a database, Redis db, queue and key prefix of
its own), the processes it starts (``Bench``), and the CPU meter and phase runner each phase
reports with. bench/run.py (``make bench``) and the phases run alone (bench/live.py,
bench/page.py) build on it; it imports none of them.
"""

import argparse
import asyncio
import contextlib
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import load, servers

ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# Overridable so that two runs on one machine (say, two engineers' worktrees) do not collide.
DB_NAME = os.environ.get("BENCH_DB_NAME", "forum_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def bench_env(run_dir: Path) -> dict[str, str]:
    """Everything the server processes and this one share; nothing collides with tests others run."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        "DJANGO_CONN_MAX_AGE": os.environ.get("DJANGO_CONN_MAX_AGE", "600"),
        "CELERY_BROKER_URL": REDIS_URL,
        "FORUM_REDIS_URL": REDIS_URL,
        "TALLY_KEY_PREFIX": "bench:tally",
        "CELERY_QUEUE": "bench",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        # Plain HTTP on loopback: cookies must not be marked Secure-only.
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "FORUM_VAR_DIR": str(run_dir / "var"),
        # The readers are made just before they vote: no new-account wait.
        "FORUM_NEW_ACCOUNT_WAIT_SECONDS": "0",
        # The vote rate limits (forum/settings.py RATE_LIMITS): per reader, and per address, which
        # is 127.0.0.1 for every client here. Raised so they measure the path, not the limit; the
        # throttle's own cost (a Redis INCR per scope) stays in every API vote.
        "RATE_LIMIT_VOTE_USER": os.environ.get("RATE_LIMIT_VOTE_USER", "1000000/s"),
        "RATE_LIMIT_VOTE_ANON": os.environ.get("RATE_LIMIT_VOTE_ANON", "1000000/s"),
    }


@dataclass
class Cpu:
    """CPU seconds used during one phase, by component."""

    wall: float
    machine_busy: float
    client: float
    gunicorn: float
    celery: float
    postgres: float
    redis: float

    @property
    def others_cores(self) -> float:
        ours = self.client + self.gunicorn + self.celery + self.postgres + self.redis
        return (self.machine_busy - ours) / self.wall

    def describe(self) -> str:
        cores = os.cpu_count() or 1
        others = self.others_cores * self.wall
        return (
            f"machine {self.machine_busy / self.wall / cores:.0%} busy of {cores} cores; cores used: "
            f"gunicorn {self.gunicorn / self.wall:.2f}, postgres {self.postgres / self.wall:.2f}, "
            f"redis {self.redis / self.wall:.2f}, celery {self.celery / self.wall:.2f}, "
            f"load client {self.client / self.wall:.2f}, "
            f"everything else {others / self.wall:.2f}"
        )


class CpuMeter:
    def __init__(self, gunicorn: servers.Server, celery: list[servers.Server]) -> None:
        self.gunicorn, self.celery = gunicorn, celery

    def snapshot(self) -> tuple[float, ...]:
        busy, _ = servers.machine_cpu_busy_seconds()
        return (
            time.monotonic(),
            busy,
            time.process_time(),
            servers.process_tree_cpu_seconds(self.gunicorn.popen.pid),
            sum(servers.process_tree_cpu_seconds(s.popen.pid) for s in self.celery),
            servers.cpu_seconds_of("postgres"),
            servers.cpu_seconds_of("redis-server"),
        )

    def since(self, before: tuple[float, ...]) -> Cpu:
        after = self.snapshot()
        return Cpu(*(b - a for a, b in zip(before, after, strict=True)))


def phase(meter: CpuMeter, coroutine) -> tuple[load.PhaseResult, Cpu]:
    before = meter.snapshot()
    result = run_async(coroutine)
    cpu = meter.since(before)
    print(
        f"  {result.name}: {result.ok} in {result.seconds:.0f} s = {result.rate:,.0f}/s, "
        f"p50 {load.percentile(result.latencies_ms, 0.5):.1f} ms, "
        f"p99 {load.percentile(result.latencies_ms, 0.99):.1f} ms"
        + (f", failures {result.failures}" if result.failures else ""),
        flush=True,
    )
    print(f"    {cpu.describe()}", flush=True)
    return result, cpu


def run_async(coroutine):
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


class Bench:
    """One run: its own database, Redis db, queue, key prefix, port and log folder."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.run_dir = Path(tempfile.mkdtemp(prefix="forum-bench-"))
        self.env = bench_env(self.run_dir)
        self.port = servers.free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.running: list[servers.Server] = []
        self.worker_log = ""

    # --- processes --------------------------------------------------------------------------

    def start(self, server: servers.Server) -> servers.Server:
        self.running.append(server)
        return server

    def stop(self, server: servers.Server) -> None:
        server.stop()
        self.running.remove(server)
        if server.name == "celery-worker":
            self.worker_log = server.log()  # one file for every worker this run started

    def stop_all(self) -> None:
        for server in reversed(list(self.running)):
            self.stop(server)

    def start_gunicorn(self, label: str, **env: str) -> servers.Server:
        return self.start(
            servers.start_gunicorn(
                env={**self.env, **env},
                label=label,
                log_dir=self.run_dir,
                port=self.port,
                workers=self.args.workers,
                threads=self.args.threads,
            )
        )

    def start_celery(self) -> list[servers.Server]:
        worker = self.start(
            servers.start_worker(env=self.env, log_dir=self.run_dir, concurrency=self.args.celery_concurrency)
        )
        return [worker, self.start(servers.start_beat(env=self.env, log_dir=self.run_dir))]

    # --- the run ----------------------------------------------------------------------------

    def prepare(self) -> None:
        from bench import measure

        measure.recreate_database(admin_url=ADMIN_URL, name=DB_NAME)
        servers.run_manage("migrate", "--noinput", env=self.env, log_dir=self.run_dir)
        # DEBUG off serves static files through whitenoise's manifest: build it in the run's folder.
        servers.run_manage("collectstatic", "--noinput", env=self.env, log_dir=self.run_dir)
        measure.reset_forum_redis()
        self.seed = measure.seed(
            voters=self.args.clients, probers=self.args.probers, spread_comments=self.args.comments
        )
        use_api = self.args.endpoint == "api" or (self.args.endpoint == "auto" and measure.api_vote_route_exists())
        self.endpoint = load.ApiVoteEndpoint(self.base_url) if use_api else load.PageVoteEndpoint(self.base_url)
        headers_for = measure.token_headers if use_api else measure.session_headers
        self.voters = [load.Voter(user.pk, headers_for(user)) for user in self.seed.voters]
        probers = [load.Voter(user.pk, headers_for(user)) for user in self.seed.probers]
        self.hot_prober, self.quiet_probers = probers[-1], probers[:-1]

    def votes_on(self, pick_comment, seconds: float, name: str, extra=None):
        return load.run_votes(
            endpoint=self.endpoint,
            voters=self.voters,
            pick_comment=pick_comment,
            seconds=seconds,
            name=name,
            extra=extra,
        )


def stop_on_signal(signum, frame) -> None:
    # The servers run in their own sessions: unwind through the finally blocks that stop them,
    # or they would outlive a killed run and consume the next run's queue.
    raise KeyboardInterrupt(f"signal {signum}")


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """--database and --redis-url: so that two runs on one machine do not collide."""
    parser.add_argument("--database", default=None, help=f"the bench database's name (default {DB_NAME})")
    parser.add_argument("--redis-url", default=None, help=f"the bench's Redis db (default {REDIS_URL})")


def use_database(args: argparse.Namespace) -> None:
    """This run's database and Redis db, from add_database_options' arguments."""
    global DB_NAME, REDIS_URL
    DB_NAME, REDIS_URL = args.database or DB_NAME, args.redis_url or REDIS_URL


@contextlib.contextmanager
def standalone_bench(args: argparse.Namespace, *, title: str, **shape):
    """A prepared Bench for one phase run on its own (bench/live.py, bench/page.py): its database
    and Redis db from ``args`` (add_database_options), Django set up on its settings, and
    everything stopped and the database dropped afterwards. ``shape``: clients, comments, workers,
    threads."""
    use_database(args)
    bench = Bench(argparse.Namespace(probers=2, celery_concurrency=1, endpoint="auto", keep_db=False, **shape))
    os.environ.update(bench.env)
    import django

    django.setup()
    from bench import measure

    print(f"{title}; logs in {bench.run_dir}", flush=True)
    try:
        bench.prepare()
        yield bench
    finally:
        bench.stop_all()
        measure.drop_database(admin_url=ADMIN_URL, name=DB_NAME)
