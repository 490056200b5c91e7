#!/usr/bin/env bash
# The Debian packages the tests need: a browser and CJK fonts for the browser tests, and
# PostgreSQL and Redis servers, which the tests start themselves on loopback ports
# (tests/engines.py; the packages' own services are not used).
# Installs them when it can (as root, or with sudo after saying so); otherwise stops and says
# exactly what to run. Set YORIAI_SKIP_SYSTEM_PACKAGES=1 to skip (those tests then skip on a
# developer machine and fail with CI=true).
set -euo pipefail
packages="chromium fonts-noto-cjk postgresql redis-server"

have_all() {
  command -v chromium >/dev/null 2>&1 \
    && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
    && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
    && command -v redis-server >/dev/null 2>&1
}

[ "${YORIAI_SKIP_SYSTEM_PACKAGES:-}" = "1" ] && exit 0
have_all && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "テストに必要なパッケージ / the tests need: ${packages} (Debian names; install your system's equivalents)" >&2
  exit 1
fi
if [ "$(id -u)" = "0" ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  echo "テストに必要なパッケージを sudo で入れます / installing with sudo: ${packages}" >&2
  sudo="sudo"
else
  echo "テストに必要なパッケージを入れてください / please install first:" >&2
  echo "  apt-get update && apt-get install -y ${packages}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq ${packages} >/dev/null
