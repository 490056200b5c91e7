#!/usr/bin/env bash
# The city-scale fan-out run of docs/benchmarks.md: two yoriai workers on a throwaway PostgreSQL
# cluster and Redis (loopback, removed afterwards), then bench/fanout.py against them, reading
# the CPU and memory of both workers.
#   bench/fanout_city.sh                       (2,000 phones over 10 boards, 5 notes/s, 60 s)
#   bench/fanout_city.sh --clients 4000 --rate 10
#   PYTHON=/path/to/venv/bin/python bench/fanout_city.sh   (another virtualenv than .venv)
# Needs Debian's postgresql and redis-server (apt-get install postgresql redis-server).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d /tmp/yoriai-city-bench-XXXX)
as_pg=()
if [ "$(id -u)" = 0 ]; then chown postgres "$work"; as_pg=(runuser -u postgres --); fi
"${as_pg[@]}" "$pgbin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
  -o "-p 55432 -k $work -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
redis-server --port 56379 --save '' --daemonize yes --logfile "$work/redis.log"
cleanup() {
  [ -n "${serve:-}" ] && kill "$serve" 2>/dev/null && sleep 3
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" stop >/dev/null || true
  redis-cli -p 56379 shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"$pgbin/../bin/psql" -h 127.0.0.1 -p 55432 -U postgres -qc "create database yoriai"
export YORIAI_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:55432/yoriai
export YORIAI_CHANNELS_URL=redis://127.0.0.1:56379/0
export YORIAI_DATA_DIR="$work/data" YORIAI_PUBLIC_URL=http://127.0.0.1:58000
"$python" -m server.cli migrate >/dev/null
"$python" -m server.cli create-user --email bench@example.jp --password bench-password \
  --roles "facilitator coordinator" >/dev/null
"$python" -m server.cli serve --host 127.0.0.1 --port 58000 --workers 2 >"$work/serve.log" 2>&1 &
serve=$!
sleep 6
# uvicorn's supervisor starts the workers as its children: their CPU and memory are the server's.
mapfile -t workers < <(pgrep -P "$serve" -f "spawn_main")
"$python" bench/fanout.py --clients 2000 --boards 10 --url http://127.0.0.1:58000 --pid "${workers[@]}" "$@"
