#!/usr/bin/env bash
# One command runs every test: lint, types, and the pytest suite (browser tests included).
#   ./test.sh                  (extra arguments go to pytest, e.g. ./test.sh -k websocket)
# Browser tests drive Debian's chromium (apt-get install chromium fonts-noto-cjk);
# with CI=true a missing browser is a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
