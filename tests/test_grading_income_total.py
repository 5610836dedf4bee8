"""`income_total`: a self-report knows this year's total income, not its sources."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.grade_command import encode_grading
from policy.grading import FIRED, UNDETERMINED, FactError, evaluate_rules, grade, parse_facts
from policy.levels import Level
from policy.parameters import ParameterSet
from policy.risk_removal import assess_risk_removal

P = ParameterSet(version="unit", year=2026, poverty_line=8700)


def self_report(**changes: Any) -> dict[str, Any]:
    h = {"year": 2026, "category": "脱贫户", "members": [{"labour": None}] * 3,
         "income_total": 35000, "rigid_expense": 22000, "income_last_year": 40000,
         "causes": ["illness"]}
    h.update(changes)
    return {k: v for k, v in h.items() if v is not ...}


def outcomes(h: dict[str, Any]) -> dict[str, Any]:
    return {r.rule: r for r in evaluate_rules(parse_facts(h), P)}


def test_total_income_fires_level_one_for_certain() -> None:
    g = grade(parse_facts(self_report()), P)
    assert (g.level, g.provisional, g.missing) == (Level.I, False, ())
    [rule] = g.rules
    assert rule.rule == "I.income_below_line" and rule.figures["pc"] == 4333.33
    assert rule.figures["total_income"] == 35000 and rule.figures["income_drop"] == 0.125
    assert "4,333.33" in rule.text and "8,700" in rule.text


def test_total_income_leaves_the_no_labour_rule_undetermined() -> None:
    results = outcomes(self_report(income_total=60000, rigid_expense=2000))
    assert results["I.income_below_line"].outcome.value == "not_fired"
    ii = results["II.no_labour_transfer_only"]
    assert ii.outcome is UNDETERMINED
    assert {"income.wage", "income.production"} <= set(ii.missing)
    g = grade(parse_facts(self_report(income_total=60000, rigid_expense=2000)), P)
    assert g.level is Level.V and g.provisional


def test_zero_total_income_means_no_wage_and_no_production() -> None:
    h = self_report(members=[{"labour": "none"}, {"labour": "lost"}], income_total=0,
                    rigid_expense=0)
    assert outcomes(h)["II.no_labour_transfer_only"].outcome is FIRED


def test_unknown_expense_with_known_total_bounds_from_above() -> None:
    low = outcomes(self_report(income_total=9000, rigid_expense=None))["I.income_below_line"]
    assert low.outcome is FIRED and low.figures["pc_max"] == 3000
    high = outcomes(self_report(income_total=90000, rigid_expense=None))["I.income_below_line"]
    assert high.outcome is UNDETERMINED and high.missing == ("rigid_expense",)


@pytest.mark.parametrize(
    ("income", "total"),
    [
        ({"wage": 1000, "production": 2000, "transfer": 300, "property": 0}, 3301),
        ({"wage": 5000}, 4999),
    ],
)
def test_total_that_disagrees_with_the_sources_names_the_field(income: dict, total: int) -> None:
    with pytest.raises(FactError) as err:
        parse_facts(self_report(income=income, income_total=total))
    assert err.value.field == "income_total" and "收入合计" in err.value.message


def test_total_that_agrees_with_the_sources_is_accepted() -> None:
    full = {"wage": 0.1, "production": 0.2, "transfer": 0, "property": 0}
    assert parse_facts(self_report(income=full, income_total=0.3)).income_total == 0.3
    partial = parse_facts(self_report(income={"wage": 5000}, income_total=35000))
    assert grade(partial, P).rules[0].figures["total_income"] == 35000


@pytest.mark.parametrize("bad", [-1, "35000", True, float("nan"), 1e13])
def test_bad_total_is_a_fact_error(bad: Any) -> None:
    with pytest.raises(FactError) as err:
        parse_facts(self_report(income_total=bad))
    assert err.value.field == "income_total"


def test_risk_removal_uses_the_total() -> None:
    f = parse_facts(self_report(income_total=90000, rigid_expense=0, income_stable=True))
    check = assess_risk_removal(f, P, months_monitored=8, measures_in_place=1)
    income = next(c for c in check.checks if c.check == "income_above_line")
    assert income.ok is True


@given(st.integers(0, 200_000), st.integers(0, 80_000), st.integers(1, 6))
def test_total_equals_the_same_sum_given_by_source(total: int, expense: int, size: int) -> None:
    members = [{"labour": "normal"}] * size
    by_total = grade(parse_facts(self_report(income_total=total, rigid_expense=expense,
                                             members=members)), P)
    by_source = grade(parse_facts(self_report(
        income_total=..., rigid_expense=expense, members=members,
        income={"wage": total, "production": 0, "transfer": 0, "property": 0})), P)
    assert by_total.level is by_source.level
    assert encode_grading(by_total) == json.dumps(by_total.to_dict(), ensure_ascii=False)
