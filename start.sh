#!/usr/bin/env bash
# One command runs yoriai: install, migrate, load the demo data, serve.
#   ./start.sh                 (then open the address it prints)
#   YORIAI_PORT=8080 ./start.sh
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
.venv/bin/yoriai migrate
.venv/bin/yoriai demo
exec .venv/bin/yoriai serve "$@"
