#!/usr/bin/env bash
# nginx, PgBouncer and Redis from Debian's packages, if missing (make cluster, tests/setup_services.sh).
# Only the binaries are used: the packages' own services stay stopped; deploy/cluster runs its own.
set -euo pipefail
missing=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
command -v redis-server >/dev/null || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian's ${missing[*]} for the production topology ..."
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
  || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "${missing[@]}" >/dev/null; }
# Debian starts the packaged services on install where it can; the topology runs its own.
for service in nginx pgbouncer; do
  command -v service >/dev/null && $sudo service "$service" stop >/dev/null 2>&1 || true
done
[ -x /usr/sbin/nginx ] && [ -x /usr/sbin/pgbouncer ] || { echo "Install failed: apt-get install -y ${missing[*]}" >&2; exit 1; }
