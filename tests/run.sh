#!/usr/bin/env bash
# Sets up everything the test suite needs on a fresh Debian/Ubuntu machine, then runs it.
# Extra arguments go to pytest (e.g. `bash tests/run.sh -m "not browser"`).
set -euo pipefail
cd "$(dirname "$0")/.."

# Browser tests drive Debian's Chromium (never a downloaded browser); tests/test_deploy.py runs nginx.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/nginx ]; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium nginx-light
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
.venv/bin/ruff check dashboard tests benchmarks
.venv/bin/ruff format --check dashboard tests benchmarks
.venv/bin/python -m pytest "$@"
