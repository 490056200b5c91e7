"""Charts drawn on the server as inline SVG: nothing to load, works offline and in print."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

from markupsafe import Markup

from server.i18n import N_, get_locale

BAR_COLOUR = "#0b5cad"  # dark blue: reads the same to every colour vision, 6.7:1 on white (WCAG AA needs 3:1 for graphics)
TEXT_COLOUR = "#1b1f24"
FONT_SIZE = 14
CAPTION_HEIGHT = 36
ROW_GAP = 8
MAX_LABEL_CHARS = 14
EMPTY_MESSAGE = N_("データがありません")

# Every fragment is a Markup template filled through .format(), which escapes each argument:
# labels are typed by residents, so nothing reaches the page unescaped by construction.
_SVG_OPEN = Markup(
    '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" aria-label="{title}"'
    ' width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
    ' font-size="{font}" fill="{text}">'  # sized by .report-chart in app.css (no inline style: CSP)
    "<title>{title}</title><desc>{desc}</desc>"
    '<text x="0" y="22" font-size="16" font-weight="bold">{title}</text>'
)
_ROW = Markup(
    "<g><title>{tooltip}</title>"
    '<text x="{label_x}" y="{middle}" dy="0.35em" text-anchor="end">{label}</text>'
    '<rect x="{bar_x}" y="{top}" width="{bar_width}" height="{bar_height}" fill="{colour}"/>'
    '<text x="{value_x}" y="{middle}" dy="0.35em">{value}</text></g>'
)
_AXIS = Markup('<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{text}" stroke-width="1"/>')
_EMPTY = Markup('<text x="0" y="{y}">{message}</text>')


def format_value(value: int | float, unit: str = "") -> str:
    """1,234件 / 12.5% : thousands separators, no trailing .0 on whole numbers.

    ``unit`` is a suffix, or a pattern with ``%(n)s`` (a translated "%(n)s people")."""
    if isinstance(value, int) or (math.isfinite(value) and value.is_integer()):
        number = f"{int(value):,}"
    else:
        number = f"{value:,.2f}".rstrip("0").rstrip(".")
    return unit % {"n": number} if "%(n)s" in unit else number + unit


def short_label(label: str) -> str:
    """One line, at most MAX_LABEL_CHARS characters; the full text goes in the tooltip."""
    label = " ".join(label.split())
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _text_px(text: str) -> float:
    # No font metrics on the server: kanji and kana take a full em, Latin and digits about 0.6.
    wide = sum(unicodedata.east_asian_width(ch) in "WFA" for ch in text)
    return (wide + 0.6 * (len(text) - wide)) * FONT_SIZE


def _bar_px(value: int | float, largest: float, room: float) -> float:
    # Zero, negative and non-finite values draw no bar; their number is still written.
    if largest <= 0 or not math.isfinite(value) or value <= 0:
        return 0.0
    return room * value / largest


def bar_chart_svg(
    title: str,
    labels: Sequence[str],
    values: Sequence[int | float],
    *,
    unit: str = "",
    width: int = 640,
    bar_height: int = 28,
) -> Markup:
    """A horizontal bar chart, one bar per label, the value written at the end of each bar."""
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels but {len(values)} values")
    if not labels:
        return _empty_chart(title, width)
    shown = [short_label(label) for label in labels]
    written = [format_value(value, unit) for value in values]
    label_room = min(max(map(_text_px, shown)) + 12, width / 2)
    value_room = max(map(_text_px, written)) + 12
    bar_room = max(width - label_room - value_room, 20.0)
    largest = max((v for v in values if math.isfinite(v)), default=0)
    pitch = bar_height + ROW_GAP
    height = CAPTION_HEIGHT + pitch * len(labels)
    rows = []
    for i, (label, text, value) in enumerate(zip(labels, written, values, strict=True)):
        top = CAPTION_HEIGHT + i * pitch
        bar = _bar_px(value, largest, bar_room)
        rows.append(
            _ROW.format(
                tooltip=f"{label}: {text}",
                label=shown[i],
                label_x=_n(label_room - 8),
                bar_x=_n(label_room),
                top=top,
                middle=_n(top + bar_height / 2),
                bar_width=_n(bar),
                bar_height=bar_height,
                colour=BAR_COLOUR,
                value_x=_n(label_room + bar + 6),
                value=text,
            )
        )
    axis = _AXIS.format(
        x=_n(label_room), top=CAPTION_HEIGHT - 4, bottom=height - ROW_GAP + 4, text=TEXT_COLOUR
    )
    desc = ("、" if get_locale() == "ja" else ", ").join(
        f"{label}: {text}" for label, text in zip(labels, written, strict=True)
    )
    return _open(title, desc, width, height) + Markup("").join(rows) + axis + Markup("</svg>")


def _empty_chart(title: str, width: int) -> Markup:
    height = CAPTION_HEIGHT + 24
    message = _EMPTY.format(y=CAPTION_HEIGHT + 8, message=str(EMPTY_MESSAGE))
    return _open(title, str(EMPTY_MESSAGE), width, height) + message + Markup("</svg>")


def _open(title: str, desc: str, width: int, height: int) -> Markup:
    return _SVG_OPEN.format(
        title=title, desc=desc, width=width, height=height, font=FONT_SIZE, text=TEXT_COLOUR
    )


def _n(value: float) -> str:
    # Short coordinates keep the page small: 123.4 rather than 123.42857142857143.
    return f"{value:.1f}".removesuffix(".0")
