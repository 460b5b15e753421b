"""Rate-limit counts shared by every process of one machine, without Redis: the embedded default's
store (infra/rate_limits.py uses Redis when the forum has one).

One SQLite file (settings.RATE_LIMIT_COUNTS_FILE, under var/). Each count is one UPSERT that
returns the new number, so SQLite's write lock makes it atomic across processes: no count is
lost, however many web processes count at once. Django's file and database caches were measured
and set aside: their incr reads then writes (counts are lost under concurrency), and the file
cache cost 3 ms a request and lists its whole directory on every write.

The counts are not worth an fsync (a crash loses at most a minute's counts), so the file runs with
synchronous=OFF in WAL mode: about 0.1 ms a request. Windows that ended are deleted now and then.

Locks that outlast a count (a known device's sign-in lock, infra.rate_limits.set_lock) live in the
same file, so every process sees a lock another one set (a per-process cache did not).
"""

import sqlite3
import threading
import time

from django.conf import settings

# Every this many counts (per process), the windows that ended are deleted.
SWEEP_EVERY = 500
# How long a count waits for another process's write before giving up (the request then passes).
BUSY_TIMEOUT_SECONDS = 2.0

_local = threading.local()


def _connection() -> sqlite3.Connection:
    path = str(settings.RATE_LIMIT_COUNTS_FILE)
    connection = getattr(_local, "connection", None)
    if connection is not None and _local.path == path:
        return connection
    settings.RATE_LIMIT_COUNTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute(
        "CREATE TABLE IF NOT EXISTS counts (key TEXT PRIMARY KEY, n INTEGER NOT NULL, expires REAL NOT NULL)"
    )
    connection.execute("CREATE TABLE IF NOT EXISTS locks (key TEXT PRIMARY KEY, ends REAL NOT NULL)")
    _local.connection, _local.path, _local.since_sweep = connection, path, 0
    return connection


def count(windows: list[tuple[str, int]]) -> list[int]:
    """Count one more request under each (key, window seconds); the counts, in order. A key names
    its window (rate_limits.check puts the window's number in it), so a key's count only grows
    until it expires."""
    connection = _connection()
    now = time.time()
    counts = []
    with connection:  # one transaction for all the scopes of a request
        connection.execute("BEGIN IMMEDIATE")
        for key, window_seconds in windows:
            (n,) = connection.execute(
                "INSERT INTO counts (key, n, expires) VALUES (?, 1, ?) "
                "ON CONFLICT (key) DO UPDATE SET n = n + 1 RETURNING n",
                (key, now + window_seconds + 1),
            ).fetchone()
            counts.append(n)
    _local.since_sweep += 1
    if _local.since_sweep >= SWEEP_EVERY:
        _local.since_sweep = 0
        with connection:
            connection.execute("DELETE FROM counts WHERE expires < ?", (now,))
            connection.execute("DELETE FROM locks WHERE ends < ?", (now,))
    return counts


def set_lock(key: str, ends: float) -> None:
    """Lock ``key`` until ``ends`` (a Unix time), replacing any lock it had."""
    connection = _connection()
    with connection:
        connection.execute(
            "INSERT INTO locks (key, ends) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET ends = excluded.ends",
            (key, ends),
        )


def lock_ends(key: str) -> float | None:
    """When the lock under ``key`` ends (a Unix time), or None if it has none or it has ended."""
    row = _connection().execute("SELECT ends FROM locks WHERE key = ? AND ends > ?", (key, time.time())).fetchone()
    return None if row is None else row[0]


def clear() -> None:
    """Forget every count and lock (each test starts from none, as with Redis's FLUSHDB)."""
    connection = _connection()
    with connection:
        connection.execute("DELETE FROM counts")
        connection.execute("DELETE FROM locks")
