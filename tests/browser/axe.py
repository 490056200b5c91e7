"""axe-core (committed in tests/browser/vendor/, never served) run inside a page under test."""

from __future__ import annotations

from functools import cache
from typing import Any

from tests.live_server import ROOT

AXE = ROOT / "tests" / "browser" / "vendor" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
# Structure a screen-reader user navigates by: kept clean at any impact (axe files most as moderate).
STRUCTURE = {"region", "landmark-one-main", "page-has-heading-one", "heading-order", "landmark-unique"}


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")  # committed: its absence is a broken checkout, not a skip


def run_axe(page: Any, tags: list[str] = WCAG_AA) -> list[dict[str, Any]]:
    """axe's WCAG 2.1 A/AA violations on the page as it is now.

    The script goes in through the DevTools protocol (page.evaluate), which the page's own
    Content-Security-Policy does not govern: the page under test keeps its real policy."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(f"() => {{ {axe_source()}\n}}")
    result: dict[str, Any] = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        tags,
    )
    return list(result["violations"])


def describe(where: str, violations: list[dict[str, Any]]) -> list[str]:
    """One readable paragraph per violation: the page, the rule, and the first elements hit."""
    lines = []
    for v in violations:
        nodes = v["nodes"]
        shown = "\n".join(
            f"      {' '.join(n['target'])}: {n.get('failureSummary', '').replace(chr(10), ' ')}"
            for n in nodes[:4]
        )
        more = f"\n      … and {len(nodes) - 4} more" if len(nodes) > 4 else ""
        lines.append(
            f"[{v['impact']}] {where}: {v['id']} – {v['help']} ({len(nodes)} elements)\n{shown}{more}"
        )
    return lines
