#!/usr/bin/env bash
# Prepare everything yoriai needs in this folder: a virtual environment with the Python
# packages (from PyPI). The front-end libraries are committed in static/vendor/ (Python alone
# runs yoriai; scripts/vendor.py updates them). Idempotent and quick when nothing changed. Usage: scripts/bootstrap.sh [extra]   (e.g. "test")
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
python="${PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Python 3.11 以上が必要です / yoriai needs Python 3.11 or newer ($python)" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv

# Reinstall only when pyproject.toml (or the wanted extra) changed.
stamp=".venv/.yoriai-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1) ${extra}"
if [ ! -f "$stamp" ] || ! grep -qxF "$want" "$stamp"; then
  spec="."
  [ -n "$extra" ] && spec=".[${extra}]"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
  echo "$want" >> "$stamp"
fi
