"""Grading: facts about a household -> warning level, fired rules, missing facts, measures.

Pure functions over plain data (spec/grading.md). The facts and their parsing are in
`policy.facts`, the derived figures in `policy.derived`, the rules in `policy.rules`; this
module combines them. The level is the highest whose rule fired (V if none); if a rule above it
is undetermined, the result is provisional and lists the missing facts. A 一般农户 is graded I
or V only: the combiner applies rules II–IV to 脱贫户 alone.

Every public name of those modules stays importable from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policy.derived import Derived, derive, income_drop, weak_labour
from policy.facts import (
    CATEGORIES,
    GENERAL,
    GUARANTEE_ZH,
    INCOME_SOURCES,
    LABOUR,
    MAX_AMOUNT,
    MOTIVATIONS,
    REGISTERED,
    FactError,
    HouseholdFacts,
    parse_facts,
)
from policy.levels import Level
from policy.measures import (
    CAUSES,
    GUARANTEES,
    Measure,
    Proposal,
    has_no_labour,
    proposal_for,
)
from policy.parameters import ParameterSet
from policy.rules import (
    FIRED,
    NOT_FIRED,
    NOT_FIRED_RESULTS,
    R_GUARANTEE,
    R_INCOME,
    R_NO_LABOUR,
    R_STABLE,
    R_WEAK_DRIVE,
    R_WEAK_LABOUR,
    REGISTERED_ONLY,
    RULE_LEVELS,
    RULES,
    UNDETERMINED,
    Outcome,
    Rule,
    RuleResult,
    rule_guarantee_unmet,
    rule_income_below_line,
    rule_no_labour_transfer_only,
    rule_weak_drive,
    rule_weak_labour_unstable_income,
    stable_result,
    undetermined,
)

__all__ = [
    "CATEGORIES", "CAUSES", "FIRED", "GENERAL", "GUARANTEES", "GUARANTEE_ZH", "INCOME_SOURCES",
    "LABOUR", "MAX_AMOUNT", "MOTIVATIONS", "NOT_FIRED", "REGISTERED", "REGISTERED_ONLY",
    "RULES", "RULE_LEVELS", "R_GUARANTEE", "R_INCOME", "R_NO_LABOUR", "R_STABLE",
    "R_WEAK_DRIVE", "R_WEAK_LABOUR", "UNDETERMINED", "Combined", "Derived", "FactError",
    "Grading", "combine",
    "HouseholdFacts", "Measure", "Outcome", "Rule", "RuleResult", "derive", "evaluate_rules",
    "grade", "grade_record", "income_drop", "parse_facts", "rule_guarantee_unmet",
    "rule_income_below_line", "rule_no_labour_transfer_only", "rule_weak_drive",
    "rule_weak_labour_unstable_income", "rules_after_income", "stable_result", "weak_labour",
]


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


# I.income_below_line comes first (RULES is highest level first); then these, for every household
_AFTER_INCOME = tuple(r for rid, r in RULES if rid not in REGISTERED_ONLY and rid != R_INCOME)
_FOR_REGISTERED = tuple(r for rid, r in RULES if rid in REGISTERED_ONLY)
_NOT_FOR_GENERAL = [NOT_FIRED_RESULTS[rid] for rid, _ in RULES if rid in REGISTERED_ONLY]


def evaluate_rules(
    f: HouseholdFacts, p: ParameterSet, d: Derived | None = None
) -> list[RuleResult]:
    """Every rule I–IV in order, the 一般农户 restriction and an unknown category applied."""
    if d is None:
        d = derive(f)
    return [rule_income_below_line(f, d, p), *rules_after_income(f, p, d)]


def rules_after_income(
    f: HouseholdFacts, p: ParameterSet, d: Derived | None = None
) -> list[RuleResult]:
    """`evaluate_rules` without its first rule (I.income_below_line, the one that needs the
    household's income figures beyond whether wage or production income is earned)."""
    if d is None:
        d = derive(f)
    out = [rule(f, d, p) for rule in _AFTER_INCOME]
    cat = f.category
    if cat == REGISTERED:
        out += [rule(f, d, p) for rule in _FOR_REGISTERED]
    elif cat == GENERAL:
        out += _NOT_FOR_GENERAL
    else:  # unknown category: a II–IV rule that would fire is only undetermined
        for rule in _FOR_REGISTERED:
            r = rule(f, d, p)
            out.append(
                r if r.outcome is NOT_FIRED else undetermined(r.rule, ("category", *r.missing))
            )
    return out


@dataclass(slots=True)
class Combined:
    """What the rule results decide: level, provisional, missing facts, fired rules."""

    level: Level
    provisional: bool
    missing: tuple[str, ...]
    fired: list[RuleResult]  # empty when level V (the caller adds the stable result)
    undetermined: list[RuleResult]


def combine(results: list[RuleResult]) -> Combined:
    """The highest fired level (V if none); provisional if a rule above it is undetermined."""
    fired = [r for r in results if r.outcome is FIRED]
    level = fired[0].level if fired else Level.V
    undetermined_ = [r for r in results if r.outcome is UNDETERMINED]
    missing: tuple[str, ...] = ()
    if undetermined_:
        rank = level.rank
        above = [r for r in undetermined_ if r.level.rank < rank]
        missing = tuple(dict.fromkeys(m for r in above for m in r.missing))
    return Combined(level, bool(missing), missing, fired, undetermined_)


def grade(f: HouseholdFacts, p: ParameterSet) -> Grading:
    """Grade typed facts with the parameter set `p`."""
    d = derive(f)
    c = combine(evaluate_rules(f, p, d))
    fired = c.fired or [stable_result(d, p, c.provisional)]
    proposal = proposal_for(c.level, f.causes, f.guarantees, has_no_labour(f.labour))
    return Grading(c.level, c.provisional, c.missing, fired, c.undetermined, proposal, p.version)


def grade_record(obj: Any, p: ParameterSet) -> Grading:
    """Parse a decoded JSON household and grade it; raises `FactError` on a bad fact."""
    return grade(parse_facts(obj), p)
