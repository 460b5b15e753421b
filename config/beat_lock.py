"""Run Celery beat only while holding a lock in Redis, so that a second beat waits.

The topology runs beat on one machine only (deploy/, the "beat" role). If a second one is started
anyway (the role put on two machines, an old node not stopped), every periodic task would be sent
twice. This guard takes ``forum:beat-lock`` (SET NX with an expiry) before starting beat, renews
it while beat runs, and lets a second guard wait until the first is gone:

    python -m config.beat_lock -- celery -A config beat

The lock expires LOCK_SECONDS after its holder stops renewing it (a machine that died), so a
waiting guard takes over then. Without a Redis (the embedded default) it just runs the command.
"""

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
import uuid

import redis

logger = logging.getLogger("config.beat_lock")

LOCK_KEY = os.environ.get("FORUM_BEAT_LOCK_KEY", "forum:beat-lock")
LOCK_SECONDS = float(os.environ.get("FORUM_BEAT_LOCK_SECONDS", "30"))
# Renew well before expiry; a waiting guard looks this often too.
RENEW_SECONDS = LOCK_SECONDS / 3
# Renew only our own lock, atomically: a lock that expired and was taken is not ours to extend.
RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def lock_url() -> str:
    broker = os.environ.get("CELERY_BROKER_URL", "")
    return os.environ.get("FORUM_REDIS_URL") or (broker if broker.startswith(("redis://", "rediss://")) else "")


def acquire(client: redis.Redis, token: str) -> bool:
    try:
        return bool(client.set(LOCK_KEY, token, nx=True, px=int(LOCK_SECONDS * 1000)))
    except redis.RedisError as error:
        logger.warning("Cannot reach Redis for the beat lock (%s); trying again.", error)
        return False


def run(command: list[str]) -> int:
    url = lock_url()
    if not url:
        return subprocess.call(command)
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    token = f"{os.uname().nodename}:{os.getpid()}:{uuid.uuid4().hex}"
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    waiting_said = False
    while not acquire(client, token):
        if stopping:
            return 0
        if not waiting_said:
            holder = client.get(LOCK_KEY)
            logger.warning("Another beat holds %s (%s); this one waits.", LOCK_KEY, holder)
            waiting_said = True
        time.sleep(RENEW_SECONDS)
    logger.warning("Took %s; starting beat.", LOCK_KEY)
    child = subprocess.Popen(command)
    lost = False
    next_renewal = time.monotonic() + RENEW_SECONDS
    try:
        while child.poll() is None and not stopping:
            time.sleep(0.5)
            if time.monotonic() < next_renewal:
                continue
            next_renewal = time.monotonic() + RENEW_SECONDS
            try:
                if not client.eval(RENEW, 1, LOCK_KEY, token, int(LOCK_SECONDS * 1000)):
                    logger.error("Lost %s to another beat; stopping this one.", LOCK_KEY)
                    lost = True
                    break
            except redis.RedisError as error:
                logger.warning("Cannot renew the beat lock (%s); trying again.", error)
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        with contextlib.suppress(redis.RedisError):  # otherwise it expires by itself
            client.eval(RELEASE, 1, LOCK_KEY, token)
    if lost:
        return 1
    return 0 if stopping else child.returncode


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s: %(levelname)s/beat-lock] %(message)s")
    command = argv[1:] if argv[:1] == ["--"] else argv
    if not command:
        print("usage: python -m config.beat_lock -- celery -A config beat", file=sys.stderr)
        return 2
    return run(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
