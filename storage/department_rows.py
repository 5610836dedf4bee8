"""One row of a department export read into typed values, its hits and its fingerprint.

The fingerprint is a digest of the kind, the normalized ID number and every value of the row
except name, place and serial number: the same row in another file (re-sorted, re-titled) has
the same fingerprint, so it is neither a new hit nor a new case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policy.department_causes import (
    AMOUNT_FIELDS,
    DATE_FIELDS,
    KIND_NAMES,
    DepartmentHit,
    hits_for,
)
from policy.local_time import local_date
from storage import cell_values as cv
from storage.column_synonyms import DEPARTMENT, KIND_MARKERS, REGISTRY, REGISTRY_REQUIRED
from storage.import_report import Rejection
from storage.spreadsheet_reader import SheetRow, Table, TableError, match_columns

_NOT_FINGERPRINTED = frozenset({"name", "township", "village", "id_number"})
TEXT_LIMIT = 200  # characters of a department text cell (disease, school, aid type…)


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    number: int
    id_number: str
    name: str
    township: str
    village: str
    hits: tuple[DepartmentHit, ...]
    fingerprint: str

    @property
    def place(self) -> str:
        return f"{self.township}{self.village}"


def check_kind(kind: str, table: Table) -> None:
    """Refuse a file whose header lacks every column that makes it `kind` (TableError), and say
    which kind, or the registry, it looks like."""
    if any(key in table.columns for key in KIND_MARKERS[kind]):
        other = _rather_of_kind(kind, table)
        if other is None:
            return
        column = DEPARTMENT[other][_own_markers(other)[0]][0]
        raise TableError(f"这份文件有“{column}”列，像是{KIND_NAMES[other]}的名单，不是"
                         f"{KIND_NAMES[kind]}的（--kind {kind}）：请用 --kind {other} 导入，"
                         "免得同一批人按两种原因各记一次")
    names = [f"“{DEPARTMENT[kind][key][0]}”" for key in KIND_MARKERS[kind]]
    wanted = "或".join(filter(None, ("、".join(names[:-1]), names[-1])))
    raise TableError(f"这份文件不像{KIND_NAMES[kind]}的名单（--kind {kind}）：表头（第"
                     f"{table.header_row}行）里没有{wanted}列。{_looks_like(kind, table)}")


def _own_markers(kind: str) -> tuple[str, ...]:
    """The columns that make a file this kind and no other (灾种: disaster, not housing)."""
    shared = {key for other, keys in KIND_MARKERS.items() if other != kind for key in keys}
    return tuple(key for key in KIND_MARKERS[kind] if key not in shared)


def _rather_of_kind(kind: str, table: Table) -> str | None:
    """Another kind whose own columns the file has, when it has none of `kind`'s own."""
    cells = table.header_cells
    if set(_own_markers(kind)) & set(match_columns(cells, DEPARTMENT[kind])):
        return None
    for other in KIND_MARKERS:
        own = set(_own_markers(other))
        if other != kind and own and own & set(match_columns(cells, DEPARTMENT[other])):
            return other
    return None


def _looks_like(kind: str, table: Table) -> str:
    cells = table.header_cells
    if set(match_columns(cells, REGISTRY)) >= REGISTRY_REQUIRED:
        return "它看起来是户籍台账，请用 fangpin import registry 导入。"
    others = [other for other, markers in KIND_MARKERS.items() if other != kind
              and set(markers) & set(match_columns(cells, DEPARTMENT[other]))]  # fmt: skip
    if others:
        names = "或".join(KIND_NAMES[k] for k in others)
        options = " 或 ".join(f"--kind {k}" for k in others)
        return f"它看起来是{names}的名单，请用 {options} 导入。"
    return "请确认 --kind 选对了，或把列名改成常用的写法后再导入。"


def _typed(key: str, value: Any) -> Any:
    if key in AMOUNT_FIELDS:
        return cv.checked_amount(value)
    if key in DATE_FIELDS:
        return cv.date(value)
    return cv.limited(value, TEXT_LIMIT)


def _implausible(values: dict[str, Any], today: dt.date) -> tuple[str, str] | None:
    """A date after the import day, or a part of a cost larger than the cost: a typo that would
    raise or hide a warning, so the row is sent back to be checked rather than screened."""
    for key in sorted(DATE_FIELDS & values.keys()):
        if values[key] is not None and values[key] > today:
            return key, f"日期{values[key]:%Y-%m-%d}晚于今天，请核对"
    cost = values.get("total_cost")
    if cost is not None:
        for key, what in (("reimbursed", "报销金额"), ("out_of_pocket", "个人自付")):
            if values.get(key) is not None and values[key] > cost:
                return key, f"{what}（{values[key]:,}元）大于总费用（{cost:,}元），请核对"
    return None


def fingerprint(kind: str, id_number: str, values: dict[str, Any]) -> str:
    parts = [kind, id_number]
    parts += [f"{key}={values[key]!r}" for key in sorted(values) if key not in _NOT_FINGERPRINTED]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def parse_department_row(
    kind: str, row: SheetRow, header_of: Callable[[str], str], today: dt.date | None = None
) -> DepartmentRow | Rejection:
    """Typed values, hits and fingerprint of one row, or why it is rejected."""
    if row.incomplete is not None:
        key, reason = row.incomplete
        return Rejection(row.number, header_of(key), reason, "incomplete", row.cells)
    reading = cv.id_number(row.values.get("id_number"), today=today)
    if reading.number is None:
        return Rejection(row.number, header_of("id_number"), reading.reason, reading.code or "",
                         row.cells)
    values: dict[str, Any] = {}
    for key, raw in row.values.items():
        if key == "id_number":
            continue
        try:
            values[key] = _typed(key, raw)
        except cv.CellError as exc:
            return Rejection(row.number, header_of(key), str(exc), "bad_value", row.cells)
    implausible = _implausible(values, today or local_date(dt.datetime.now(dt.UTC)))
    if implausible is not None:
        key, reason = implausible
        return Rejection(row.number, header_of(key), reason, "bad_value", row.cells)
    return DepartmentRow(
        number=row.number, id_number=reading.number, name=values.get("name", "")[:64],
        township=values.get("township", "")[:64], village=values.get("village", "")[:64],
        hits=tuple(hits_for(kind, values)),
        fingerprint=fingerprint(kind, reading.number, values),
    )
