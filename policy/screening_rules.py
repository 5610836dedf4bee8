"""Which department hits open a warning case, as versioned parameters (policy/screening.toml).

`decide(hit, member, household, rules)` is pure: it returns whether the hit opens a case, the
rules that fired with their figures, and the cause the case gets (the self-report's cause keys:
illness, disability, disaster, accident, other). People not in the registry never open a case
here: they are listed for checking instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policy.department_causes import DepartmentHit
from policy.toml_files import read_toml

DEFAULT_PATH = Path(__file__).resolve().parent / "screening.toml"
_LISTS_OPEN = ("serious_diseases", "house_damage_levels")
_FLAGS_OPEN = ("new_serious_illness", "death_by_disaster", "disability_by_disaster",
               "death_of_working_member")  # fmt: skip
_LISTS_ROSTER = ("key_grades", "vocational_words", "private_words", "university_words",
                 "disability_words", "serious_illness_words", "chronic_illness_words")
_INTS_ROSTER = ("elderly_age", "new_within_days")


class ScreeningRulesError(ValueError):
    """The screening rules file is unreadable or malformed; the message names file and key."""


@dataclass(frozen=True)
class RosterFigures:
    elderly_age: int = 60
    new_within_days: int = 365
    key_grades: tuple[str, ...] = ("九年级", "高三")
    vocational_words: tuple[str, ...] = ("中职", "高职")
    private_words: tuple[str, ...] = ("民办",)
    university_words: tuple[str, ...] = ("大学",)
    disability_words: tuple[str, ...] = ("残疾",)
    serious_illness_words: tuple[str, ...] = ("大病",)
    chronic_illness_words: tuple[str, ...] = ("慢性病",)


@dataclass(frozen=True)
class ScreeningRules:
    version: str
    registered_categories: tuple[str, ...]
    medical_cost_share: float
    new_serious_illness: bool
    serious_diseases: tuple[str, ...]
    house_damage_levels: tuple[str, ...]
    death_by_disaster: bool
    disability_by_disaster: bool
    death_of_working_member: bool
    roster: RosterFigures = field(default_factory=RosterFigures)


@dataclass(frozen=True, slots=True)
class MemberFacts:
    health: str = ""
    labour: str = ""


@dataclass(frozen=True, slots=True)
class HouseholdFacts:
    category: str = ""
    size: int | None = None
    annual_income: int | None = None


@dataclass(frozen=True, slots=True)
class FiredRule:
    rule: str
    text: str
    figures: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Decision:
    opens: bool
    case_cause: str
    rules: tuple[FiredRule, ...] = ()


def load_screening_rules(path: str | Path | None = None) -> ScreeningRules:
    file = Path(path) if path is not None else DEFAULT_PATH
    return parse_screening_rules(read_toml(file, ScreeningRulesError, "筛查规则"), str(file))


def _table(data: Mapping[str, Any], key: str, allowed: set[str], where: str) -> dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise ScreeningRulesError(f"{where}: [{key}] 应为一个表")
    unknown = set(table) - allowed
    if unknown:
        raise ScreeningRulesError(f"{where}: [{key}] 有未知的键 {sorted(unknown)}")
    return table


def _words(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ScreeningRulesError(f"{where}: {key} 应为非空字符串的列表")
    return tuple(value)


def _flag(table: Mapping[str, Any], key: str, where: str) -> bool:
    value = table.get(key)
    if not isinstance(value, bool):
        raise ScreeningRulesError(f"{where}: {key} 应为 true 或 false")
    return value


def parse_screening_rules(data: Mapping[str, Any], origin: str = "<data>") -> ScreeningRules:
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise ScreeningRulesError(f"{origin}: 缺少 version")
    unknown = set(data) - {"version", "registered_categories", "open_case", "roster"}
    if unknown:
        raise ScreeningRulesError(f"{origin}: 未知的顶层键 {sorted(unknown)}")
    open_keys = {"medical_cost_share", *_LISTS_OPEN, *_FLAGS_OPEN}
    opening = _table(data, "open_case", open_keys, origin)
    roster = _table(data, "roster", {*_LISTS_ROSTER, *_INTS_ROSTER}, origin)
    share = opening.get("medical_cost_share")
    if not isinstance(share, int | float) or isinstance(share, bool) or share <= 0:
        raise ScreeningRulesError(f"{origin}: open_case.medical_cost_share 应为正数")
    ints = {}
    for key in _INTS_ROSTER:
        value = roster.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ScreeningRulesError(f"{origin}: roster.{key} 应为正整数")
        ints[key] = value
    return ScreeningRules(
        version=version.strip(),
        registered_categories=_words(data, "registered_categories", origin),
        medical_cost_share=float(share),
        **{key: _words(opening, key, origin) for key in _LISTS_OPEN},
        **{key: _flag(opening, key, origin) for key in _FLAGS_OPEN},
        roster=RosterFigures(**ints, **{k: _words(roster, k, origin) for k in _LISTS_ROSTER}),
    )


def contains_any(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def _illness(hit: DepartmentHit, member: MemberFacts, household: HouseholdFacts,
             rules: ScreeningRules) -> list[FiredRule]:  # fmt: skip
    fired: list[FiredRule] = []
    cost, income = hit.figures.get("out_of_pocket"), household.annual_income
    if cost is not None and income is not None and cost > rules.medical_cost_share * income:
        share = f"{cost / income:.0%}" if income > 0 else "无收入"
        fired.append(FiredRule(
            "illness.cost_share", f"个人自付{cost:,}元，占家庭年纯收入{income:,}元的{share}",
            {"out_of_pocket": cost, "annual_income": income,
             "share_limit": rules.medical_cost_share}))  # fmt: skip
    disease = str(hit.figures.get("disease", ""))
    already_known = contains_any(member.health, rules.roster.serious_illness_words)
    if rules.new_serious_illness and contains_any(disease, rules.serious_diseases) and (
        not already_known
    ):
        fired.append(FiredRule("illness.new_serious", "新患大(重)病，台账中原无大病记录",
                               {"registry_health": member.health}))
    return fired


def _disaster(hit: DepartmentHit, member: MemberFacts, household: HouseholdFacts,
              rules: ScreeningRules) -> list[FiredRule]:  # fmt: skip
    fired: list[FiredRule] = []
    damage = str(hit.figures.get("house_damage", ""))
    if contains_any(damage, rules.house_damage_levels):
        fired.append(FiredRule("disaster.house_damage", f"因灾房屋损毁（{damage}）",
                               {"house_damage": damage}))
    deaths = int(hit.figures.get("deaths") or 0)
    if rules.death_by_disaster and deaths > 0:
        fired.append(FiredRule("disaster.death", f"因灾致亡{deaths}人", {"deaths": deaths}))
    return fired


def _disability(hit: DepartmentHit, member: MemberFacts, household: HouseholdFacts,
                rules: ScreeningRules) -> list[FiredRule]:  # fmt: skip
    if rules.disability_by_disaster and hit.figures.get("by_disaster"):
        return [FiredRule("disability.by_disaster", "因灾致残",
                          {"grade": hit.figures.get("grade", "")})]
    return []


def _death(hit: DepartmentHit, member: MemberFacts, household: HouseholdFacts,
           rules: ScreeningRules) -> list[FiredRule]:  # fmt: skip
    fired: list[FiredRule] = []
    if rules.death_by_disaster and hit.figures.get("by_disaster"):
        fired.append(FiredRule("death.by_disaster", "因灾致亡", {}))
    if rules.death_of_working_member and member.labour == "normal":
        fired.append(FiredRule("death.working_member", "家中有劳动能力的成员去世",
                               {"labour": member.labour}))
    return fired


_RULES = {"illness": _illness, "disaster": _disaster, "disability": _disability,
          "death": _death}  # fmt: skip


def case_cause(hit: DepartmentHit) -> str:
    """The case's cause key for a hit (the self-report's keys)."""
    if hit.cause == "death":
        reason = str(hit.figures.get("reason", ""))
        if hit.figures.get("by_disaster"):
            return "disaster"
        return "illness" if "病" in reason else "accident" if "意外" in reason else "other"
    return hit.cause if hit.cause in ("illness", "disability", "disaster") else "other"


def decide(
    hit: DepartmentHit, member: MemberFacts | None, household: HouseholdFacts | None,
    rules: ScreeningRules,
) -> Decision:
    """Whether a matched hit opens a warning case, with every rule that fired."""
    check = _RULES.get(hit.cause)
    if check is None or member is None or household is None:
        return Decision(False, case_cause(hit))
    fired = tuple(check(hit, member, household, rules))
    return Decision(bool(fired), case_cause(hit), fired)
