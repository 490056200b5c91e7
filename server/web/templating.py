"""The one Jinja environment, shared by page responses and websocket fragments.

Templates mark their text with ``_()`` (Jinja's i18n extension, new-style gettext: ``%(name)s``
placeholders take keyword arguments and the result is autoescaped). The language is the
current request's or viewer's (``server.i18n``), looked up at each call.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from server import i18n
from server.boards.models import AFFILIATIONS, NOTE_KIND_LABELS, NOTE_MAX_LENGTH
from server.config import ROOT
from server.districts.data import district_label
from server.markdown import render_markdown
from server.programmes.service import get_programme
from server.timeutil import format_time_ja

TEMPLATES_DIR = ROOT / "templates"

#: Each kind of note has a shape as well as a colour, so it reads in black and white too.
NOTE_KIND_ICONS = {"concern": "▲", "want": "★", "offer": "●", "idea": "◆"}


def date_ja(value: date | datetime | None) -> str:
    """The day in the viewer's language: 2026年11月22日(日) / Sun 22 Nov 2026."""
    return i18n.format_day(value)


def fiscal_year_label(year: int, era: bool = False) -> str:
    """2026年度 / 令和8年度 / FY2026 / FY2026 (Reiwa 8)."""
    return i18n.fiscal_label(year, era=era)


def lang_url(request: Any, locale: str) -> str:
    """This page in another language (the switch in base.html)."""
    if request is None:
        return "/?lang=" + locale
    return i18n.switch_url(request.url.path, request.url.query or "", locale)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["date_ja"] = date_ja
    env.filters["time_ja"] = format_time_ja
    env.filters["markdown"] = render_markdown
    env.filters["district"] = district_label
    env.globals.update(
        NOTE_KINDS=NOTE_KIND_LABELS,
        NOTE_KIND_ICONS=NOTE_KIND_ICONS,
        AFFILIATIONS=AFFILIATIONS,
        NOTE_MAX_LENGTH=NOTE_MAX_LENGTH,
        get_programme=get_programme,
        current_locale=i18n.get_locale,
        lang_url=lang_url,
        fiscal_year_label=fiscal_year_label,
    )
    return env
