"""The processes under test: gunicorn, a Celery worker and beat, each in its own process group.

Every process gets the benchmark's environment (its own database, Redis db, queue and key prefix),
writes its log to a file in the run's folder, and is stopped by its own process group id.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


# gunicorn.conf.py's defaults (and the same variables), so that the bench measures the server
# as it runs.
DEFAULT_WORKERS = int(os.environ.get("GUNICORN_WORKERS", "3"))
DEFAULT_THREADS = int(os.environ.get("GUNICORN_THREADS", "1"))


@dataclass
class Server:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM the process group (gunicorn and prefork workers have children), then wait."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)


def spawn(name: str, args: list[str], env: dict[str, str], log_dir: Path) -> Server:
    log_path = log_dir / f"{name}.log"
    with log_path.open("ab") as log:
        popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return Server(name=name, popen=popen, log_path=log_path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, what: str, server: Server | None = None, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if server is not None and not server.alive():
            raise RuntimeError(f"{server.name} exited while waiting for {what}:\n{server.log()[-3000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except OSError:
        return False


def start_gunicorn(*, env: dict[str, str], log_dir: Path, port: int, workers: int, threads: int, label: str) -> Server:
    """gthread workers: each thread keeps its database connection, and HTTP connections stay open."""
    server = spawn(
        f"gunicorn-{label}",
        [
            str(BIN / "gunicorn"),
            # The project's gunicorn.conf.py (gthread, keep-alive); the bench sets the sizes.
            f"--config={ROOT / 'gunicorn.conf.py'}",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--log-level=warning",
            # gunicorn 27 shares one control socket per user unless each instance names its own.
            f"--control-socket={log_dir / f'gunicorn-{label}.ctl'}",
        ],
        env,
        log_dir,
    )
    wait_until(lambda: _answers(f"http://127.0.0.1:{port}/health/"), timeout=60, what="gunicorn", server=server)
    return server


def start_worker(*, env: dict[str, str], log_dir: Path, concurrency: int) -> Server:
    server = spawn(
        "celery-worker",
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={concurrency}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=bench-{os.getpid()}@%h",
        ],
        env,
        log_dir,
    )
    wait_until(lambda: "ready." in server.log(), timeout=60, what="the Celery worker", server=server)
    return server


def start_beat(*, env: dict[str, str], log_dir: Path) -> Server:
    return spawn(
        "celery-beat",
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "beat",
            "--loglevel=INFO",
            f"--schedule={log_dir / 'celerybeat-schedule'}",
        ],
        env,
        log_dir,
    )


def run_manage(*args: str, env: dict[str, str], log_dir: Path) -> None:
    with (log_dir / "manage.log").open("ab") as log:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=True
        )


def process_tree_cpu_seconds(root_pid: int) -> float:
    """User + system CPU of a process and its live descendants (from /proc; clock ticks to seconds)."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry)
        parents[pid] = int(fields[1])
        cpu[pid] = (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / tick
    total = 0.0
    for pid, seconds in cpu.items():
        ancestor = pid
        while ancestor and ancestor != root_pid:
            ancestor = parents.get(ancestor, 0)
        if ancestor == root_pid:
            total += seconds
    return total


def machine_cpu_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores added up."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]
    return (sum(values) - idle) / tick, sum(values) / tick


def cpu_seconds_of(command: str) -> float:
    """CPU of every live process with this command name (other people's included)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if stat[stat.index("(") + 1 : stat.rindex(")")] != command:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total
