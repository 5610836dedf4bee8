"""One row of the household registry export (one member per row) read into typed values.

A row that cannot be read becomes a `Rejection` naming the row, the column as the file spells
it, and the reason. Values are checked, not only parsed: the category must be one the monitoring
system uses, the household size 1..30, every amount 0..100,000,000 yuan. Household-level values
(area, category, incomes) repeat on every member row; the importer takes them from the
household's first row in the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policy.idnumber import birth_date_of
from storage import cell_values as cv
from storage.import_report import Rejection
from storage.spreadsheet_reader import SheetRow

LABOUR_CODES: dict[str, str] = {
    "普通劳动力": "normal", "技能劳动力": "normal", "有劳动能力": "normal", "劳动力": "normal",
    "弱劳动力或半劳动力": "weak", "弱劳动力": "weak", "半劳动力": "weak",
    "弱劳动力/半劳动力": "weak", "暂时丧失劳动力": "temporary_loss",
    "暂时丧失劳动能力": "temporary_loss", "丧失劳动力": "lost", "丧失劳动能力": "lost",
    "无劳动力": "none", "无劳动能力": "none", "": "",
}  # fmt: skip
INCOME_KEYS = ("income_per_capita", "income_wage", "income_production", "income_transfer",
               "income_property")  # fmt: skip
AREA_KEYS = ("county", "township", "village", "group")
# 户类型 as the national monitoring system exports it: 脱贫户, 监测户 (or its three kinds of
# 监测对象) and 一般农户. Anything else (贫困户, a typo) is rejected, never guessed.
CATEGORIES = ("脱贫户", "监测户", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户", "一般农户")
DEFAULT_CATEGORY = "一般农户"
HOUSEHOLD_SIZE = (1, 30)


@dataclass(frozen=True, slots=True)
class HouseholdValues:
    code: str
    area_path: tuple[str, str, str, str]
    category: str
    size_reported: int | None
    incomes: tuple[int | None, ...]

    def fields(self) -> dict[str, Any]:
        """Stored household columns (area resolved separately)."""
        return {"category": self.category, "size_reported": self.size_reported,
                **dict(zip(INCOME_KEYS, self.incomes, strict=True))}  # fmt: skip


@dataclass(frozen=True, slots=True)
class MemberValues:
    id_number: str
    name: str
    relation: str
    birth_date: dt.date
    labour: str
    health: str
    schooling: str
    dibao: bool
    tekun: bool
    exit_year: int | None
    phone: str

    def fields(self) -> dict[str, Any]:
        return {"name": self.name, "relation": self.relation, "birth_date": self.birth_date,
                "labour": self.labour, "health": self.health, "schooling": self.schooling,
                "dibao": self.dibao, "tekun": self.tekun, "exit_year": self.exit_year,
                "phone": self.phone}  # fmt: skip


@dataclass(frozen=True, slots=True)
class RegistryRow:
    number: int
    household: HouseholdValues
    member: MemberValues
    cells: tuple[Any, ...] = ()  # as read, for the rejects file if the row is sent back later

    @property
    def is_head(self) -> bool:
        return self.member.relation == "户主"


class _RowError(Exception):
    def __init__(self, key: str, reason: str, code: str = "") -> None:
        super().__init__(reason)
        self.key, self.reason, self.code = key, reason, code


def _read(values: dict[str, Any], key: str, reader: Callable[[Any], Any]) -> Any:
    try:
        return reader(values.get(key))
    except cv.CellError as exc:
        raise _RowError(key, str(exc), "bad_value") from None


def _required(values: dict[str, Any], key: str, limit: int, label: str) -> str:
    value = _read(values, key, lambda v: cv.limited(v, limit))
    if not value:
        raise _RowError(key, f"{label}为空")
    return value


def _household(values: dict[str, Any]) -> HouseholdValues:
    code = _required(values, "household_code", 32, "户编号")
    path = tuple(_read(values, key, lambda v: cv.limited(v, 64)) for key in AREA_KEYS)
    if not path[2]:
        raise _RowError("village", "行政村为空")
    return HouseholdValues(
        code=code, area_path=path,  # type: ignore[arg-type]
        category=_category(values), size_reported=_household_size(values),
        incomes=tuple(_read(values, key, cv.checked_amount) for key in INCOME_KEYS),
    )


def _category(values: dict[str, Any]) -> str:
    category = _read(values, "category", lambda v: cv.limited(v, 16)) or DEFAULT_CATEGORY
    if category not in CATEGORIES:
        known = "、".join(CATEGORIES)
        raise _RowError("category", f"不认识的户类型“{category}”（应为{known}之一）",
                        "unknown_category")
    return category


def _household_size(values: dict[str, Any]) -> int | None:
    size = _read(values, "household_size", cv.whole_number)
    low, high = HOUSEHOLD_SIZE
    if size is not None and not low <= size <= high:
        raise _RowError("household_size", f"家庭人口数应为{low}到{high}人，表中是{size}",
                        "bad_value")
    return size


def _labour(values: dict[str, Any]) -> str:
    raw = cv.compact(values.get("labour"))
    code = LABOUR_CODES.get(raw)
    if code is None:
        raise _RowError("labour", f"无法识别的劳动技能“{raw}”")
    return code


def _member(values: dict[str, Any], today: dt.date | None) -> MemberValues:
    reading = cv.id_number(values.get("id_number"), today=today)
    if reading.number is None:
        raise _RowError("id_number", reading.reason, reading.code or "")
    return MemberValues(
        id_number=reading.number, name=_required(values, "name", 64, "姓名"),
        relation=_read(values, "relation", lambda v: cv.limited(v, 16)),
        birth_date=birth_date_of(reading.number), labour=_labour(values),
        health=_read(values, "health", lambda v: cv.limited(v, 32)),
        schooling=_read(values, "schooling", lambda v: cv.limited(v, 32)),
        dibao=_read(values, "dibao", cv.yes_no), tekun=_read(values, "tekun", cv.yes_no),
        exit_year=_read(values, "exit_year", cv.year),
        phone=_read(values, "phone", lambda v: cv.limited(v, 20)),
    )


def parse_registry_row(
    row: SheetRow, header_of: Callable[[str], str], today: dt.date | None = None
) -> RegistryRow | Rejection:
    """Typed values of one registry row, or why it is rejected (first problem wins)."""
    if row.incomplete is not None:
        key, reason = row.incomplete
        return Rejection(row.number, header_of(key), reason, "incomplete", row.cells)
    try:
        member = _member(row.values, today)
        household = _household(row.values)
    except _RowError as problem:
        return Rejection(row.number, header_of(problem.key), problem.reason, problem.code,
                         row.cells)
    return RegistryRow(row.number, household, member, row.cells)
