#!/usr/bin/env bash
# Make sure what the test suite talks to is there: PostgreSQL and Redis on this machine (started
# if installed and stopped) and Debian's Chromium for the browser test. Fails with how to fix it.
set -euo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || python3 - <<'PY'
import socket, sys
try:
    socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; }

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "Starting PostgreSQL ..."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 30); do pg_up && break; sleep 1; done
  fi
  pg_up || { echo "PostgreSQL is not running on 127.0.0.1:5432. Install and start it (Debian: apt-get install postgresql; pg_ctlcluster 15 main start), with trust auth for user postgres, or set TEST_DATABASE_URL." >&2; exit 1; }
fi

if ! redis_up; then
  if command -v redis-server >/dev/null; then
    echo "Starting Redis ..."
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    for _ in $(seq 30); do redis_up && break; sleep 0.5; done
  fi
  redis_up || { echo "Redis is not running on 127.0.0.1:6379. Install and start it (Debian: apt-get install redis-server; redis-server --daemonize yes --port 6379)." >&2; exit 1; }
fi

# `--no-browser` (make test-fast): the fast loop runs no browser test, so Chromium is not needed.
if [ "${1:-}" != "--no-browser" ] && ! command -v chromium >/dev/null; then
  echo "Installing Debian's chromium for the browser test ..."
  if [ "$(id -u)" = 0 ]; then
    (apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; })
  else
    (sudo apt-get install -y -q chromium >/dev/null 2>&1 || { sudo apt-get update -q >/dev/null && sudo apt-get install -y -q chromium >/dev/null; })
  fi
  command -v chromium >/dev/null || { echo "Chromium is missing: apt-get install -y chromium" >&2; exit 1; }
fi
# xgettext: the catalogue test (tests/i18n) runs makemessages to find strings not yet translated.
if ! command -v xgettext >/dev/null; then
  echo "Installing Debian's gettext for the translation catalogue test ..."
  if [ "$(id -u)" = 0 ]; then
    (apt-get install -y -q gettext >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q gettext >/dev/null; })
  else
    (sudo apt-get install -y -q gettext >/dev/null 2>&1 || { sudo apt-get update -q >/dev/null && sudo apt-get install -y -q gettext >/dev/null; })
  fi
  command -v xgettext >/dev/null || { echo "xgettext is missing: apt-get install -y gettext" >&2; exit 1; }
fi
# nginx and PgBouncer: tests/deploy starts the production topology (deploy/cluster).
bash "$(dirname "$0")/../deploy/install-packages.sh"
# libicu-dev and pkg-config: PyICU (requirements.txt) builds against Debian's ICU.
if ! pkg-config --exists icu-i18n 2>/dev/null; then
  echo "Installing Debian's libicu-dev and pkg-config for PyICU ..."
  if [ "$(id -u)" = 0 ]; then
    (apt-get install -y -q libicu-dev pkg-config >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q libicu-dev pkg-config >/dev/null; })
  else
    (sudo apt-get install -y -q libicu-dev pkg-config >/dev/null 2>&1 || { sudo apt-get update -q >/dev/null && sudo apt-get install -y -q libicu-dev pkg-config >/dev/null; })
  fi
  pkg-config --exists icu-i18n || { echo "ICU is missing: apt-get install -y libicu-dev pkg-config" >&2; exit 1; }
fi
echo "PostgreSQL, Redis$([ "${1:-}" = "--no-browser" ] || echo ", Chromium"), gettext, nginx, PgBouncer and ICU are ready."
