"""Grading: facts about a household -> warning level, fired rules, missing facts, measures.

Pure functions over plain data (spec/grading.md). Any fact may be unknown (`None`); each rule is
then fired, not fired or undetermined. Income sources and the rigid expense are never negative,
so partly known figures still bound the per-capita income: a rule is decided only when every
completion of the unknown facts agrees. The level is the highest whose rule fired (V if none);
if a rule above it is undetermined, the result is provisional and lists the missing facts.
A 一般农户 is graded I or V only: the combiner applies rules II–IV to 脱贫户 alone.

Hot path: `fangpin grade` runs this per input line, so rule results that depend only on a few
discrete facts are cached (and must not be mutated), and nothing is computed twice.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from policy.levels import Level
from policy.measures import CAUSES, GUARANTEES, Measure, Proposal, proposal_for
from policy.parameters import ParameterSet

REGISTERED, GENERAL = "脱贫户", "一般农户"
CATEGORIES = (REGISTERED, GENERAL)
LABOUR = ("normal", "weak", "temporary_loss", "lost", "none")
INCOME_SOURCES = ("wage", "production", "transfer", "property")
GUARANTEE_ZH = dict(
    zip(GUARANTEES, ("吃穿", "义务教育", "基本医疗", "住房安全", "饮水安全"), strict=True)
)
MOTIVATIONS = ("strong", "average", "weak")
_UNKNOWN_GUARANTEES: tuple[bool | None, ...] = (None,) * len(GUARANTEES)


class Outcome(enum.StrEnum):
    FIRED = "fired"
    NOT_FIRED = "not_fired"
    UNDETERMINED = "undetermined"


FIRED, NOT_FIRED, UNDETERMINED = Outcome.FIRED, Outcome.NOT_FIRED, Outcome.UNDETERMINED


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
    guarantees: tuple[bool | None, ...] = _UNKNOWN_GUARANTEES  # in GUARANTEES order
    motivation: str | None = None
    has_plan: bool | None = None

    def unmet_guarantees(self) -> tuple[str, ...]:
        return tuple(g for g, v in zip(GUARANTEES, self.guarantees, strict=True) if v is False)


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


@dataclass(slots=True)
class Grading:
    level: Level
    provisional: bool
    missing: tuple[str, ...]
    rules: list[RuleResult]  # the fired rules, highest first (V.stable alone when level V)
    undetermined: list[RuleResult]
    proposal: Proposal
    parameters: str

    @property
    def measures(self) -> tuple[Measure, ...]:
        return self.proposal.measures

    def to_dict(self) -> dict[str, Any]:
        """The `fangpin grade` output shape (spec/grading.md)."""
        return {
            "level": self.level.value,
            "colour": self.level.colour,
            "provisional": self.provisional,
            "missing": list(self.missing),
            "rules": [r.to_dict() for r in self.rules],
            "measures": [dict(m) for m in self.proposal.dicts],
            "parameters": self.parameters,
        }


# ---------------------------------------------------------------- parsing (field-level errors)
# Each field is checked by a fast test; only when it fails does a slower `_explain_*` find the
# exact field and say what is wrong.

_LABOUR_OK = frozenset((*LABOUR, None))
_CAUSES_OK = frozenset(CAUSES)
_INCOME_KEYS = frozenset(INCOME_SOURCES)
_GUARANTEE_KEYS = frozenset(GUARANTEES)
_INF = math.inf
MAX_AMOUNT = 1e12  # yuan; keeps every sum and ratio finite


def parse_facts(obj: Any) -> HouseholdFacts:
    """Check a decoded JSON object and build `HouseholdFacts`; raises `FactError`."""
    if type(obj) is not dict:
        raise FactError(None, "每行应为一个 JSON 对象")
    g = obj.get
    year = g("year")
    if type(year) is not int:
        raise FactError("year", "缺少年份" if year is None else f"年份应为整数：{year!r}")
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
        _UNKNOWN_GUARANTEES if gd is None else _guarantees(gd),
        _choice(g("motivation"), MOTIVATIONS, "motivation"),
        _flag(g("has_plan"), "has_plan"),
    )


def _choice(v: Any, allowed: tuple[str, ...], field: str) -> Any:
    if v is None or v in allowed:
        return v
    raise FactError(field, f"取值无效：{v!r}（应为 {'、'.join(allowed)} 或 null）")


def _flag(v: Any, field: str) -> Any:
    if v is None or v is True or v is False:
        return v
    raise FactError(field, f"应为 true、false 或 null：{v!r}")


def _amount(v: Any, field: str) -> Any:
    if v is None or ((t := type(v)) is int or t is float) and 0 <= v <= MAX_AMOUNT:
        return v
    raise FactError(field, f"应为 0 到 {MAX_AMOUNT:,.0f} 元之间的金额或 null：{v!r}")


def _labour(members: Any) -> tuple[str | None, ...]:
    try:
        if type(members) is list and members:
            labour = tuple([m.get("labour") for m in members])
            if _LABOUR_OK.issuperset(labour):
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


# ---------------------------------------------------------------- derived figures


@dataclass(slots=True)
class Derived:
    """Figures derived from the facts; `pc_min`/`pc_max` bound per-capita income (±inf)."""

    size: int | None
    total_income: float | None
    unknown_income: tuple[str, ...]
    pc: float | None
    pc_min: float
    pc_max: float
    normal: int = 0
    weak: int = 0
    temporary_loss: int = 0
    unknown_labour: tuple[str, ...] = ()


def derive(f: HouseholdFacts) -> Derived:
    w, pr, t, pp, exp, labour = (
        f.wage,
        f.production,
        f.transfer,
        f.property,
        f.rigid_expense,
        f.labour,
    )
    if w is None or pr is None or t is None or pp is None:
        srcs = (w, pr, t, pp)
        unknown = tuple(f"income.{k}" for k, v in zip(INCOME_SOURCES, srcs) if v is None)  # noqa: B905
        known, total = sum(v for v in srcs if v is not None), None
    else:
        unknown, known = (), w + pr + t + pp
        total = known
    if not labour:  # unknown (an empty list is rejected by parse_facts; treated as unknown)
        return Derived(None, total, unknown, None, -_INF, _INF)
    size = len(labour)
    if total is not None and exp is not None:
        pc = pc_min = pc_max = (total - exp) / size
    else:
        pc, pc_max = None, _INF if total is None else (total - (exp or 0)) / size
        pc_min = -_INF if exp is None else (known - exp) / size
    d = Derived(
        size,
        total,
        unknown,
        pc,
        pc_min,
        pc_max,
        labour.count("normal"),
        labour.count("weak"),
        labour.count("temporary_loss"),
    )
    if None in labour:
        d.unknown_labour = tuple(f"members[{i}].labour" for i, v in enumerate(labour) if v is None)
    return d


def income_drop(f: HouseholdFacts, d: Derived) -> float | None:
    """1 − this year's income / last year's (explanation only)."""
    last, total = f.income_last_year, d.total_income
    drop = None if total is None or not last else 1 - total / last
    return drop if drop is not None and math.isfinite(drop) else None


def weak_labour(d: Derived, ratio: float) -> tuple[bool | None, tuple[str, ...]]:
    """Any member weak or temporarily unable to work, or too few `normal` members."""
    if d.size is None:
        return None, ("members",)
    if d.weak or d.temporary_loss:
        return True, ()
    n_unknown = len(d.unknown_labour)
    if (d.normal + n_unknown) / d.size < ratio:
        return True, ()
    return (False, ()) if n_unknown == 0 else (None, d.unknown_labour)


# ---------------------------------------------------------------- rules, highest level first

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
_NOT = {rule: RuleResult(rule, level, NOT_FIRED) for rule, level in RULE_LEVELS.items()}


def _undetermined(rule: str, missing: tuple[str, ...]) -> RuleResult:
    return RuleResult(rule, RULE_LEVELS[rule], UNDETERMINED, missing)


def _yuan(x: float) -> str:
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
    return _undetermined(R_INCOME, missing)


def _income_fired(f: HouseholdFacts, d: Derived, line: float) -> RuleResult:
    if d.pc is None:  # known for certain only as an upper bound
        pc_max = round(d.pc_max, 2)
        figures = {"pc_max": pc_max, "poverty_line": line, "size": d.size}
        text = f"人均纯收入最多 {_yuan(pc_max)} 元，低于监测标准 {_yuan(line)} 元"
        return RuleResult(R_INCOME, Level.I, FIRED, (), figures, text)
    pc = round(d.pc, 2)
    figures = {
        "pc": pc,
        "poverty_line": line,
        "total_income": d.total_income,
        "rigid_expense": f.rigid_expense,
        "size": d.size,
    }
    text = f"扣除刚性支出后人均纯收入 {_yuan(pc)} 元，低于监测标准 {_yuan(line)} 元"
    drop = income_drop(f, d)
    if drop is not None:
        figures["income_last_year"] = f.income_last_year
        figures["income_drop"] = round(drop, 4)
        if drop > 0:
            text += f"；家庭收入比上年减少 {drop:.0%}"
    return RuleResult(R_INCOME, Level.I, FIRED, (), figures, text)


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
        return _undetermined(R_GUARANTEE, missing)
    return _NOT[R_GUARANTEE]


def rule_no_labour_transfer_only(f: HouseholdFacts, d: Derived, p: ParameterSet) -> RuleResult:
    """II: every member without labour capacity, no wage or production income."""
    if d.normal or d.weak or d.temporary_loss:
        return _NOT[R_NO_LABOUR]
    w, pr = f.wage, f.production
    if (w or 0) > 0 or (pr or 0) > 0:
        return _NOT[R_NO_LABOUR]
    missing = ("members",) if d.size is None else d.unknown_labour
    missing += tuple(n for n, v in (("income.wage", w), ("income.production", pr)) if v is None)
    if missing:
        return _undetermined(R_NO_LABOUR, missing)
    return _no_labour_fired(d.size, f.transfer)


@lru_cache(maxsize=4096)
def _no_labour_fired(size: int, transfer: float | None) -> RuleResult:
    figures = {"size": size, "wage": 0, "production": 0, "transfer": transfer}
    text = "家庭成员都没有劳动能力，没有工资性和生产经营性收入，收入只靠转移性收入"
    if transfer is not None:
        text += f"（{_yuan(transfer)} 元）"
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
        return _undetermined(R_WEAK_LABOUR, missing)
    return _weak_labour_fired(
        d.size, d.normal, d.weak, d.temporary_loss, s, pd, p.weak_labour_ratio
    )


@lru_cache(maxsize=4096)
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
    return _undetermined(
        R_WEAK_DRIVE, tuple(n for n, v in (("motivation", m), ("has_plan", h)) if v is None)
    )


def stable_result(d: Derived, p: ParameterSet, provisional: bool) -> RuleResult:
    """V: none of the rules above fired."""
    figures: dict[str, Any] = {"poverty_line": p.poverty_line}
    if d.pc is not None:
        figures["pc"] = round(d.pc, 2)
    elif d.pc_min > -_INF:
        figures["pc_min"] = round(d.pc_min, 2)
    return RuleResult(R_STABLE, Level.V, FIRED, (), figures, _STABLE_TEXT[provisional])


_STABLE_TEXT = {
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
_FOR_ALL = tuple(r for rid, r in RULES if rid not in REGISTERED_ONLY)
_FOR_REGISTERED = tuple(r for rid, r in RULES if rid in REGISTERED_ONLY)
_NOT_FOR_GENERAL = [_NOT[rid] for rid, _ in RULES if rid in REGISTERED_ONLY]


# ---------------------------------------------------------------- combiner


def evaluate_rules(
    f: HouseholdFacts, p: ParameterSet, d: Derived | None = None
) -> list[RuleResult]:
    """Every rule I–IV in order, the 一般农户 restriction and an unknown category applied."""
    if d is None:
        d = derive(f)
    out = [rule(f, d, p) for rule in _FOR_ALL]
    cat = f.category
    if cat == REGISTERED:
        out += [rule(f, d, p) for rule in _FOR_REGISTERED]
    elif cat == GENERAL:
        out += _NOT_FOR_GENERAL
    else:  # unknown category: a II–IV rule that would fire is only undetermined
        for rule in _FOR_REGISTERED:
            r = rule(f, d, p)
            out.append(
                r if r.outcome is NOT_FIRED else _undetermined(r.rule, ("category", *r.missing))
            )
    return out


def grade(f: HouseholdFacts, p: ParameterSet) -> Grading:
    """Grade typed facts with the parameter set `p`."""
    d = derive(f)
    results = evaluate_rules(f, p, d)
    fired = [r for r in results if r.outcome is FIRED]
    level = fired[0].level if fired else Level.V
    undetermined = [r for r in results if r.outcome is UNDETERMINED]
    missing: tuple[str, ...] = ()
    if undetermined:
        rank = level.rank
        above = [r for r in undetermined if r.level.rank < rank]
        missing = tuple(dict.fromkeys(m for r in above for m in r.missing))
    provisional = bool(missing)
    if not fired:
        fired = [stable_result(d, p, provisional)]
    proposal = proposal_for(level, f.causes, f.guarantees)
    return Grading(level, provisional, missing, fired, undetermined, proposal, p.version)


def grade_record(obj: Any, p: ParameterSet) -> Grading:
    """Parse a decoded JSON household and grade it; raises `FactError` on a bad fact."""
    return grade(parse_facts(obj), p)
