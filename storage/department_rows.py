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

from policy.department_causes import AMOUNT_FIELDS, DATE_FIELDS, DepartmentHit, hits_for
from storage import cell_values as cv
from storage.import_report import Rejection
from storage.spreadsheet_reader import SheetRow

_NOT_FINGERPRINTED = frozenset({"name", "township", "village", "id_number"})


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


def _typed(key: str, value: Any) -> Any:
    if key in AMOUNT_FIELDS:
        return cv.amount(value)
    if key in DATE_FIELDS:
        return cv.date(value)
    return cv.compact(value)


def fingerprint(kind: str, id_number: str, values: dict[str, Any]) -> str:
    parts = [kind, id_number]
    parts += [f"{key}={values[key]!r}" for key in sorted(values) if key not in _NOT_FINGERPRINTED]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def parse_department_row(
    kind: str, row: SheetRow, header_of: Callable[[str], str], today: dt.date | None = None
) -> DepartmentRow | Rejection:
    """Typed values, hits and fingerprint of one row, or why it is rejected."""
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
    return DepartmentRow(
        number=row.number, id_number=reading.number, name=values.get("name", "")[:64],
        township=values.get("township", "")[:64], village=values.get("village", "")[:64],
        hits=tuple(hits_for(kind, values)),
        fingerprint=fingerprint(kind, reading.number, values),
    )
