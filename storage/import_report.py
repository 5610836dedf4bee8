"""What an import did: counts, rejected rows (row, column, reason), people not found.

The report never holds a full ID number: people are shown with masked IDs and names. The
rejected rows can be written back (CSV with BOM or XLSX) for the office that sent the file,
every ID and mobile number in them masked.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policy.department_causes import CASE_CAUSE_NAMES, CAUSE_NAMES
from policy.idnumber import normalize_id_text
from policy.masking import mask_name, mask_personal_numbers, mask_phone
from storage.cell_values import masked_raw_id, text

MAX_LISTED = 200
_ID_SHAPED = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}")
_MOBILE_SHAPED = re.compile(r"1[0-9]{10}")


@dataclass(frozen=True, slots=True)
class Rejection:
    row: int
    column: str
    reason: str
    code: str = ""
    cells: tuple[Any, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason, "code": self.code}


@dataclass
class ImportReport:
    kind: str
    file: str
    file_format: str = ""
    encoding: str = ""
    header_row: int = 0
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    already_known: int = 0
    matched: int = 0
    unmatched: int = 0
    cases_opened: int = 0
    hits_attached: int = 0
    earlier_hits_matched: int = 0
    alerts: int = 0
    households_created: int = 0
    households_updated: int = 0
    changes: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    warnings_total: int = 0  # the first MAX_LISTED are kept in `warnings`
    unmatched_people: list[dict[str, Any]] = field(default_factory=list)
    by_cause: Counter[str] = field(default_factory=Counter)
    cases_by_cause: Counter[str] = field(default_factory=Counter)
    committed: bool = False
    status: str = "running"
    batch_id: int | None = None
    rules_version: str = ""
    header_cells: tuple[str, ...] = ()
    id_column: int | None = None

    def reject(self, row: int, column: str, reason: str, code: str = "",
               cells: tuple[Any, ...] = ()) -> None:  # fmt: skip
        self.rejected.append(Rejection(row, column, reason, code, cells))

    def warn(self, row: int, column: str, reason: str) -> None:
        self.warnings_total += 1
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append({"row": row, "column": column, "reason": reason})

    def note_unmatched(self, row: int, name: str, masked_id: str, causes: list[str]) -> None:
        if len(self.unmatched_people) < MAX_LISTED:
            self.unmatched_people.append({
                "row": row, "name": mask_name(name), "id_number": masked_id,
                "causes": [CAUSE_NAMES.get(c, c) for c in causes],
            })  # fmt: skip

    @property
    def good_rows(self) -> int:
        return self.rows_read - len(self.rejected) - self.duplicates

    @property
    def all_rejected(self) -> bool:
        """Rows were sent back and none was taken: a failure, even when committed."""
        return bool(self.rejected) and self.good_rows <= 0

    def roll_back(self) -> None:
        """Nothing of the file was stored: what it would have done is no longer true."""
        self.imported = self.updated = self.unchanged = self.changes = 0
        self.households_created = self.households_updated = 0
        self.cases_opened = self.hits_attached = self.alerts = self.earlier_hits_matched = 0
        self.cases_by_cause.clear()

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "file": self.file, "status": self.status,
            "committed": self.committed, "batch_id": self.batch_id,
            "format": self.file_format, "encoding": self.encoding, "header_row": self.header_row,
            "rows_read": self.rows_read, "good_rows": self.good_rows,
            "imported": self.imported, "updated": self.updated,
            "unchanged": self.unchanged, "matched": self.matched, "unmatched": self.unmatched,
            "duplicates": self.duplicates, "already_known": self.already_known,
            "rejected": [r.as_json() for r in self.rejected],
            "cases_opened": self.cases_opened, "hits_attached": self.hits_attached,
            "earlier_hits_matched": self.earlier_hits_matched,
            "alerts": self.alerts, "households_created": self.households_created,
            "households_updated": self.households_updated, "changes": self.changes,
            "skipped_rows": dict(self.skipped), "warnings": self.warnings,
            "warnings_total": self.warnings_total,
            "unmatched_people": self.unmatched_people,
            "hits_by_cause": {CAUSE_NAMES.get(k, k): v for k, v in sorted(self.by_cause.items())},
            "cases_by_cause": {CASE_CAUSE_NAMES.get(k, k): v
                               for k, v in sorted(self.cases_by_cause.items())},
            "rules_version": self.rules_version,
        }  # fmt: skip


def write_rejects(report: ImportReport, path: str | Path) -> int:
    """The rejected rows as the office sent them (ID masked) plus row, column and reason."""
    header = ["原行号", "问题列", "原因", *report.header_cells]
    rows = [[r.row, r.column, r.reason, *_cells_for_office(report, r.cells)]
            for r in report.rejected]  # fmt: skip
    target = Path(path)
    if target.suffix.lower() == ".xlsx":
        _write_xlsx(target, header, rows)
    else:
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows(rows)
    return len(rows)


def _cells_for_office(report: ImportReport, cells: tuple[Any, ...]) -> list[str]:
    """Every ID number and mobile number masked, in whichever column it is (户主身份证号 beside
    患者身份证号, 联系电话 …), not only the ID column that was matched."""
    out = [_masked_cell(cell) for cell in cells]
    index = report.id_column
    if index is not None and index < len(cells):
        out[index] = masked_raw_id(cells[index])
    return out


def _masked_cell(cell: Any) -> str:
    value = text(cell)
    compact = normalize_id_text(value)  # written with spaces, full-width digits…
    if _ID_SHAPED.fullmatch(compact):
        return masked_raw_id(cell)
    if _MOBILE_SHAPED.fullmatch(compact):
        return mask_phone(compact)
    return mask_personal_numbers(value)


def _write_xlsx(target: Path, header: list[Any], rows: list[list[Any]]) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "退回修改"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    workbook.save(target)


def render_text(report: ImportReport) -> str:
    """The report in plain Chinese for the operator's terminal."""
    where = f"{report.file_format} {report.encoding}".strip()
    lines = [f"文件：{report.file}（{where}，表头在第{report.header_row}行）",
             f"读取 {report.rows_read} 行；跳过空行 {report.skipped.get('blank', 0)}、"
             f"合计行 {report.skipped.get('totals', 0)}；重复行 {report.duplicates}"]  # fmt: skip
    if report.kind == "registry":
        lines.append(f"新增 {report.imported} 人，更新 {report.updated} 条（户 "
                     f"{report.households_updated}），未变 {report.unchanged}；新建户 "
                     f"{report.households_created}；记录变更 {report.changes} 项")  # fmt: skip
        lines.append(f"以前导入的部门数据中，现在台账里找到 {report.earlier_hits_matched} 条线索："
                     f"新开预警 {report.cases_opened} 件，并入已有预警 {report.hits_attached} 条；"
                     f"提醒 {report.alerts} 条")  # fmt: skip
    else:
        lines.append(f"台账中找到 {report.matched} 人，未找到 {report.unmatched} 人；"
                     f"以前已导入 {report.already_known} 行")  # fmt: skip
        counts = sorted(report.by_cause.items())
        causes = "、".join(f"{CAUSE_NAMES.get(k, k)}{v}" for k, v in counts)
        lines.append(f"新增筛查线索：{causes or '无'}；新开预警 {report.cases_opened} 件，"
                     f"并入已有预警 {report.hits_attached} 条；提醒 {report.alerts} 条")
    lines.append(f"退回 {len(report.rejected)} 行" + ("：" if report.rejected else ""))
    lines += [f"  第{r.row}行 [{r.column}] {r.reason}" for r in report.rejected[:MAX_LISTED]]
    lines += _not_listed(len(report.rejected), MAX_LISTED, "行",
                         "全部退回行可用 --rejects 文件名.xlsx 导出给报送单位")
    if report.unmatched_people:
        lines.append("台账中没有的人员（可能是一般农户，请核查）：")
        lines += [f"  第{p['row']}行 {p['name']} {p['id_number']} {'、'.join(p['causes'])}"
                  for p in report.unmatched_people]  # fmt: skip
        lines += _not_listed(report.unmatched, len(report.unmatched_people), "人", "")
    lines += [f"  提示：第{w['row']}行 [{w['column']}] {w['reason']}" for w in report.warnings]
    lines += _not_listed(report.warnings_total, len(report.warnings), "条提示", "")
    lines.append(_outcome(report))
    return "\n".join(lines)


def _not_listed(total: int, listed: int, unit: str, hint: str) -> list[str]:
    """The line that says a list was cut at MAX_LISTED, never silently."""
    if total <= listed:
        return []
    return [f"  ……另有 {total - listed:,} {unit}未列出（只列出前 {listed} {unit}）"
            + (f"；{hint}" if hint else "")]


def _outcome(report: ImportReport) -> str:
    if report.committed and report.rows_read == 0:
        return f"文件里没有数据行，没有导入任何内容（批次 {report.batch_id}）。"
    if report.committed and report.all_rejected:
        return (f"没有导入任何数据：文件中的行都被退回了（批次 {report.batch_id} 只记下了这次"
                "导入）。请按上面的原因改好后重新导入。")
    if report.committed:
        return f"已导入（批次 {report.batch_id}）。"
    how = ("加 --accept-good-rows" if report.kind == "registry"
           else "去掉 --all-or-nothing")  # fmt: skip
    return (f"未导入任何数据：文件中有退回的行，整份文件未导入。修改后重新导入，"
            f"或{how} 只导入没有问题的行。")
