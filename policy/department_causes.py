"""What a department row says about a person: the cause (因病 / 因残 / 因灾 / 因学 / 死亡 /
低保 / 特困) and the figures behind it. Pure functions over already-parsed values.

`hits_for(kind, values)` takes one row of a department export, keyed by field (see
`storage.column_synonyms.DEPARTMENT`), with amounts as int yuan and dates as `date`, and returns
the hits it carries (usually one; a civil-affairs row of another kind of aid carries none).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

KIND_NAMES: dict[str, str] = {
    "health": "卫健（新增大病）",
    "disability": "残联（新办残疾人证）",
    "disaster": "应急（受灾户）",
    "education": "教育（在校生）",
    "civil": "民政（低保、特困）",
    "police": "公安（死亡注销）",
    "housing": "住建（房屋损毁）",
}
CAUSE_NAMES: dict[str, str] = {
    "illness": "因病",
    "disability": "因残",
    "disaster": "因灾",
    "schooling": "因学",
    "death": "死亡",
    "dibao": "低保",
    "tekun": "特困",
}
# A warning case's cause (the self-report's keys) as alerts and reports name it.
CASE_CAUSE_NAMES: dict[str, str] = {
    "illness": "因病", "disability": "因残", "disaster": "因灾", "schooling": "因学",
    "accident": "因意外", "job_loss": "因失业", "other": "其他",
}  # fmt: skip
DISASTER_WORDS = ("灾", "地震", "洪", "涝", "泥石流", "滑坡", "崩塌", "冰雹", "风雹", "台风",
                  "暴雨", "雪灾", "火灾", "塌方")  # fmt: skip
_DEATH_IN_CASUALTIES = re.compile(r"(\d+)\s*人?\s*(?:死亡|遇难|身亡)")
_INJURY_IN_CASUALTIES = re.compile(r"(\d+)\s*人?\s*(?:受伤|伤)")
_GRADE_LEVELS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4, "1级": 1, "2级": 2, "3级": 3,
                 "4级": 4}  # fmt: skip


@dataclass(frozen=True, slots=True)
class DepartmentHit:
    """One cause found in a department row, with the date it happened and its figures."""

    cause: str
    event_date: dt.date | None
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def cause_zh(self) -> str:
        return CAUSE_NAMES[self.cause]


def by_disaster(text: str) -> bool:
    return any(word in text for word in DISASTER_WORDS)


def _str(values: Mapping[str, Any], key: str) -> str:
    value = values.get(key)
    return "" if value is None else str(value)


def _health(values: Mapping[str, Any]) -> list[DepartmentHit]:
    total, reimbursed = values.get("total_cost"), values.get("reimbursed")
    out_of_pocket = values.get("out_of_pocket")
    if out_of_pocket is None and total is not None and reimbursed is not None:
        out_of_pocket = total - reimbursed  # a blank 报销金额 is not known, not 0
    figures = {"disease": _str(values, "disease"), "total_cost": total,
               "reimbursed": reimbursed, "out_of_pocket": out_of_pocket}  # fmt: skip
    return [DepartmentHit("illness", values.get("diagnosed_on"), figures)]


def _disability(values: Mapping[str, Any]) -> list[DepartmentHit]:
    grade = _str(values, "disability_grade")
    reason = _str(values, "disability_cause")
    figures = {"category": _str(values, "disability_category"), "grade": grade,
               "grade_level": _GRADE_LEVELS.get(grade), "reason": reason,
               "by_disaster": by_disaster(reason)}  # fmt: skip
    return [DepartmentHit("disability", values.get("certified_on"), figures)]


def casualty_counts(text: str) -> tuple[int, int]:
    """(deaths, injuries) written as "1人死亡" / "2人受伤" in a disaster list."""
    deaths = sum(int(n) for n in _DEATH_IN_CASUALTIES.findall(text))
    injuries = sum(int(n) for n in _INJURY_IN_CASUALTIES.findall(text))
    return deaths, injuries


def _disaster(values: Mapping[str, Any]) -> list[DepartmentHit]:
    casualties = _str(values, "casualties")
    deaths, injuries = casualty_counts(casualties)
    figures = {"disaster_type": _str(values, "disaster_type"),
               "house_damage": _str(values, "house_damage"), "casualties": casualties,
               "deaths": deaths, "injuries": injuries}  # fmt: skip
    return [DepartmentHit("disaster", values.get("disaster_date"), figures)]


def _housing(values: Mapping[str, Any]) -> list[DepartmentHit]:
    figures = {"house_damage": _str(values, "house_damage"),
               "reason": _str(values, "damage_reason"), "deaths": 0, "injuries": 0}
    return [DepartmentHit("disaster", values.get("appraised_on"), figures)]


def _education(values: Mapping[str, Any]) -> list[DepartmentHit]:
    figures = {"school": _str(values, "school"), "stage": _str(values, "stage"),
               "grade": _str(values, "grade"), "ownership": _str(values, "ownership")}
    return [DepartmentHit("schooling", values.get("enrolled_on"), figures)]


def _civil(values: Mapping[str, Any]) -> list[DepartmentHit]:
    aid = _str(values, "aid_type")
    hukou = _str(values, "hukou_type")
    rural = "城市" not in aid and "城镇" not in aid and "非农" not in hukou
    figures = {"aid_type": aid, "hukou_type": hukou, "rural": rural,
               "persons": values.get("persons"), "monthly_amount": values.get("monthly_amount")}
    causes = [cause for cause, word in (("dibao", "低保"), ("tekun", "特困")) if word in aid]
    return [DepartmentHit(cause, values.get("started_on"), figures) for cause in causes]


def _police(values: Mapping[str, Any]) -> list[DepartmentHit]:
    reason = _str(values, "death_cause")
    figures = {"reason": reason, "by_disaster": by_disaster(reason)}
    return [DepartmentHit("death", values.get("died_on"), figures)]


_BY_KIND: dict[str, Callable[[Mapping[str, Any]], list[DepartmentHit]]] = {
    "health": _health,
    "disability": _disability,
    "disaster": _disaster,
    "housing": _housing,
    "education": _education,
    "civil": _civil,
    "police": _police,
}
KINDS = tuple(_BY_KIND)

# Which parsed type each department field has (the rest are text).
AMOUNT_FIELDS = frozenset({"total_cost", "reimbursed", "out_of_pocket", "persons",
                           "monthly_amount"})  # fmt: skip
DATE_FIELDS = frozenset({"diagnosed_on", "certified_on", "disaster_date", "appraised_on",
                         "enrolled_on", "started_on", "died_on"})  # fmt: skip


def hits_for(kind: str, values: Mapping[str, Any]) -> list[DepartmentHit]:
    """The hits one parsed row of a `kind` export carries."""
    reader = _BY_KIND.get(kind)
    if reader is None:
        raise ValueError(f"unknown department kind {kind!r}; one of {', '.join(KINDS)}")
    return reader(values)
