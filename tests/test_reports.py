"""What a coordinator sees in reports: 年度, charts, and the CSV/Excel files they take away."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import openpyxl
import pytest
from markupsafe import Markup
from openpyxl.worksheet.worksheet import Worksheet

from server.reports.charts import EMPTY_MESSAGE, bar_chart_svg
from server.reports.fiscal import (
    current_fiscal_year,
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_range,
)
from server.reports.tables import PROGRESS_COLUMNS, Table, display_width, sheet_title, to_csv, to_xlsx

LONG_TEXT = (
    "地域への関心や愛着を持ってもらうため、対象者に合わせた広報媒体を用い、訴求効果の高い情報を発信していきます。"
    "また、地域活動に関する情報等、身近な地域情報を発信し、在住者向けのシティプロモーションを実施します。"
)


def progress_table(title: str = "2026年度 進捗") -> Table:
    return Table(
        title,
        PROGRESS_COLUMNS,
        [
            [1, "鶴川", "市民協働推進課", "まちカフェ!", LONG_TEXT, date(2026, 4, 1), "○"],
            [2, "忠生", "住宅課", "=1+1", "空き家の活用", date(2027, 3, 31), "△"],
            [3, None, "-", "@SUM(A1)", "一行目\n二行目", 2026, 2.5],
        ],
    )


# --- fiscal year ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 3, 31), 2025),
        (date(2026, 4, 1), 2026),
        (date(2027, 3, 31), 2026),
        (date(2027, 1, 1), 2026),
        (date(2026, 12, 31), 2026),
        (date(2024, 2, 29), 2023),  # leap day still belongs to the year that began the April before
    ],
)
def test_fiscal_year_turns_on_april_first(day: date, year: int) -> None:
    assert fiscal_year_of(day) == year


def test_fiscal_year_range_is_inclusive_and_knows_leap_years() -> None:
    assert fiscal_year_range(2026) == (date(2026, 4, 1), date(2027, 3, 31))
    start, end = fiscal_year_range(2023)  # ends in February 2024, a leap year
    assert (end - start).days + 1 == 366
    assert fiscal_year_of(start) == fiscal_year_of(end) == 2023


@pytest.mark.parametrize(
    ("year", "label"),
    [
        (2019, "令和元年度"),
        (2020, "令和2年度"),
        (2026, "令和8年度"),
        (2018, "平成30年度"),
        (1989, "平成元年度"),
    ],
)
def test_era_labels(year: int, label: str) -> None:
    assert fiscal_year_label(year, era=True) == label


def test_plain_label_and_too_early_era() -> None:
    assert fiscal_year_label(2026) == "2026年度"
    with pytest.raises(ValueError):
        fiscal_year_label(1900, era=True)


def test_current_fiscal_year() -> None:
    assert current_fiscal_year(date(2026, 3, 31)) == 2025
    assert current_fiscal_year(date(2026, 4, 1)) == 2026
    # Without an argument it is today's 年度 in Japan: one of the two years around today.
    assert current_fiscal_year() in {fiscal_year_of(date.today()), fiscal_year_of(datetime.now(UTC).date())}


# --- charts ---------------------------------------------------------------------------------


def test_chart_shows_every_label_and_value() -> None:
    svg = bar_chart_svg("地区別の付箋", ["鶴川", "忠生", "南"], [12, 1234, 0], unit="枚")
    assert isinstance(svg, Markup)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and 'aria-label="地区別の付箋"' in svg
    assert "<title>地区別の付箋</title>" in svg
    assert ">地区別の付箋</text>" in svg  # a visible caption, not only the tooltip
    for label, value in [("鶴川", "12枚"), ("忠生", "1,234枚"), ("南", "0枚")]:
        assert f">{label}</text>" in svg
        assert f">{value}</text>" in svg
    assert svg.count("<rect") == 3
    assert 'fill="#0b5cad"' in svg


def test_chart_bars_follow_the_values() -> None:
    svg = bar_chart_svg("t", ["a", "b", "c"], [10, 5, 0])
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert widths[2] == 0


def test_chart_escapes_what_residents_type() -> None:
    svg = bar_chart_svg('<b>"地区"</b>', ["<script>alert(1)</script>", "A & B"], [1, 2], unit="<i>")
    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "&lt;script&gt;" in svg
    assert "A &amp; B" in svg
    assert 'aria-label="&lt;b&gt;&#34;地区&#34;&lt;/b&gt;"' in svg


def test_chart_truncates_long_labels_but_keeps_them_in_the_tooltip() -> None:
    label = "町田市社会福祉協議会と地域活動サポートオフィス"
    svg = bar_chart_svg("担当別", [label], [3])
    assert ">町田市社会福祉協議会と地域…</text>" in svg
    assert f"<title>{label}: 3</title>" in svg


def test_chart_without_data_says_so() -> None:
    svg = bar_chart_svg("参加者数", [], [])
    assert str(EMPTY_MESSAGE) in svg and "データがありません" in svg
    assert "<rect" not in svg
    assert 'aria-label="参加者数"' in svg


def test_chart_all_zero_and_mismatched_input() -> None:
    svg = bar_chart_svg("t", ["a", "b"], [0, 0.0])
    assert svg.count(">0</text>") == 2
    with pytest.raises(ValueError):
        bar_chart_svg("t", ["a"], [1, 2])


# --- CSV ------------------------------------------------------------------------------------


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_opens_in_japanese_excel() -> None:
    data = to_csv(progress_table())
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM
    assert data.count(b"\r\n") >= 4
    assert data.replace(b"\r\n", b"").count(b"\n") == 1  # only the line break inside a cell
    rows = read_csv(data)
    assert rows[0] == PROGRESS_COLUMNS
    assert rows[1] == ["1", "鶴川", "市民協働推進課", "まちカフェ!", LONG_TEXT, "2026-04-01", "○"]
    assert rows[2][5] == "2027-03-31"
    assert rows[3][1] == ""  # None
    assert rows[3][4] == "一行目\n二行目"  # quoted, so the line break stays in its cell


def test_csv_guards_against_formula_injection() -> None:
    rows = read_csv(to_csv(progress_table()))
    assert rows[2][3] == "'=1+1"
    assert rows[3][2] == "'-"
    assert rows[3][3] == "'@SUM(A1)"
    table = Table("t", ["a", "b"], [["+81 42", "\tx"], ["\r=cmd", "ok=fine"]])
    rows = read_csv(to_csv(table))
    assert rows[1] == ["'+81 42", "'\tx"]
    assert rows[2] == ["'\r=cmd", "ok=fine"]
    assert read_csv(to_csv(Table("t", ["n"], [[-5]])))[1] == ["-5"]  # real numbers stay numbers


# --- XLSX -----------------------------------------------------------------------------------


def open_xlsx(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def first_sheet(data: bytes) -> Worksheet:
    sheet = open_xlsx(data).worksheets[0]
    assert isinstance(sheet, Worksheet)
    return sheet


def test_xlsx_reads_back_cell_by_cell() -> None:
    sheet = first_sheet(to_xlsx([progress_table()]))
    assert sheet.title == "2026年度 進捗"
    assert [c.value for c in sheet[1]] == PROGRESS_COLUMNS
    assert all(c.font.bold for c in sheet[1])
    assert not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 4

    # Numbers are numbers, dates are dates shown yyyy/mm/dd, text is text.
    assert sheet["A2"].value == 1 and sheet["A2"].data_type == "n"
    assert sheet["G4"].value == 2.5 and sheet["G4"].data_type == "n"
    assert sheet["F2"].is_date and sheet["F2"].value.date() == date(2026, 4, 1)
    assert sheet["F2"].number_format == "yyyy/mm/dd"
    assert sheet["F3"].value.date() == date(2027, 3, 31)
    assert sheet["B2"].value == "鶴川" and sheet["G2"].value == "○"
    assert sheet["E2"].value == LONG_TEXT
    assert sheet["B4"].value is None


def test_xlsx_formulas_stay_text() -> None:
    sheet = first_sheet(to_xlsx([progress_table()]))
    for ref, text in [("D3", "=1+1"), ("C4", "-"), ("D4", "@SUM(A1)")]:
        cell = sheet[ref]
        assert cell.data_type == "s", ref  # "f" would be a formula Excel runs
        assert cell.value in {text, "'" + text}
    assert sheet["D3"].quotePrefix  # Excel shows it as text typed with a leading '


def test_xlsx_layout_fits_the_content() -> None:
    sheet = first_sheet(to_xlsx([progress_table()]))
    widths = {key: dim.width for key, dim in sheet.column_dimensions.items()}
    assert widths["A"] >= display_width("通番")
    assert widths["C"] >= display_width("市民協働推進課") == 14  # full-width characters count 2
    assert widths["E"] <= 60  # the long text wraps instead of making a huge column
    assert sheet["E2"].alignment.wrap_text
    assert sheet["E4"].alignment.wrap_text  # a line break in the cell
    assert not sheet["B2"].alignment.wrap_text


def test_xlsx_writes_one_safely_named_sheet_per_table() -> None:
    tables = [
        progress_table("鶴川 [2026] a/b: c*d?e\\f"),
        progress_table("とても長いプロジェクト名" * 5),
        progress_table("鶴川 [2026] a/b: c*d?e\\f"),
        Table("空", ["地区"], []),
    ]
    book = open_xlsx(to_xlsx(tables))
    assert len(book.sheetnames) == 4
    assert book.sheetnames[0] == "鶴川 2026 ab cdef"
    assert book.sheetnames[2] == "鶴川 2026 ab cdef (2)"
    assert len(book.sheetnames[1]) == 31
    for name in book.sheetnames:
        assert not set(name) & set("[]:*?/\\")
    assert [c.value for c in book["空"][1]] == ["地区"]


def test_xlsx_datetimes_in_japan_time_and_control_characters_dropped() -> None:
    table = Table("t", ["日時", "メモ"], [[datetime(2026, 3, 31, 15, 30, tzinfo=UTC), "bell\x07here"]])
    sheet = first_sheet(to_xlsx([table]))
    assert sheet["A2"].value == datetime(2026, 4, 1, 0, 30)  # already April 1 in Machida
    assert sheet["B2"].value == "bellhere"
    assert to_csv(table).decode("utf-8-sig").splitlines()[1] == "2026-04-01 00:30,bell\x07here"


def test_sheet_titles_and_empty_workbook() -> None:
    assert sheet_title("") == "Sheet"
    assert sheet_title("'引用'") == "引用"
    assert sheet_title("history") == "history (2)"  # Excel reserves the name
    assert sheet_title("A", {"a"}) == "A (2)"
    with pytest.raises(ValueError):
        to_xlsx([])
