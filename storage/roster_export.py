"""Write the reverse-warning roster: XLSX (Chinese headers, frozen header row, widths, an
explanation sheet) or CSV in UTF-8 with BOM (opens correctly in Excel).

Rows are plain dicts keyed by `COLUMNS`; ID numbers and phones arrive already masked unless the
export is an authorized full-ID export.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("seq", "序号", 6),
    ("township", "乡镇", 10),
    ("village", "村(社区)", 10),
    ("group", "村民小组", 9),
    ("household", "户编号", 17),
    ("head", "户主姓名", 10),
    ("head_id", "户主身份证号", 21),
    ("phone", "联系电话", 14),
    ("category", "户类型", 10),
    ("size", "家庭人口", 9),
    ("income", "人均纯收入(元)", 13),
    ("criteria", "符合条件", 30),
    ("criteria_count", "条件数", 7),
    ("details", "涉及人员及情况", 60),
    ("cases", "在办申报/预警", 30),
    ("result", "核实结果", 16),
    ("verifier", "核实人", 10),
    ("verified_on", "核实日期", 11),
)  # fmt: skip
HEADERS = tuple(title for _, title, _ in COLUMNS)
TEXT_COLUMNS = frozenset({"household", "head_id", "phone"})


def _cell(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    return "" if value is None else value


def write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow([_cell(row, key) for key, _, _ in COLUMNS])


def write_xlsx(path: Path, rows: Sequence[dict[str, Any]], notes: Sequence[tuple[str, str]],
               title: str = "反向预警名册") -> None:  # fmt: skip
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    # Style each cell as it is created: looking the row up again (`sheet[sheet.max_row]`)
    # scans every cell written so far, which made a county roster quadratic (minutes).
    for number, row in enumerate(rows, start=2):
        for column, (key, _, _) in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=number, column=column, value=_cell(row, key))
            cell.alignment = wrap
            if key in TEXT_COLUMNS:
                cell.number_format = "@"
    for index, (_, _, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    _notes_sheet(workbook, notes)
    workbook.save(path)


def _notes_sheet(workbook: Any, notes: Sequence[tuple[str, str]]) -> None:
    from openpyxl.styles import Font

    sheet = workbook.create_sheet("说明")
    sheet.append(["项目", "内容"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for key, value in notes:
        sheet.append([key, value])
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 80
    sheet.freeze_panes = "A2"


def write_roster(path: str | Path, rows: Sequence[dict[str, Any]],
                 notes: Sequence[tuple[str, str]]) -> str:  # fmt: skip
    """Write `rows` to `path` by its suffix (.xlsx or .csv); returns the format used."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".xlsx":
        write_xlsx(target, rows, notes)
        return "xlsx"
    if suffix == ".csv":
        write_csv(target, rows)
        return "csv"
    raise ValueError(f"名册文件应为 .xlsx 或 .csv，而不是“{suffix or target.name}”")
