"""Real processes for integration and fault tests: Celery workers, beat, and private Redis servers.

Each process gets the test database (the one pytest-django created) and the test broker through
its environment, exactly as a deployed worker gets its own, and writes its log to a file that a
failing test prints.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))


def wait_for(predicate: Callable[[], object], *, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Poll until predicate() is truthy; return its value or fail with what we waited for."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def database_env() -> dict[str, str]:
    """Environment that points a child process at the database this test session uses."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"FORUM_SQLITE_PATH": str(db["NAME"]), "FORUM_VAR_DIR": str(settings.VAR_DIR)}
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return {"DATABASE_URL": f"postgres://{user}@{host}:{port}/{db['NAME']}", "FORUM_VAR_DIR": str(settings.VAR_DIR)}


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path
    extra: dict = field(default_factory=dict)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill the whole process group (a prefork worker has children)."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


def spawn(name: str, args: list[str], env: dict[str, str], log_dir: Path) -> Process:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}-{time.monotonic_ns()}.log"
    log = log_path.open("wb")
    popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return Process(name=name, popen=popen, log_path=log_path)


def child_env(**overrides: str) -> dict[str, str]:
    env = {**os.environ, **database_env(), "CELERY_BROKER_URL": settings.CELERY_BROKER_URL}
    env["FORUM_REDIS_URL"] = settings.FORUM_REDIS_URL
    env["TALLY_KEY_PREFIX"] = settings.TALLY_KEY_PREFIX
    env["CELERY_QUEUE"] = settings.CELERY_TASK_DEFAULT_QUEUE
    # The limits and the new-account wait as the test set them (none, unless it sets some).
    env["FORUM_NEW_ACCOUNT_WAIT_SECONDS"] = str(settings.NEW_ACCOUNT_WAIT_SECONDS)
    for scope, rate in settings.RATE_LIMITS.items():
        env[f"RATE_LIMIT_{scope.upper()}"] = rate or ""
    env.update(overrides)
    return env


def start_worker(*, log_dir: Path, concurrency: int = 2, **env_overrides: str) -> Process:
    process = spawn(
        "worker",
        [
            CELERY,
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={concurrency}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=test-{time.monotonic_ns()}@%h",
        ],
        child_env(**env_overrides),
        log_dir,
    )
    wait_for(lambda: "ready." in process.log() or process.popen.poll() is not None, timeout=60, what="worker start")
    if process.popen.poll() is not None:
        raise AssertionError(f"worker exited:\n{process.log()}")
    return process


def start_beat(*, log_dir: Path, **env_overrides: str) -> Process:
    schedule = log_dir / f"beat-schedule-{time.monotonic_ns()}"
    return spawn(
        "beat",
        [CELERY, "-A", "config", "beat", "--loglevel=INFO", f"--schedule={schedule}"],
        child_env(**env_overrides),
        log_dir,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(*, port: int, log_dir: Path, options: tuple[str, ...] = ()) -> Process:
    """A private redis-server for tests that stop Redis (or configure it): never the shared one on
    6379. ``options`` are more command-line settings ("--maxmemory", "2mb", ...)."""
    process = spawn(
        "redis",
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", *options],
        dict(os.environ),
        log_dir,
    )
    wait_for(lambda: "Ready to accept connections" in process.log(), timeout=20, what="redis-server start")
    return process


def start_web(*, log_dir: Path, port: int, workers: int = 2, **env_overrides: str) -> Process:
    """The web side as deployed: gunicorn serving config.wsgi on 127.0.0.1:port, with its own
    database and broker settings from the environment (so a test can point it at a private Redis)."""
    # The project's gunicorn.conf.py (read from the working directory, the repository root)
    # applies; only the address, the worker count and a private control socket differ.
    control_dir = Path(tempfile.mkdtemp(prefix="gunicorn-"))  # short: a socket path is < 108 bytes
    process = spawn(
        "web",
        [
            str(Path(sys.executable).with_name("gunicorn")),
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--graceful-timeout=2",
            "--access-logfile=-",
            f"--control-socket={control_dir / 'gunicorn.ctl'}",
        ],
        child_env(**env_overrides),
        log_dir,
    )

    def answers() -> bool:
        if process.popen.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{process.log()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"GET /health/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            status_line = sock.recv(64).split(b"\r\n", 1)[0]
            return status_line.startswith(b"HTTP/") and b" 200 " in status_line
        return False

    wait_for(answers, timeout=60, interval=0.2, what="gunicorn to answer /health/")
    process.extra["base_url"] = f"http://127.0.0.1:{port}"
    return process


PG_BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass
class PrivatePostgres:
    """A throwaway PostgreSQL cluster for tests that stop the database: never the shared one.
    initdb and pg_ctl refuse to run as root, so they run as the postgres user."""

    port: int
    base_dir: Path

    @property
    def log_path(self) -> Path:
        return self.base_dir / "postgres.log"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(self.base_dir / "data"), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base_dir} -c fsync=off"
        self._pg_ctl("start", "-w", "-l", str(self.log_path), "-o", options)

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-w", "-m", mode)

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.base_dir, ignore_errors=True)


def start_postgres() -> PrivatePostgres:
    import tempfile

    # Everything in one folder the postgres user owns: it cannot reach pytest's root-only tmp_path.
    base = Path(tempfile.mkdtemp(prefix="forum-pg-"))
    shutil.chown(base, "postgres", "postgres")
    initdb = [str(PG_BIN / "initdb"), "-D", str(base / "data"), "-A", "trust", "-U", "postgres", "--no-sync"]
    subprocess.run(
        ["runuser", "-u", "postgres", "--", *initdb, "--no-instructions"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    server = PrivatePostgres(port=free_port(), base_dir=base)
    server.start()
    return server
