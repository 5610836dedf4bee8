"""Facts about a household (spec/grading.md): their types, their values and their parsing.

`parse_facts` checks a decoded JSON object and builds `HouseholdFacts`; a bad value raises
`FactError` naming the field like `members[1].labour`. Any fact may be unknown (`None`).

`income_total` is this year's total net income when its sources are unknown (a self-report
knows the total only). Given together with `income`, the sources must agree with it: all four
known must add up to it, partly known ones must not exceed it.

A key that is not a fact is let be (a line may carry an id or a note), unless it looks like a
fact's name misspelt (`rigid_expence`, `labor`) or put at the wrong level (`wage` beside
`income`): such a line is an error naming the key, never graded as if the fact were unknown.

Hot path: `fangpin grade` parses every input line here, so each field is checked by a fast test
and only when that fails does a slower `_explain_*` find the exact field and say what is wrong.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any

from policy.measures import CAUSES, GUARANTEES

REGISTERED, GENERAL = "脱贫户", "一般农户"
CATEGORIES = (REGISTERED, GENERAL)
LABOUR = ("normal", "weak", "temporary_loss", "lost", "none")
INCOME_SOURCES = ("wage", "production", "transfer", "property")
GUARANTEE_ZH = dict(
    zip(GUARANTEES, ("吃穿", "义务教育", "基本医疗", "住房安全", "饮水安全"), strict=True)
)
MOTIVATIONS = ("strong", "average", "weak")
UNKNOWN_GUARANTEES: tuple[bool | None, ...] = (None,) * len(GUARANTEES)
MAX_AMOUNT = 1e12  # yuan; keeps every sum and ratio finite


class FactError(ValueError):
    """A fact has a bad value; `field` names it like `members[1].labour` (None: whole line)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(slots=True)
class HouseholdFacts:
    """Typed facts; `None` means unknown. `labour` has one entry per member (None: no list)."""

    year: int
    category: str | None = None
    labour: tuple[str | None, ...] | None = None
    wage: float | None = None
    production: float | None = None
    transfer: float | None = None
    property: float | None = None
    income_last_year: float | None = None
    rigid_expense: float | None = None
    causes: tuple[str, ...] | None = None
    income_stable: bool | None = None
    project_driven: bool | None = None
    guarantees: tuple[bool | None, ...] = UNKNOWN_GUARANTEES  # in GUARANTEES order
    motivation: str | None = None
    has_plan: bool | None = None
    income_total: float | None = None  # this year's total, when the sources are unknown

    def unmet_guarantees(self) -> tuple[str, ...]:
        return tuple(g for g, v in zip(GUARANTEES, self.guarantees, strict=True) if v is False)


_LABOUR_OK = frozenset((*LABOUR, None))
_CAUSES_OK = frozenset(CAUSES)
_INCOME_KEYS = frozenset(INCOME_SOURCES)
_GUARANTEE_KEYS = frozenset(GUARANTEES)
FACT_KEYS = (
    "year", "category", "members", "income", "income_last_year", "rigid_expense", "causes",
    "income_stable", "project_driven", "guarantees", "motivation", "has_plan", "income_total",
)
_FACT_KEYS = frozenset(FACT_KEYS)
_NESTED = {**{k: "income" for k in INCOME_SOURCES}, **{k: "guarantees" for k in GUARANTEES},
           "labour": "members[]"}
_CLOSE = 0.85  # difflib ratio: labor/labour 0.91, rigid_expence 0.92; case/causes 0.8 is not


def parse_facts(obj: Any) -> HouseholdFacts:
    """Check a decoded JSON object and build `HouseholdFacts`; raises `FactError`."""
    if type(obj) is not dict:
        raise FactError(None, "每行应为一个 JSON 对象")
    if not _FACT_KEYS.issuperset(obj):
        check_other_keys(obj)
    g = obj.get
    year = g("year")
    if type(year) is not int:
        raise FactError("year", "缺少年份" if year is None else f"年份应为整数：{_shown(year)}")
    members, income, causes, gd = g("members"), g("income"), g("causes"), g("guarantees")
    wage = production = transfer = prop = None
    if income is not None:
        if type(income) is not dict or not _INCOME_KEYS.issuperset(income):
            _explain_keys(income, "income", INCOME_SOURCES, "按来源分列的收入")
        ig = income.get
        wage = _amount(ig("wage"), "income.wage")
        production = _amount(ig("production"), "income.production")
        transfer = _amount(ig("transfer"), "income.transfer")
        prop = _amount(ig("property"), "income.property")
    total = g("income_total")
    if total is not None:
        _check_total(_amount(total, "income_total"), (wage, production, transfer, prop))
    return HouseholdFacts(
        year,
        _choice(g("category"), CATEGORIES, "category"),
        None if members is None else _labour(members),
        wage,
        production,
        transfer,
        prop,
        _amount(g("income_last_year"), "income_last_year"),
        _amount(g("rigid_expense"), "rigid_expense"),
        None if causes is None else _causes(causes),
        _flag(g("income_stable"), "income_stable"),
        _flag(g("project_driven"), "project_driven"),
        UNKNOWN_GUARANTEES if gd is None else _guarantees(gd),
        _choice(g("motivation"), MOTIVATIONS, "motivation"),
        _flag(g("has_plan"), "has_plan"),
        total,
    )


def check_other_keys(obj: dict[str, Any]) -> None:
    """Raise `FactError` for a key of `obj` that looks like a misplaced or misspelt fact."""
    for key in obj:
        if key in _FACT_KEYS:
            continue
        _not_written_twice(key, FACT_KEYS, obj, key)
        if key in _NESTED:
            raise FactError(key, f"这一项应放在 {_NESTED[key]} 里，不能单独写在最外层")
        near = _misspelt(key, FACT_KEYS, obj)
        if near is not None:
            raise FactError(key, f"未知的字段，是否应为 {near}？")


def _misspelt(key: Any, names: tuple[str, ...], obj: dict[str, Any]) -> str | None:
    """The name `key` is probably a misspelling of: close to it and absent from `obj`."""
    if type(key) is not str:
        return None
    for near in difflib.get_close_matches(_spelling(key), names, n=3, cutoff=_CLOSE):
        if near not in obj:
            return near
    return None


def _not_written_twice(key: Any, names: tuple[str, ...], obj: dict[str, Any], field: str) -> None:
    """`Rigid_Expense` beside `rigid_expense`: one fact given twice in two spellings, and which
    one counts cannot be known (json would not even keep the last one: both stay)."""
    if type(key) is str and key not in names and (spelt := _spelling(key)) in names and (
        spelt in obj
    ):
        raise FactError(field, f"与 {spelt} 是同一项（只是大小写或写法不同），写了两次，"
                               "不知道该用哪一个")


def member_keys_written_twice(members: list[dict[str, Any]]) -> None:
    """`Labour` beside `labour` in a member: raises FactError naming it."""
    for i, m in enumerate(members):
        if len(m) > 1:
            for key in m:
                _not_written_twice(key, ("labour",), m, f"members[{i}].{key}")


def _spelling(key: str) -> str:
    """A key as the facts are spelt: `Rigid_Expense`, `RIGID_EXPENSE`, `hasPlan`, `has-plan`
    and `has plan` all compare as `has_plan` / `rigid_expense`."""
    snake = _CAMEL_HUMP.sub("_", key.strip()).lower()
    return _SEPARATORS.sub("_", snake)


_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s\-]+")


def _check_total(total: float, sources: tuple[float | None, ...]) -> None:
    """The known sources must add up to `total` (all known) or not exceed it (partly known)."""
    known = [v for v in sources if v is not None]
    if not known:
        return
    s = sum(known)
    if len(known) == len(sources):
        if not math.isclose(s, total, rel_tol=1e-9, abs_tol=0.01):
            raise FactError("income_total", f"收入合计 {total:,} 元与各项收入之和 {s:,} 元不一致")
    elif s > total + 0.01:
        raise FactError("income_total", f"收入合计 {total:,} 元小于已知各项收入之和 {s:,} 元")


def _shown(v: Any) -> str:
    """The value as the line gave it: a number past float range (1e400) or NaN/Infinity
    literals are named as such, not echoed as Python's inf/nan."""
    if type(v) is float and not math.isfinite(v):
        return "超出范围或不是数字（如 1e400、NaN、Infinity）"
    return repr(v)


def _choice(v: Any, allowed: tuple[str, ...], field: str) -> Any:
    if v is None or v in allowed:
        return v
    raise FactError(field, f"取值无效：{v!r}（应为 {'、'.join(allowed)} 或 null）")


def _flag(v: Any, field: str) -> Any:
    if v is None or v is True or v is False:
        return v
    raise FactError(field, f"应为 true、false 或 null：{_shown(v)}")


def _amount(v: Any, field: str) -> Any:
    if v is None or ((t := type(v)) is int or t is float) and 0 <= v <= MAX_AMOUNT:
        return v
    raise FactError(field, f"应为 0 到 {MAX_AMOUNT:,.0f} 元之间的金额或 null：{_shown(v)}")


def _labour(members: Any) -> tuple[str | None, ...]:
    try:
        if type(members) is list and members:
            labour = tuple([m.get("labour") for m in members])
            if _LABOUR_OK.issuperset(labour):
                if None in labour:  # unknown, or "labour" misspelt
                    _check_member_keys(members)
                member_keys_written_twice(members)
                return labour
    except (AttributeError, TypeError):  # a member is not an object / labour is unhashable
        pass
    if type(members) is not list or not members:
        raise FactError("members", "应为至少有一名成员的列表或 null")
    for i, m in enumerate(members):
        if type(m) is not dict:
            raise FactError(f"members[{i}]", "每名成员应为一个 JSON 对象")
        _choice(m.get("labour"), LABOUR, f"members[{i}].labour")
    raise AssertionError("unreachable")  # pragma: no cover


def _check_member_keys(members: list[dict[str, Any]]) -> None:
    for i, m in enumerate(members):
        if "labour" not in m:
            for key in m:
                if _misspelt(key, ("labour",), m) is not None:
                    raise FactError(f"members[{i}].{key}", "未知的项，是否应为 labour？")


def _causes(causes: Any) -> tuple[str, ...]:
    try:
        if type(causes) is list and _CAUSES_OK.issuperset(causes):
            return tuple(causes)
    except TypeError:
        pass
    if type(causes) is not list:
        raise FactError("causes", "应为原因列表或 null")
    i, c = next((i, c) for i, c in enumerate(causes) if c not in CAUSES)
    raise FactError(f"causes[{i}]", f"未知的原因：{c!r}（应为 {'、'.join(CAUSES)}）")


def _guarantees(gd: Any) -> tuple[bool | None, ...]:
    if type(gd) is not dict or not _GUARANTEE_KEYS.issuperset(gd):
        _explain_keys(gd, "guarantees", GUARANTEES, "各项保障是否落实")
    gs = tuple([gd.get(k) for k in GUARANTEES])
    for v in gs:
        if v is not None and v is not True and v is not False:
            for k in GUARANTEES:
                _flag(gd.get(k), f"guarantees.{k}")
    return gs


def _explain_keys(v: Any, field: str, keys: tuple[str, ...], what: str) -> None:
    if type(v) is not dict:
        raise FactError(field, f"应为{what}的对象或 null")
    for key in v:
        if key not in keys:
            raise FactError(f"{field}.{key}", f"未知的项（应为 {'、'.join(keys)}）")
