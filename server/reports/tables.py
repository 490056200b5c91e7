"""Tables that coordinators take away: CSV for any tool, XLSX for Excel, both safe to open."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from server.timeutil import to_jst

Value = str | int | float | date | None  # a datetime is a date too: shown in Japan time

# The columns of the city's yearly progress table (町田市地域ホッとプラン 取組の進捗状況),
# with 地区 and プロジェクト added for the projects born from the roundtables.
PROGRESS_COLUMNS = ["通番", "地区", "担当", "プロジェクト", "取組の方向性/概要", "年度", "進捗評価"]
PROGRESS_MARKS = {"○": "実施", "△": "未実施・進捗遅れ"}  # the legend printed with that table

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_MAX = 31
MAX_COLUMN_WIDTH = 60  # in Excel's character units; longer text wraps instead
DATE_FORMAT = "yyyy/mm/dd"
DATETIME_FORMAT = "yyyy/mm/dd hh:mm"


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Value]]


def is_formula_like(text: str) -> bool:
    return text.startswith(_FORMULA_STARTS)


def display_width(text: str) -> int:
    """Width in half-width columns: kanji, kana and ○ △ count 2, as Japanese fonts draw them."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


# --- CSV -----------------------------------------------------------------------------------


def to_csv(table: Table) -> bytes:
    """UTF-8 with a BOM (or Excel in Japan reads Shift_JIS and shows mojibake), CRLF rows."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_cell(name) for name in table.columns])
    writer.writerows([_csv_cell(value) for value in row] for row in table.rows)
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_jst(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        # CSV has no cell types, so a leading apostrophe is the only way to say "this is text".
        return "'" + value if is_formula_like(value) else value
    return str(value)


# --- XLSX ----------------------------------------------------------------------------------


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table: bold frozen header, filters, fitted widths, typed dates and numbers."""
    if not tables:
        raise ValueError("an Excel workbook needs at least one table")
    book = Workbook()
    book.remove(book.worksheets[0])  # start empty: every sheet comes from a table
    taken: set[str] = set()  # casefolded, as Excel compares them
    for table in tables:
        title = sheet_title(table.title, taken)
        taken.add(title.casefold())
        _fill_sheet(book.create_sheet(title), table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_title(title: str, taken: Set[str] = frozenset()) -> str:
    """A title Excel accepts: no []:*?/\\, no edge apostrophes, 31 chars, unique ignoring case."""
    base = _SHEET_FORBIDDEN.sub("", " ".join(title.split())).strip("'").strip() or "Sheet"
    candidate, n = base[:SHEET_TITLE_MAX].rstrip("'"), 1
    # Excel compares sheet names case-insensitively and reserves "History".
    while candidate.casefold() in taken or candidate.casefold() == "history":
        n += 1
        suffix = f" ({n})"
        candidate = base[: SHEET_TITLE_MAX - len(suffix)].rstrip(" '") + suffix
    return candidate


_BOLD = Font(bold=True)
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)


def _fill_sheet(sheet: Worksheet, table: Table) -> None:
    widths: dict[int, int] = {}
    for col, name in enumerate(table.columns, start=1):
        cell = _cell(sheet, 1, col)
        widths[col] = _write(cell, name)
        cell.font = _BOLD
    for row_number, row in enumerate(table.rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = _cell(sheet, row_number, col)
            width = _write(cell, value)
            # Long or multi-line text wraps in a capped column rather than running off screen.
            cell.alignment = _WRAP if width > MAX_COLUMN_WIDTH or _has_lines(value) else _TOP
            widths[col] = max(widths.get(col, 0), width)
    for col, width in widths.items():
        sheet.column_dimensions[get_column_letter(col)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"  # the header stays in view while scrolling
    if widths:
        sheet.auto_filter.ref = f"A1:{get_column_letter(max(widths))}{len(table.rows) + 1}"


def _cell(sheet: Worksheet, row: int, column: int) -> SheetCell:
    cell = sheet.cell(row=row, column=column)
    assert isinstance(cell, SheetCell)  # for the type checker: only merged ranges hold MergedCell
    return cell


def _write(cell: SheetCell, value: Value) -> int:
    """Store one value with its Excel type; returns its width in half-width columns."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        # Excel has no time zones: write the wall-clock time in Japan, where meetings happen.
        cell.value = to_jst(value).replace(tzinfo=None)
        cell.number_format = DATETIME_FORMAT
        return len(DATETIME_FORMAT)
    if isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
        return len(DATE_FORMAT)
    if isinstance(value, str):
        return _write_text(cell, value)
    cell.value = value
    return len(str(value))


def _write_text(cell: SheetCell, value: str) -> int:
    text = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters make openpyxl refuse the file
    cell.value = text
    # Forced to a plain string: openpyxl would store "=..." as a formula and "#N/A" as an error.
    # XLSX cells are typed, so no apostrophe is needed as in CSV; quotePrefix marks the cell as
    # text the way Excel does when someone types '=1+1, so it stays text even after an edit.
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True
    return max(map(display_width, text.splitlines() or [""]))


def _has_lines(value: Value) -> bool:
    return isinstance(value, str) and ("\n" in value or "\r" in value)
