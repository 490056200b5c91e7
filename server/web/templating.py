"""The one Jinja environment, shared by page responses and websocket fragments."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from jinja2 import Environment, FileSystemLoader, select_autoescape

from server.boards.models import AFFILIATIONS, NOTE_KIND_LABELS, NOTE_MAX_LENGTH
from server.config import ROOT
from server.markdown import render_markdown
from server.programmes.service import get_programme
from server.timeutil import WEEKDAYS_JA, format_time_ja

TEMPLATES_DIR = ROOT / "templates"

#: Each kind of note has a shape as well as a colour, so it reads in black and white too.
NOTE_KIND_ICONS = {"concern": "▲", "want": "★", "offer": "●", "idea": "◆"}


def date_ja(value: date | datetime | None) -> str:
    """2026年11月22日(日)"""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日({WEEKDAYS_JA[value.weekday()]})"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date_ja"] = date_ja
    env.filters["time_ja"] = format_time_ja
    env.filters["markdown"] = render_markdown
    env.globals.update(
        NOTE_KINDS=NOTE_KIND_LABELS,
        NOTE_KIND_ICONS=NOTE_KIND_ICONS,
        AFFILIATIONS=AFFILIATIONS,
        NOTE_MAX_LENGTH=NOTE_MAX_LENGTH,
        get_programme=get_programme,
    )
    return env
