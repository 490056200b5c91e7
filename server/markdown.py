"""Markdown to safe HTML: markdown-it-py with raw HTML off, then sanitised by nh3."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("js-default", {"linkify": True, "html": False})


def render_markdown(source: str) -> Markup:
    html = _md.render(source)
    clean = nh3.clean(html, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)
