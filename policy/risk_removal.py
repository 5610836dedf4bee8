"""Risk removal (风险消除): may a monitored household be proposed for removal?

All of: monitored at least `min_monitoring_months`; at least `min_measures_in_place` assistance
measures in place; per-capita net income (after rigid expense) above `removal_income_factor` x
the line, and income stable; every guarantee (两不愁三保障, drinking water) secured. A household
whose members all have no labour capacity (`lost` / `none`) is never proposed: its guarantees
are kept up and it stays monitored (对整户无劳动力的监测对象，暂不标注风险消除).

Unknown facts never make a household eligible: the check is then undetermined and the fact is
listed in `missing`. The result is a proposal for the cadres; removal itself still goes through
入户核实、民主评议公示、审核确认公告.
"""

from __future__ import annotations

from dataclasses import dataclass

from policy.derived import derive
from policy.facts import GUARANTEE_ZH, HouseholdFacts
from policy.measures import GUARANTEES
from policy.parameters import ParameterSet

C_LABOUR, C_MONITORED = "has_labour", "monitoring_period"
C_MEASURES, C_INCOME, C_STABLE, C_GUARANTEES = (
    "measures",
    "income_above_line",
    "income_stable",
    "guarantees",
)


@dataclass(frozen=True, slots=True)
class RemovalCheck:
    check: str
    ok: bool | None  # None: undetermined (a fact is unknown)
    text: str


@dataclass(frozen=True, slots=True)
class RemovalAssessment:
    eligible: bool
    checks: tuple[RemovalCheck, ...]
    missing: tuple[str, ...]
    parameters: str

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why not (the failed and undetermined checks), or why yes (every check) if eligible."""
        if self.eligible:
            return tuple(c.text for c in self.checks)
        return tuple(c.text for c in self.checks if c.ok is not True)


def assess_risk_removal(
    facts: HouseholdFacts,
    params: ParameterSet,
    *,
    months_monitored: int | None,
    measures_in_place: int | None,
) -> RemovalAssessment:
    """Pure: check every removal condition and say why (not)."""
    missing: list[str] = []
    checks = (
        _labour_check(facts, missing),
        _monitoring_check(months_monitored, params, missing),
        _measures_check(measures_in_place, params, missing),
        _income_check(facts, params, missing),
        _stable_check(facts, missing),
        _guarantees_check(facts, missing),
    )
    eligible = all(c.ok is True for c in checks)
    return RemovalAssessment(eligible, checks, tuple(dict.fromkeys(missing)), params.version)


def _labour_check(f: HouseholdFacts, missing: list[str]) -> RemovalCheck:
    labour = f.labour
    if not labour:
        missing.append("members")
        return RemovalCheck(C_LABOUR, None, "家庭成员情况不清楚")
    if any(v not in (None, "lost", "none") for v in labour):
        return RemovalCheck(C_LABOUR, True, "家庭有劳动能力")
    if None in labour:
        missing.extend(f"members[{i}].labour" for i, v in enumerate(labour) if v is None)
        return RemovalCheck(C_LABOUR, None, "成员劳动能力不清楚")
    text = "全家没有劳动能力：落实兜底保障，继续跟踪监测，暂不标注风险消除"
    return RemovalCheck(C_LABOUR, False, text)


def _at_least(
    check: str, value: int | None, need: int, unit: str, what: str, missing: list[str]
) -> RemovalCheck:
    if value is None:
        missing.append(check)
        return RemovalCheck(check, None, f"{what}不清楚")
    ok = value >= need
    verdict = "达到" if ok else "不足"
    return RemovalCheck(check, ok, f"{what} {value} {unit}，{verdict} {need} {unit}")


def _monitoring_check(months: int | None, p: ParameterSet, missing: list[str]) -> RemovalCheck:
    return _at_least(C_MONITORED, months, p.min_monitoring_months, "个月", "已监测", missing)


def _measures_check(count: int | None, p: ParameterSet, missing: list[str]) -> RemovalCheck:
    return _at_least(C_MEASURES, count, p.min_measures_in_place, "项", "已落实帮扶措施", missing)


def _income_check(f: HouseholdFacts, p: ParameterSet, missing: list[str]) -> RemovalCheck:
    d, line = derive(f), p.removal_income_line
    if d.pc_min > line:
        shown = f"{d.pc:,.0f}" if d.pc is not None else f"至少 {d.pc_min:,.0f}"
        return RemovalCheck(C_INCOME, True, f"人均纯收入 {shown} 元，高于 {line:,.0f} 元")
    if d.pc_max <= line:
        return RemovalCheck(C_INCOME, False, f"人均纯收入没有超过 {line:,.0f} 元")
    missing.extend(("members",) if d.size is None else ())
    missing.extend(d.unknown_income + (() if f.rigid_expense is not None else ("rigid_expense",)))
    return RemovalCheck(C_INCOME, None, "收入或支出情况不清楚")


def _stable_check(f: HouseholdFacts, missing: list[str]) -> RemovalCheck:
    if f.income_stable is None:
        missing.append("income_stable")
        return RemovalCheck(C_STABLE, None, "收入是否稳定不清楚")
    text = "收入稳定" if f.income_stable else "收入还不稳定"
    return RemovalCheck(C_STABLE, f.income_stable, text)


def _guarantees_check(f: HouseholdFacts, missing: list[str]) -> RemovalCheck:
    unmet = f.unmet_guarantees()
    if unmet:
        text = "、".join(GUARANTEE_ZH[g] for g in unmet) + "还没有保障"
        return RemovalCheck(C_GUARANTEES, False, text)
    unknown = [g for g, v in zip(GUARANTEES, f.guarantees, strict=True) if v is None]
    if unknown:
        missing.extend(f"guarantees.{g}" for g in unknown)
        return RemovalCheck(
            C_GUARANTEES, None, "、".join(GUARANTEE_ZH[g] for g in unknown) + "情况不清楚"
        )
    return RemovalCheck(C_GUARANTEES, True, "两不愁三保障和饮水安全都有保障")
