"""Writes tests/data/review-edited.xlsx: yoriai's review workbook for three projects (ids 1-3),
edited as a coordinator would, with openpyxl. LibreOffice then re-saves it (README.md here) and
tests/test_excel.py reads LibreOffice's file. Run from the repository root:

    .venv/bin/python tests/data/make_review_fixture.py
"""

from __future__ import annotations

import io
import sys
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from server.projects.models import Evaluation, Project
from server.projects.sheets import ReviewLine, review_workbook

HERE = Path(__file__).parent
CREATED = datetime(2026, 11, 24, 10, 0)
PROJECTS = [
    # (title, status, mark, comment) as yoriai has them before the edit
    ("週末の朝市", "running", "done", "月1回開催"),
    ("送迎ボランティア", "idea", "", ""),
    ("=見守り+ネットワーク", "preparing", "delayed", "人が足りない"),
]


def lines() -> list[ReviewLine]:
    result = []
    for number, (title, status, mark, comment) in enumerate(PROJECTS, start=1):
        project = Project(id=number, title=title, status=status, owner="鶴川地区協議会", created_at=CREATED)
        evaluation = (
            Evaluation(project_id=number, fiscal_year=2026, mark=mark, comment=comment) if mark else None
        )
        result.append(ReviewLine(project, ["鶴川地区"], evaluation))
    return result


def main() -> None:
    book = load_workbook(io.BytesIO(review_workbook(lines(), 2026, "2026年度")))
    sheet = book.worksheets[0]
    # Row 2 (週末の朝市): status to 完了, comment rewritten; the mark stays.
    sheet["H2"] = "完了"
    sheet["J2"] = "年間12回開催、延べ300人"
    # Row 3 (送迎ボランティア): evaluated for the first time, typed as the kanji zero 〇.
    sheet["I3"] = "〇"
    sheet["J3"] = "試行を始めた"
    # Row 4: the comment cell emptied (an empty cell changes nothing); the mark is a formula (refused).
    sheet["J4"] = None
    sheet["I4"] = '=IF(1=1,"○","△")'
    # A formula where nothing is read back: ignored.
    sheet["B2"] = "=ROW()-1"
    book.save(HERE / "review-edited.xlsx")


if __name__ == "__main__":
    main()
