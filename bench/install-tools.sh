#!/usr/bin/env bash
# The load generator the viral phase needs (wrk, for the live polls: bench/viral.py), from Debian's
# package if missing, as the tests install Chromium; make cluster installs nginx and PgBouncer.
set -euo pipefail
command -v wrk >/dev/null && exit 0
echo "Installing Debian's wrk for the viral phase ..."
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q wrk >/dev/null 2>&1 || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q wrk >/dev/null; }
command -v wrk >/dev/null || { echo "Install failed: apt-get install -y wrk" >&2; exit 1; }
