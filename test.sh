#!/usr/bin/env bash
# One command runs every test: lint, types, and the pytest suite (browser tests included).
#   ./test.sh                  (extra arguments go to pytest, e.g. ./test.sh -k websocket)
# It installs what the tests need: the Python packages into .venv/ and, when it can (as root,
# or with sudo after saying so), Debian's chromium, CJK fonts, PostgreSQL and Redis
# (scripts/system-packages.sh); otherwise it stops with the exact command to run.
# With CI=true a missing browser or server is a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")"
scripts/system-packages.sh
scripts/bootstrap.sh test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
