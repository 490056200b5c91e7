"""Excel both ways: the yearly review as a workbook to edit, read back safely, previewed, applied.

The coordinator downloads the review workbook (or the city's progress table), edits 状態,
進捗評価 (○/△) and コメント in Excel or LibreOffice, and uploads it. Nothing is applied from the
upload itself: :func:`read_workbook` reads values only, :func:`plan_upload` compares them with
yoriai's and returns every change row by row and every row it refuses with the reason, and only
:func:`apply_plan` (after the coordinator confirmed) writes, checking again that nothing moved.

An upload never loses a value that was not in the file: a missing column, a missing row or an
empty cell leaves yoriai's value as it is (clearing an evaluation is done on the review screen).

Files are untrusted: the zip is checked before openpyxl opens it (size, number of parts,
uncompressed size: a zip bomb is refused unread), the sheet is read in openpyxl's streaming mode
up to a fixed number of rows and columns, and a formula is never evaluated: its cell is refused.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor, require_staff
from server.errors import ErrorKind, UserError
from server.i18n import N_, Text
from server.projects import history
from server.projects.models import (
    MARK_SYMBOLS,
    PROJECT_STATUS_LABELS,
    ChangeField,
    ChangeSource,
    Evaluation,
    Mark,
    Project,
)
from server.reports.tables import PROGRESS_COLUMNS, Table, to_xlsx
from server.textutil import clean_text
from server.timeutil import utcnow

# --- limits for untrusted files -------------------------------------------------------------

MAX_FILE_BYTES = 2 * 1024 * 1024  # a district's table is a few dozen KB; the city's, a few hundred
MAX_UNPACKED_BYTES = 20 * 1024 * 1024  # all parts of the zip together, as declared (and enforced) by it
MAX_PARTS = 300  # files inside the zip; Excel writes about 10, LibreOffice about 15
MAX_ROWS = 2000  # rows with something in them, under the heading
# Rows read at all, empty ones included: openpyxl fills the gaps before a far-away row (and up to a
# declared dimension) with empty rows, so one cell at row 1,000,000 would cost a million of them.
MAX_SCAN_ROWS = 10000
MAX_COLUMNS = 30
MAX_SHEETS = 20
HEADER_SEARCH_ROWS = 10  # the heading may sit under a title line someone added
COMMENT_MAX = 500

# The review workbook: the city's columns, with ID (to find the project again), 状態 and コメント.
ID_COLUMN = "ID"
STATUS_COLUMN = "状態"
MARK_COLUMN = "進捗評価"
COMMENT_COLUMN = "コメント"
YEAR_COLUMN = "年度"
TITLE_COLUMN = "プロジェクト"
REVIEW_COLUMNS = [ID_COLUMN, *PROGRESS_COLUMNS[:6], STATUS_COLUMN, MARK_COLUMN, COMMENT_COLUMN]
EDITABLE = (STATUS_COLUMN, MARK_COLUMN, COMMENT_COLUMN)

# What a person may type for an evaluation: the symbols, their look-alikes, and the words.
_MARK_WORDS: dict[str, str] = {
    "○": Mark.DONE,
    "〇": Mark.DONE,  # the kanji zero, which Japanese IMEs offer for まる
    "◯": Mark.DONE,
    "o": Mark.DONE,
    "実施": Mark.DONE,
    "done": Mark.DONE,
    "△": Mark.DELAYED,
    "▲": Mark.DELAYED,
    "未実施": Mark.DELAYED,
    "進捗遅れ": Mark.DELAYED,
    "未実施・進捗遅れ": Mark.DELAYED,
    "delayed": Mark.DELAYED,
}
_ERA_YEARS = {"令和": 2018, "平成": 1988}
_YEAR_RE = re.compile(r"^(?:FY)?(\d{4})(?:年度?)?$", re.IGNORECASE)
_ERA_RE = re.compile(r"^(令和|平成)(\d{1,2}|元)年度?$")


def _status_words() -> dict[str, str]:
    words = {str(key): str(key) for key in PROJECT_STATUS_LABELS}
    # The Japanese labels are what the workbook holds; compared after NFKC and casefold.
    words.update({label.msgid: str(key) for key, label in PROJECT_STATUS_LABELS.items()})
    return words


def _norm(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


# --- writing ------------------------------------------------------------------------------------


@dataclass
class ReviewLine:
    """One project as the review workbook shows it."""

    project: Project
    districts: list[str]
    evaluation: Evaluation | None


def review_workbook(lines: list[ReviewLine], year: int, year_label: str) -> bytes:
    """The workbook to edit: the review sheet (drop-down lists for 状態 and 進捗評価) and a sheet that
    says which columns are read back. Always in Japanese, like the city's table."""
    rows: list[list[Any]] = []
    for number, line in enumerate(lines, start=1):
        project, evaluation = line.project, line.evaluation
        rows.append(
            [
                project.id,
                number,
                "・".join(line.districts) or "市全域",
                project.owner,
                project.title,
                project.description,
                year_label,
                PROJECT_STATUS_LABELS[project.status].msgid,
                MARK_SYMBOLS[evaluation.mark] if evaluation else "",
                evaluation.comment if evaluation else "",
            ]
        )
    guide = Table(
        "説明",
        ["この表の使い方"],
        [
            ["「状態」「進捗評価」「コメント」の列を書き換えて、yoriai の「年度の評価」から読み込めます。"],
            ["読み込む前に、変わる行がすべて表示されます。確かめてから反映してください。"],
            [
                "進捗評価は ○（実施）か △（未実施・進捗遅れ）。状態は 構想・準備中・実施中・完了・休止 のどれか。"
            ],
            ["空欄は「変えない」という意味です。評価を消すときは yoriai の画面で消してください。"],
            ["ID の列は消したり書き換えたりしないでください（プロジェクトを見分けるのに使います）。"],
            ["プロジェクト名・説明・担当・地区はここでは変わりません（yoriai の画面で編集してください）。"],
            [f"年度：{year_label}（{year}）"],
        ],
    )
    data = to_xlsx([Table(f"年度の評価 {year_label}", list(REVIEW_COLUMNS), rows), guide])
    # Drop-down lists, as a coordinator would add them by hand (Excel and LibreOffice keep them).
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    last = max(len(rows) + 1, 2)
    status_col = _letter(REVIEW_COLUMNS.index(STATUS_COLUMN))
    mark_col = _letter(REVIEW_COLUMNS.index(MARK_COLUMN))
    statuses = ",".join(label.msgid for label in PROJECT_STATUS_LABELS.values())
    for formula, column in ((f'"{statuses}"', status_col), ('"○,△"', mark_col)):
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.add(f"{column}2:{column}{last}")
        sheet.add_data_validation(validation)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _letter(index: int) -> str:
    return get_column_letter(index + 1)


# --- reading --------------------------------------------------------------------------------------


@dataclass
class SheetRow:
    """What one row of an uploaded sheet says; ``None``: not in the file (no column or empty cell)."""

    row: int
    project_id: int | None = None
    title: str = ""
    fiscal_year: int | None = None
    status: str | None = None
    mark: str | None = None
    comment: str | None = None


@dataclass
class Refusal:
    row: int
    title: str
    reason: Text


@dataclass
class ReadSheet:
    rows: list[SheetRow]
    refusals: list[Refusal]
    columns: list[str]  # the editable columns the file has


def _refuse_file(message: Text) -> UserError:
    return UserError(message, ErrorKind.INVALID)


def check_container(data: bytes) -> None:
    """Refuse, before any XML is parsed, what is not a reasonable .xlsx."""
    if not data:
        raise _refuse_file(N_("ファイルが空です。Excel のファイル（.xlsx）を選んでください。"))
    if len(data) > MAX_FILE_BYTES:
        raise _refuse_file(N_("ファイルが大きすぎます（2 MB まで）。"))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _refuse_file(
            N_(
                "古い形式（.xls）か、パスワードのかかったファイルは読めません。"
                "パスワードを外し、「Excel ブック（.xlsx）」として保存してください。"
            )
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                raise _refuse_file(
                    N_("ファイルの中身が多すぎます。yoriai から書き出した表を使ってください。")
                )
            # Each part is read at most up to its declared size (zipfile stops there and checks
            # the CRC), so the declared sizes bound what unpacking can produce.
            if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
                raise _refuse_file(
                    N_("ファイルの中身が大きすぎます。yoriai から書き出した表を使ってください。")
                )
            names = {p.filename for p in parts}
    except zipfile.BadZipFile:
        raise _refuse_file(N_("Excel のファイル（.xlsx）として読めませんでした。")) from None
    if "xl/workbook.xml" not in names:
        raise _refuse_file(N_("Excel のファイル（.xlsx）として読めませんでした。"))


def read_workbook(data: bytes) -> ReadSheet:
    """The rows of the first sheet that has a heading yoriai knows (ID or プロジェクト); values only."""
    check_container(data)
    try:
        # read_only: streamed, row by row; data_only=False: a formula stays a formula (refused
        # below), never its cached result nor an evaluation. Links and macros are not loaded.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean "cannot read"
        raise _refuse_file(N_("Excel のファイル（.xlsx）として読めませんでした。")) from None
    try:
        for sheet in book.worksheets[:MAX_SHEETS]:
            found = _read_sheet(sheet)
            if found is not None:
                return found
    except UserError:
        raise
    except Exception:
        raise _refuse_file(N_("Excel のファイル（.xlsx）として読めませんでした。")) from None
    finally:
        book.close()
    raise _refuse_file(
        N_(
            "見出しの行（「ID」か「プロジェクト」の列）が見つかりませんでした。"
            "yoriai から書き出した表を使ってください。"
        )
    )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _read_sheet(sheet: Any) -> ReadSheet | None:
    header: dict[str, int] | None = None
    rows: list[SheetRow] = []
    refusals: list[Refusal] = []
    scanned = sheet.iter_rows(max_col=MAX_COLUMNS, max_row=MAX_SCAN_ROWS + 1)
    for number, cells in enumerate(scanned, start=1):
        if number > MAX_SCAN_ROWS:
            raise _refuse_file(N_("行が多すぎます（%(max)s行まで）。", max=MAX_ROWS))
        if header is None:
            if number > HEADER_SEARCH_ROWS:
                return None
            names = [_norm(_cell_text(c.value)) for c in cells]
            if _norm(TITLE_COLUMN) in names or _norm(ID_COLUMN) in names:
                header = {}
                for index, name in enumerate(names):
                    for known in (ID_COLUMN, TITLE_COLUMN, YEAR_COLUMN, *EDITABLE):
                        if name == _norm(known) and known not in header:
                            header[known] = index
            continue
        values = {name: cells[index] if index < len(cells) else None for name, index in header.items()}
        if all(c is None or c.value is None or _cell_text(c.value).strip() == "" for c in cells):
            continue
        if len(rows) + len(refusals) >= MAX_ROWS:
            raise _refuse_file(N_("行が多すぎます（%(max)s行まで）。", max=MAX_ROWS))
        row, problem = _read_row(number, values)
        if problem is not None:
            refusals.append(problem)
        else:
            rows.append(row)
    if header is None:
        return None
    columns = [name for name in EDITABLE if name in header]
    if not columns:
        raise _refuse_file(N_("読み込める列（状態・進捗評価・コメント）がありません。"))
    return ReadSheet(rows, refusals, columns)


def _read_row(number: int, cells: dict[str, Any]) -> tuple[SheetRow, Refusal | None]:
    row = SheetRow(row=number)
    title_cell = cells.get(TITLE_COLUMN)
    row.title = clean_text(_cell_text(title_cell.value if title_cell is not None else None), single_line=True)

    def refuse(reason: Text) -> tuple[SheetRow, Refusal]:
        return row, Refusal(number, row.title, reason)

    for name, cell in cells.items():
        if cell is not None and getattr(cell, "data_type", "") == "f":
            return refuse(
                N_(
                    "「%(column)s」の列に数式があります。数式は読み込みません。値を入れてください。",
                    column=name,
                )
            )
    raw: dict[str, str] = {
        name: _cell_text(cell.value).strip() for name, cell in cells.items() if cell is not None
    }
    if raw.get(ID_COLUMN):
        if not raw[ID_COLUMN].isdigit() or len(raw[ID_COLUMN]) > 9:
            return refuse(N_("ID「%(value)s」は数字ではありません。", value=raw[ID_COLUMN][:20]))
        row.project_id = int(raw[ID_COLUMN])
    elif not row.title:
        return refuse(N_("ID もプロジェクト名もない行です。"))
    if raw.get(YEAR_COLUMN):
        year = parse_fiscal_year(raw[YEAR_COLUMN])
        if year is None:
            return refuse(
                N_(
                    "年度「%(value)s」は読めません。2026年度 や 令和8年度 の形で入れてください。",
                    value=raw[YEAR_COLUMN][:20],
                )
            )
        row.fiscal_year = year
    if raw.get(STATUS_COLUMN):
        status = _status_words().get(_norm(raw[STATUS_COLUMN]))
        if status is None:
            return refuse(
                N_(
                    "状態「%(value)s」は読めません。構想・準備中・実施中・完了・休止のどれかを入れてください。",
                    value=raw[STATUS_COLUMN][:20],
                )
            )
        row.status = status
    if raw.get(MARK_COLUMN):
        mark = _MARK_WORDS.get(_norm(raw[MARK_COLUMN]))
        if mark is None:
            return refuse(
                N_(
                    "進捗評価「%(value)s」は読めません。○ か △ を入れてください。",
                    value=raw[MARK_COLUMN][:20],
                )
            )
        row.mark = mark
    if raw.get(COMMENT_COLUMN):
        comment = clean_text(raw[COMMENT_COLUMN])
        if len(comment) > COMMENT_MAX:
            return refuse(N_("コメントは500文字までです（%(n)s文字あります）。", n=len(comment)))
        row.comment = comment
    return row, None


def parse_fiscal_year(text: str) -> int | None:
    """2026, "2026年度", "FY2026", "令和8年度", "令和元年度" → the 年度; anything else → None."""
    value = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    found = _YEAR_RE.match(value)
    if found:
        year = int(found.group(1))
    else:
        era = _ERA_RE.match(value)
        if not era:
            return None
        number = 1 if era.group(2) == "元" else int(era.group(2))
        year = _ERA_YEARS[era.group(1)] + number
    return year if 2000 <= year <= 2100 else None


# --- the preview ----------------------------------------------------------------------------------


@dataclass
class RowChange:
    """What applying one row would change: (yoriai's value, the file's value) per field."""

    row: int
    project_id: int
    title: str
    fiscal_year: int
    status: tuple[str, str] | None = None
    mark: tuple[str, str] | None = None
    comment: tuple[str, str] | None = None


@dataclass
class Plan:
    changes: list[RowChange] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    unchanged: int = 0
    columns: list[str] = field(default_factory=list)


def _require_staff(actor: Actor) -> None:
    """Staff only (the coordinators' routes are guarded for the role)."""
    require_staff(actor, N_("コーディネーターのアカウントでサインインしてください。"))


async def plan_upload(db: AsyncSession, actor: Actor, sheet: ReadSheet, default_year: int) -> Plan:
    """Compare the file with yoriai, row by row; nothing is written. Three queries, whatever the rows."""
    _require_staff(actor)
    plan = Plan(refusals=list(sheet.refusals), columns=sheet.columns)
    ids = {r.project_id for r in sheet.rows if r.project_id is not None}
    titles = {r.title for r in sheet.rows if r.project_id is None}
    by_id: dict[int, Project] = {}
    by_title: dict[str, list[Project]] = {}
    if ids:
        found = (await db.exec(select(Project).where(col(Project.id).in_(ids)))).all()
        by_id = {p.id or 0: p for p in found}
    if titles:
        for named in (await db.exec(select(Project).where(col(Project.title).in_(titles)))).all():
            by_title.setdefault(named.title, []).append(named)
    matched: list[tuple[SheetRow, Project, int]] = []
    seen: dict[tuple[int, int], int] = {}
    for row in sheet.rows:
        project, problem = _match(row, by_id, by_title)
        year = row.fiscal_year or default_year
        if project is None:
            plan.refusals.append(
                Refusal(row.row, row.title, problem or N_("プロジェクトが見つかりませんでした。"))
            )
            continue
        key = (project.id or 0, year)
        if key in seen:
            plan.refusals.append(
                Refusal(
                    row.row,
                    row.title,
                    N_("同じプロジェクトと年度の行が%(row)s行目にもあります。", row=seen[key]),
                )
            )
            continue
        seen[key] = row.row
        matched.append((row, project, year))
    evaluations = await _evaluations(db, {(p.id or 0, y) for _, p, y in matched})
    for row, project, year in matched:
        evaluation = evaluations.get((project.id or 0, year))
        change = RowChange(row.row, project.id or 0, project.title, year)
        if row.status is not None and row.status != project.status:
            change.status = (project.status, row.status)
        current_mark = evaluation.mark if evaluation else ""
        current_comment = evaluation.comment if evaluation else ""
        if row.mark is not None and row.mark != current_mark:
            change.mark = (current_mark, row.mark)
        if row.comment is not None and row.comment != current_comment:
            if evaluation is None and row.mark is None:
                plan.refusals.append(
                    Refusal(
                        row.row,
                        row.title,
                        N_("コメントだけでは保存できません。進捗評価（○か△）も入れてください。"),
                    )
                )
                continue
            change.comment = (current_comment, row.comment)
        if change.status or change.mark or change.comment:
            plan.changes.append(change)
        else:
            plan.unchanged += 1
    plan.refusals.sort(key=lambda r: r.row)
    return plan


def _match(
    row: SheetRow, by_id: dict[int, Project], by_title: dict[str, list[Project]]
) -> tuple[Project | None, Text | None]:
    if row.project_id is not None:
        project = by_id.get(row.project_id)
        if project is None:
            return None, N_("ID %(id)s のプロジェクトは yoriai にありません。", id=row.project_id)
        if row.title and _norm(row.title) != _norm(project.title):
            return None, N_(
                "ID %(id)s のプロジェクト名は「%(name)s」です。ID が書き換わっていないか確かめてください。",
                id=row.project_id,
                name=project.title,
            )
        return project, None
    candidates = by_title.get(row.title, [])
    if not candidates:
        return None, N_("「%(title)s」というプロジェクトは yoriai にありません。", title=row.title)
    if len(candidates) > 1:
        return None, N_(
            "「%(title)s」という名前のプロジェクトが複数あります。ID の列のある表を使ってください。",
            title=row.title,
        )
    return candidates[0], None


async def _evaluations(db: AsyncSession, keys: set[tuple[int, int]]) -> dict[tuple[int, int], Evaluation]:
    if not keys:
        return {}
    query = select(Evaluation).where(
        col(Evaluation.project_id).in_({p for p, _ in keys}),
        col(Evaluation.fiscal_year).in_({y for _, y in keys}),
    )
    return {(e.project_id, e.fiscal_year): e for e in (await db.exec(query)).all()}


# --- confirming -----------------------------------------------------------------------------------


def dump_changes(changes: list[RowChange]) -> list[dict[str, Any]]:
    """The changes as plain data, for the confirmation form (checked again when it comes back)."""
    return [asdict(c) for c in changes]


def load_changes(data: Any) -> list[RowChange]:
    """The confirmation form's changes, checked field by field (the form came back from a browser)."""
    problem = UserError(N_("確認の内容が読めませんでした。ファイルをもう一度読み込んでください。"))
    if not isinstance(data, list) or len(data) > MAX_ROWS:
        raise problem
    changes = []
    for item in data:
        if not isinstance(item, dict):
            raise problem
        try:
            change = RowChange(
                row=_int(item["row"]),
                project_id=_int(item["project_id"]),
                title=str(item["title"])[:200],
                fiscal_year=_int(item["fiscal_year"]),
                status=_pair(item.get("status")),
                mark=_pair(item.get("mark")),
                comment=_pair(item.get("comment")),
            )
        except (KeyError, TypeError, ValueError):
            raise problem from None
        if not 2000 <= change.fiscal_year <= 2100:
            raise problem
        if change.status and change.status[1] not in PROJECT_STATUS_LABELS:
            raise problem
        if change.mark and change.mark[1] not in MARK_SYMBOLS:
            raise problem
        if change.comment and len(clean_text(change.comment[1])) > COMMENT_MAX:
            raise problem
        changes.append(change)
    return changes


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError
    return value


def _pair(value: Any) -> tuple[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or len(value) != 2 or not all(isinstance(v, str) for v in value):
        raise TypeError
    return (value[0], value[1])


@dataclass
class Applied:
    applied: list[RowChange] = field(default_factory=list)
    #: Rows not applied because yoriai's value changed after the preview (someone else edited it).
    stale: list[RowChange] = field(default_factory=list)


async def apply_plan(db: AsyncSession, actor: Actor, changes: list[RowChange]) -> Applied:
    """Write the confirmed changes in one transaction; a row whose value in yoriai is no longer
    the one the preview showed is left alone and reported."""
    _require_staff(actor)
    result = Applied()
    ids = {c.project_id for c in changes}
    projects = {p.id or 0: p for p in (await db.exec(select(Project).where(col(Project.id).in_(ids)))).all()}
    evaluations = await _evaluations(db, {(c.project_id, c.fiscal_year) for c in changes})
    for change in changes:
        project = projects.get(change.project_id)
        evaluation = evaluations.get((change.project_id, change.fiscal_year))
        if project is None or not _still(change, project, evaluation):
            result.stale.append(change)
            continue
        if change.status:
            await record_status(db, project, actor, change.status[1])
        if change.mark or change.comment:
            if evaluation is None:
                if not change.mark:
                    result.stale.append(change)
                    continue
                evaluation = Evaluation(project_id=change.project_id, fiscal_year=change.fiscal_year, mark="")
                evaluations[(change.project_id, change.fiscal_year)] = evaluation
            if change.mark:
                evaluation.mark = Mark(change.mark[1])
            if change.comment:
                evaluation.comment = clean_text(change.comment[1])
            evaluation.updated_by, evaluation.updated_at = actor.user_id, utcnow()
            db.add(evaluation)
        result.applied.append(change)
    await db.commit()
    return result


def _still(change: RowChange, project: Project, evaluation: Evaluation | None) -> bool:
    if change.status and project.status != change.status[0]:
        return False
    if change.mark and (evaluation.mark if evaluation else "") != change.mark[0]:
        return False
    return not (change.comment and (evaluation.comment if evaluation else "") != change.comment[0])


async def record_status(db: AsyncSession, project: Project, actor: Actor, status: str) -> None:
    """Set a project's status from an upload, recorded in its history."""
    history.record(
        db,
        project.id or 0,
        actor,
        ChangeField.STATUS,
        ChangeSource.EXCEL,
        before=project.status,
        after=status,
    )
    project.status = status
    db.add(project)
