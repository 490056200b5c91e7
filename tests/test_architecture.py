"""The order of the house (docs/architecture.md#the-order-of-capabilities), checked on every import
in server/: a module may import only what is below it, never what is above. No exceptions: what a
lower capability needs from a higher one is passed in (a hook), not imported.

Bottom to top:
1. the foundation (``FOUNDATION``, in that order): configuration, time, text, i18n, errors, formats;
2. the tables (every ``models.py``, and ``db.py`` that creates them): one shared layer;
3. the capabilities' services (``CAPABILITIES``, in that order), each a package under server/;
4. the web layer: ``server.web`` (who is asking, responses, templating…), then every capability's
   route modules (``routes.py``, ``*_routes.py``, ``api.py``) and ``live.py`` (rendering and
   publishing board changes to screens), in the capabilities' order, above every service;
5. the entry points (``TOP``): the app, the command line and what only they use.
"""

from __future__ import annotations

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parent.parent / "server"

FOUNDATION = [
    "server.config",
    "server.sqlite_driver",
    "server.timeutil",
    "server.textutil",
    "server.markdown",
    "server.netinfo",
    "server.reports.fiscal",
    "server.i18n",
    "server.errors",
    "server.districts.data",
    "server.reports.tables",
    "server.reports.charts",
]
CAPABILITIES = [
    "server.programmes",
    "server.suggest",
    "server.accounts",
    "server.boards",
    "server.meetings",
    "server.matching",
    "server.projects",
    "server.districts",
    "server.visions",
    "server.privacy",
    "server.reports",
]
TOP = [
    "server.scale",
    "server.backup",
    "server.migrate",
    "server.demo",
    "server.app",
    "server.cli",
    "server.__main__",
]

TABLES, SERVICES, WEB, ROUTES, ENTRY = 100, 200, 300, 400, 500


def is_route_module(module: str) -> bool:
    name = module.rsplit(".", 1)[-1]
    return name in ("routes", "api", "live") or name.endswith("_routes")


def rank(module: str) -> tuple[int, int]:
    """(layer, position in it): a module may import a module of a lower rank, or its own package."""
    if module == "server":
        return 0, -1  # the package itself: nothing in it
    if module in TOP:
        return ENTRY, TOP.index(module)
    if module == "server.web" or module.startswith("server.web."):
        return WEB, 0
    if module.endswith(".models"):
        return TABLES, 0
    if module == "server.db":
        return TABLES, 1  # creates every table
    for position, prefix in enumerate(FOUNDATION):
        if module == prefix or module.startswith(prefix + "."):
            return 0, position
    for position, prefix in enumerate(CAPABILITIES):
        if module == prefix or module.startswith(prefix + "."):
            # a capability's routes sit above every service, in the capabilities' order
            return (ROUTES if is_route_module(module) else SERVICES), position
    raise AssertionError(f"{module} has no place in the order: add it to tests/test_architecture.py")


def package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def modules() -> dict[str, Path]:
    found = {}
    for path in SERVER.rglob("*.py"):
        parts = path.relative_to(SERVER.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(module: str, path: Path, known: set[str]) -> set[str]:
    """Every server module this file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # from . import x, from ..boards import y
                here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                base = ".".join(here[: len(here) - node.level + 1] + ([base] if base else []))
            # ``from server.boards import service`` imports the module server.boards.service;
            # ``from server.boards.service import Actor``, server.boards.service.
            names = [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def allowed(source: str, target: str) -> bool:
    if package(target) == package(source) and rank(source)[0] == rank(target)[0]:
        return True  # within one package and one layer
    return rank(target) < rank(source)


def test_every_import_runs_down_the_order() -> None:
    known = modules()
    upward = [
        f"{source} imports {target}"
        for source, path in sorted(known.items())
        for target in sorted(imports(source, path, set(known)))
        if not allowed(source, target)
    ]
    assert upward == [], "imports that run back up the order:\n" + "\n".join(upward)


def test_no_service_imports_the_web_layer() -> None:
    known = modules()
    services = {m: p for m, p in known.items() if rank(m)[0] < WEB}
    offenders = [
        f"{source} imports {target}"
        for source, path in sorted(services.items())
        for target in sorted(imports(source, path, set(known)))
        if target == "server.web" or target.startswith("server.web.")
    ]
    assert offenders == [], "services must not know HTTP:\n" + "\n".join(offenders)


def test_every_module_has_a_place() -> None:
    for module in modules():
        rank(module)
