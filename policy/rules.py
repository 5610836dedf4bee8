"""The grading rules (spec/grading.md), highest level first; each returns its reasons.

A rule is fired, not fired or undetermined (a fact it needs is unknown). A rule is decided only
when every completion of the unknown facts agrees. Results that depend only on a few discrete
facts are cached and shared: never mutate a `RuleResult`.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from policy.derived import Derived, earned_income, weak_labour
from policy.facts import GUARANTEE_ZH, HouseholdFacts
from policy.levels import Level
from policy.measures import GUARANTEES
from policy.parameters import ParameterSet


class Outcome(enum.StrEnum):
    FIRED = "fired"
    NOT_FIRED = "not_fired"
    UNDETERMINED = "undetermined"


FIRED, NOT_FIRED, UNDETERMINED = Outcome.FIRED, Outcome.NOT_FIRED, Outcome.UNDETERMINED


@dataclass(slots=True, eq=False)
class RuleResult:
    """One rule's outcome. Results of the discrete rules are cached and shared: never mutate."""

    rule: str
    level: Level
    outcome: Outcome
    missing: tuple[str, ...] = ()
    figures: dict[str, Any] | None = None
    text: str = ""
    json: str | None = None  # the encoded output object, filled in by whoever encodes it

    def to_dict(self) -> dict[str, Any]:
        """Output form; a fresh copy (the figures of a cached result stay untouched)."""
        figures = {k: list(v) if type(v) is list else v for k, v in (self.figures or {}).items()}
        return {"rule": self.rule, "figures": figures, "text": self.text}


R_INCOME, R_GUARANTEE = "I.income_below_line", "I.guarantee_unmet"
R_NO_LABOUR, R_WEAK_LABOUR = "II.no_labour_transfer_only", "III.weak_labour_unstable_income"
R_WEAK_DRIVE, R_STABLE = "IV.weak_drive", "V.stable"
RULE_LEVELS: Mapping[str, Level] = {
    R_INCOME: Level.I,
    R_GUARANTEE: Level.I,
    R_NO_LABOUR: Level.II,
    R_WEAK_LABOUR: Level.III,
    R_WEAK_DRIVE: Level.IV,
    R_STABLE: Level.V,
}
NOT_FIRED_RESULTS = {rule: RuleResult(rule, lv, NOT_FIRED) for rule, lv in RULE_LEVELS.items()}
_NOT = NOT_FIRED_RESULTS
_INF = math.inf


def undetermined(rule: str, missing: tuple[str, ...]) -> RuleResult:
    return RuleResult(rule, RULE_LEVELS[rule], UNDETERMINED, missing)


def yuan(x: float) -> str:
    return f"{x:,.0f}" if x == int(x) else f"{x:,.2f}"


def rule_income_below_line(f: HouseholdFacts, d: Derived, p: ParameterSet) -> RuleResult:
    """I: per-capita income after rigid expense below the line."""
    line = p.poverty_line
    if d.pc_max < line:
        return _income_fired(f, d, line)
    if d.pc_min >= line:
        return _NOT[R_INCOME]
    missing = ("members",) if d.size is None else ()
    missing += d.unknown_income + (("rigid_expense",) if f.rigid_expense is None else ())
    return undetermined(R_INCOME, missing)


def _income_fired(f: HouseholdFacts, d: Derived, line: float) -> RuleResult:
    if d.pc is None:  # known for certain only as an upper bound
        pc_max = round(d.pc_max, 2)
        figures = {"pc_max": pc_max, "poverty_line": line, "size": d.size}
        text = f"人均纯收入最多 {yuan(pc_max)} 元，低于监测标准 {yuan(line)} 元"
        return RuleResult(R_INCOME, Level.I, FIRED, (), figures, text)
    assert d.total_income is not None and f.rigid_expense is not None and d.size is not None
    figures, text = income_figures(
        d.pc, line, d.total_income, f.rigid_expense, d.size, f.income_last_year
    )
    return RuleResult(R_INCOME, Level.I, FIRED, (), figures, text)


def income_figures(
    pc: float, line: float, total: float, expense: float, size: int, last: float | None
) -> tuple[dict[str, Any], str]:
    """Figures and text of the fired I rule when the per-capita income `pc` is known."""
    pc = round(pc, 2)
    figures = {
        "pc": pc,
        "poverty_line": line,
        "total_income": total,
        "rigid_expense": expense,
        "size": size,
    }
    text = f"扣除刚性支出后人均纯收入 {yuan(pc)} 元，低于监测标准 {yuan(line)} 元"
    drop = None if not last else 1 - total / last
    if drop is not None and math.isfinite(drop):
        figures["income_last_year"] = last
        figures["income_drop"] = round(drop, 4)
        if drop > 0:
            text += f"；家庭收入比上年减少 {drop:.0%}"
    return figures, text


def rule_guarantee_unmet(f: HouseholdFacts, d: Derived, p: ParameterSet) -> RuleResult:
    """I: any of 两不愁三保障 (and drinking water) not secured."""
    return _guarantee_result(f.guarantees)


@cache
def _guarantee_result(gs: tuple[bool | None, ...]) -> RuleResult:
    if False in gs:
        unmet = [g for g, v in zip(GUARANTEES, gs, strict=True) if v is False]
        text = "、".join(GUARANTEE_ZH[g] for g in unmet) + "没有保障"
        return RuleResult(R_GUARANTEE, Level.I, FIRED, (), {"unmet": unmet}, text)
    if None in gs:
        missing = tuple(f"guarantees.{g}" for g, v in zip(GUARANTEES, gs, strict=True) if v is None)
        return undetermined(R_GUARANTEE, missing)
    return _NOT[R_GUARANTEE]


def rule_no_labour_transfer_only(f: HouseholdFacts, d: Derived, p: ParameterSet) -> RuleResult:
    """II: every member without labour capacity, no wage or production income."""
    if d.normal or d.weak or d.temporary_loss:
        return _NOT[R_NO_LABOUR]
    w, pr = earned_income(f)
    if (w or 0) > 0 or (pr or 0) > 0:
        return _NOT[R_NO_LABOUR]
    missing = ("members",) if d.size is None else d.unknown_labour
    missing += tuple(n for n, v in (("income.wage", w), ("income.production", pr)) if v is None)
    if missing:
        return undetermined(R_NO_LABOUR, missing)
    return no_labour_fired(d.size, f.transfer)


@lru_cache(maxsize=4096, typed=True)  # 0 and 0.0 print differently
def no_labour_fired(size: int, transfer: float | None) -> RuleResult:
    figures = {"size": size, "wage": 0, "production": 0, "transfer": transfer}
    text = "家庭成员都没有劳动能力，没有工资性和生产经营性收入，收入只靠转移性收入"
    if transfer is not None:
        text += f"（{yuan(transfer)} 元）"
    return RuleResult(R_NO_LABOUR, Level.II, FIRED, (), figures, text)


def rule_weak_labour_unstable_income(f: HouseholdFacts, d: Derived, p: ParameterSet) -> RuleResult:
    """III: weak labour, and income not stable or mainly project-driven."""
    weak, missing = weak_labour(d, p.weak_labour_ratio)
    if weak is False:
        return _NOT[R_WEAK_LABOUR]
    s, pd = f.income_stable, f.project_driven
    if s is not False and pd is not True:
        if s is True and pd is False:
            return _NOT[R_WEAK_LABOUR]
        missing += tuple(n for n, v in (("income_stable", s), ("project_driven", pd)) if v is None)
    if missing:
        return undetermined(R_WEAK_LABOUR, missing)
    return _weak_labour_fired(
        d.size, d.normal, d.weak, d.temporary_loss, s, pd, p.weak_labour_ratio
    )


@lru_cache(maxsize=4096, typed=True)
def _weak_labour_fired(
    size: int,
    normal: int,
    weak: int,
    temporary_loss: int,
    stable: bool,
    project: bool,
    ratio: float,
) -> RuleResult:
    figures = {
        "size": size,
        "normal": normal,
        "weak": weak,
        "temporary_loss": temporary_loss,
        "normal_share": round(normal / size, 4),
        "weak_labour_ratio": round(ratio, 4),
        "income_stable": stable,
        "project_driven": project,
    }
    parts = []
    if temporary_loss:
        parts.append("有成员暂时丧失劳动能力")
    if weak:
        parts.append("有弱劳动力或半劳动力")
    if not parts:
        parts.append(f"{size} 口人中有劳动能力的只有 {normal} 人")
    if stable is False:
        parts.append("收入不稳定")
    if project:
        parts.append("收入主要靠产业项目或金融扶贫带动")
    return RuleResult(R_WEAK_LABOUR, Level.III, FIRED, (), figures, "，".join(parts))


def rule_weak_drive(f: HouseholdFacts, d: Derived, p: ParameterSet) -> RuleResult:
    """IV: motivation not strong, or no clear plan."""
    return _weak_drive_result(f.motivation, f.has_plan)


@cache
def _weak_drive_result(m: str | None, h: bool | None) -> RuleResult:
    if (m is not None and m != "strong") or h is False:
        parts = [] if m in (None, "strong") else [f"发展意愿{'一般' if m == 'average' else '不强'}"]
        if h is False:
            parts.append("没有明确的发展思路")
        figures = {"motivation": m, "has_plan": h}
        return RuleResult(R_WEAK_DRIVE, Level.IV, FIRED, (), figures, "，".join(parts))
    if m == "strong" and h is True:
        return _NOT[R_WEAK_DRIVE]
    return undetermined(
        R_WEAK_DRIVE, tuple(n for n, v in (("motivation", m), ("has_plan", h)) if v is None)
    )


def stable_result(d: Derived, p: ParameterSet, provisional: bool) -> RuleResult:
    """V: none of the rules above fired."""
    figures: dict[str, Any] = {"poverty_line": p.poverty_line}
    if d.pc is not None:
        figures["pc"] = round(d.pc, 2)
    elif d.pc_min > -_INF:
        figures["pc_min"] = round(d.pc_min, 2)
    return RuleResult(R_STABLE, Level.V, FIRED, (), figures, STABLE_TEXT[provisional])


STABLE_TEXT = {
    False: "未触发一至四级预警规则",
    True: "未触发一至四级预警规则；还缺少部分信息，结果是暂定的",
}

Rule = Callable[[HouseholdFacts, Derived, ParameterSet], RuleResult]
RULES: tuple[tuple[str, Rule], ...] = (  # highest level first
    (R_INCOME, rule_income_below_line),
    (R_GUARANTEE, rule_guarantee_unmet),
    (R_NO_LABOUR, rule_no_labour_transfer_only),
    (R_WEAK_LABOUR, rule_weak_labour_unstable_income),
    (R_WEAK_DRIVE, rule_weak_drive),
)
REGISTERED_ONLY = frozenset({R_NO_LABOUR, R_WEAK_LABOUR, R_WEAK_DRIVE})  # 一般农户: I or V only
