"""Maintainers only: update the committed front-end files from the npm registry.

The files phones and screens load (htmx, its websocket extension, SortableJS) are committed in
static/vendor/ with their licences, so running yoriai needs Python alone, and a hall with no
internet works. The accessibility test's axe-core is committed in tests/browser/vendor/ (never
served). To move to newer versions: change package.json, then

    python scripts/vendor.py          # npm install, copy the files and licences, record versions

review the diff (static/vendor/versions.json says what changed), run ./test.sh, commit.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
TEST_VENDOR = ROOT / "tests" / "browser" / "vendor"
# (package, file inside the package, name under static/vendor)
FILES = [
    ("htmx.org", "dist/htmx.min.js", "htmx.min.js"),
    ("htmx-ext-ws", "dist/ws.min.js", "ws.js"),
    # Drag and drop for grouping: works with mouse and touch, no dependencies.
    ("sortablejs", "Sortable.min.js", "Sortable.min.js"),
]
# Needed by the tests only (the accessibility check runs axe-core inside the page under test):
# never copied into static/vendor, so it is never served to anyone.
TEST_ONLY = [("axe-core", "axe.min.js")]


def installed_versions() -> dict[str, str]:
    names = [name for name, *_ in FILES] + [name for name, _ in TEST_ONLY]
    return {
        name: json.loads((ROOT / "node_modules" / name / "package.json").read_text())["version"]
        for name in names
    }


def main() -> int:
    npm = shutil.which("npm")
    if npm is None:
        print(
            "npm not found: updating the vendored files needs Node.js (running yoriai does not)",
            file=sys.stderr,
        )
        return 1
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
    (VENDOR / "licenses").mkdir(parents=True, exist_ok=True)
    TEST_VENDOR.mkdir(parents=True, exist_ok=True)
    for package, source, target in FILES:
        shutil.copyfile(ROOT / "node_modules" / package / source, VENDOR / target)
        shutil.copyfile(ROOT / "node_modules" / package / "LICENSE", VENDOR / "licenses" / f"{package}.txt")
    for package, source in TEST_ONLY:
        shutil.copyfile(ROOT / "node_modules" / package / source, TEST_VENDOR / source)
        shutil.copyfile(ROOT / "node_modules" / package / "LICENSE", TEST_VENDOR / f"{package}-LICENSE.txt")
    versions = installed_versions()
    (VENDOR / "versions.json").write_text(json.dumps(versions, indent=2) + "\n")
    print(f"front-end libraries: {versions}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
