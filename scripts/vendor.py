"""Install the front-end libraries from the npm registry and copy them into static/vendor/.

Versions are pinned by package.json and package-lock.json; the files are served by yoriai
itself, so a hall with no internet works. Runs ``npm ci`` only when something is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
# (package, file inside the package, name under static/vendor)
FILES = [
    ("htmx.org", "dist/htmx.min.js", "htmx.min.js"),
    ("htmx-ext-ws", "dist/ws.min.js", "ws.js"),
    # Drag and drop for grouping: works with mouse and touch, no dependencies.
    ("sortablejs", "Sortable.min.js", "Sortable.min.js"),
]
# Needed by the tests only (the accessibility check loads axe-core from node_modules): never
# copied into static/vendor, so it is never served to anyone.
TEST_ONLY = [("axe-core", "axe.min.js")]


def locked_versions() -> dict[str, str]:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    names = [name for name, *_ in FILES] + [name for name, _ in TEST_ONLY]
    return {name: lock["packages"][f"node_modules/{name}"]["version"] for name in names}


def main() -> int:
    stamp = VENDOR / "versions.json"
    wanted = locked_versions()
    if (
        stamp.exists()
        and json.loads(stamp.read_text()) == wanted
        and all((VENDOR / f).exists() for *_, f in FILES)
        and all((ROOT / "node_modules" / package / f).exists() for package, f in TEST_ONLY)
    ):
        return 0
    npm = shutil.which("npm")
    if npm is None:
        print(
            "npm が見つかりません。Node.js (npm) を入れてください / npm not found: install Node.js",
            file=sys.stderr,
        )
        return 1
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
    VENDOR.mkdir(parents=True, exist_ok=True)
    for package, source, target in FILES:
        shutil.copyfile(ROOT / "node_modules" / package / source, VENDOR / target)
    stamp.write_text(json.dumps(wanted))
    print(f"front-end libraries: {wanted}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
