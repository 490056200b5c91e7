"""Facilitation programmes (進行プログラム): one Markdown file per meeting format in ``sessions/``.

Each file has YAML front matter (name, kind, phases with durations and an instruction for
participants) and a body that is the facilitator's guide.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from markupsafe import Markup

from server.config import ROOT
from server.i18n import get_locale
from server.markdown import render_markdown

PROGRAMMES_DIR = ROOT / "sessions"
#: Translations live beside the Japanese, one folder per language (sessions/en/<same name>.md),
#: with the same phases in the same order; a missing one falls back to Japanese.
TRANSLATED_DIRS = {"en": PROGRAMMES_DIR / "en"}


@dataclass(frozen=True)
class Phase:
    key: str
    name: str
    minutes: int
    instruction: str
    #: In a session with tables (島): "work" starts table work (テーブルワーク) with this phase,
    #: "plenary" brings the room together (全体共有); "" leaves the room as it is.
    tables: str = ""


@dataclass(frozen=True)
class Programme:
    slug: str
    name: str
    name_en: str
    kind: str
    summary: str
    phases: tuple[Phase, ...]
    guide_html: Markup

    @property
    def total_minutes(self) -> int:
        return sum(p.minutes for p in self.phases)


def _table_mode(slug: str, value: object) -> str:
    mode = str(value or "")
    if mode not in ("", "work", "plenary"):
        raise ValueError(f"sessions/{slug}.md: a phase's tables is work or plenary, not {mode!r}")
    return mode


def parse_programme(slug: str, text: str) -> Programme:
    _, front, body = text.split("---", 2)
    meta = yaml.safe_load(front)
    phases = tuple(
        Phase(
            str(p["key"]),
            str(p["name"]),
            int(p["minutes"]),
            str(p.get("instruction", "")),
            _table_mode(slug, p.get("tables", "")),
        )
        for p in meta["phases"]
    )
    return Programme(
        slug=slug,
        name=str(meta["name"]),
        name_en=str(meta.get("name_en", "")),
        kind=str(meta["kind"]),
        summary=str(meta.get("summary", "")),
        phases=phases,
        guide_html=render_markdown(body),
    )


@cache
def load_programmes(directory: Path = PROGRAMMES_DIR) -> dict[str, Programme]:
    """Every programme, by slug (the file name without ``.md``), read once per process."""
    return {
        path.stem: parse_programme(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.md"))
    }


def get_programme(slug: str, locale: str | None = None) -> Programme | None:
    """A programme in the reader's language (guide and phase labels), else in Japanese."""
    locale = locale or get_locale()
    if locale in TRANSLATED_DIRS and (translated := load_programmes(TRANSLATED_DIRS[locale]).get(slug)):
        return translated
    return load_programmes().get(slug)


def default_programme_for(kind: str) -> str:
    return next((p.slug for p in load_programmes().values() if p.kind == kind), "")
