"""Department causes and the rules that open warning cases: pure tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from policy.department_causes import DepartmentHit, casualty_counts, hits_for
from policy.screening_rules import (
    HouseholdFacts,
    MemberFacts,
    ScreeningRulesError,
    case_cause,
    decide,
    load_screening_rules,
    parse_screening_rules,
)

RULES = load_screening_rules()
DAY = dt.date(2026, 8, 14)


@pytest.mark.parametrize(
    ("kind", "values", "cause", "figures"),
    [
        ("health", {"disease": "尿毒症", "total_cost": 1000, "reimbursed": 600},
         "illness", {"out_of_pocket": 400, "disease": "尿毒症"}),
        ("health", {"out_of_pocket": 85533, "total_cost": 193856}, "illness",
         {"out_of_pocket": 85533}),
        ("disability", {"disability_grade": "三级", "disability_cause": "因灾"}, "disability",
         {"grade_level": 3, "by_disaster": True}),
        ("disability", {"disability_grade": "四级", "disability_cause": "疾病"}, "disability",
         {"by_disaster": False}),
        ("disaster", {"house_damage": "全倒", "casualties": "1人死亡2人受伤"}, "disaster",
         {"deaths": 1, "injuries": 2}),
        ("housing", {"house_damage": "D级"}, "disaster", {"house_damage": "D级"}),
        ("education", {"stage": "中职", "grade": "中职", "ownership": "公办"}, "schooling",
         {"stage": "中职"}),
        ("civil", {"aid_type": "农村低保", "hukou_type": "农业"}, "dibao", {"rural": True}),
        ("civil", {"aid_type": "城市低保"}, "dibao", {"rural": False}),
        ("civil", {"aid_type": "农村特困供养"}, "tekun", {"rural": True}),
        ("police", {"death_cause": "泥石流"}, "death", {"by_disaster": True}),
        ("police", {"death_cause": "疾病"}, "death", {"by_disaster": False}),
    ],
)
def test_each_kind_of_row_gives_its_cause_and_figures(kind, values, cause, figures):
    (hit,) = hits_for(kind, values)
    assert hit.cause == cause
    assert {key: hit.figures[key] for key in figures} == figures


def test_a_civil_row_of_other_aid_carries_no_hit_and_unknown_kinds_raise():
    assert hits_for("civil", {"aid_type": "临时救助"}) == []
    with pytest.raises(ValueError, match="unknown department kind"):
        hits_for("tax", {})


def test_casualty_counts():
    assert casualty_counts("无") == (0, 0)
    assert casualty_counts("1人受伤") == (0, 1)
    assert casualty_counts("2人死亡、3人受伤") == (2, 3)


def _hit(cause, **figures):
    return DepartmentHit(cause, DAY, figures)


HEALTHY = MemberFacts("健康", "normal")
POOR = HouseholdFacts("脱贫户", 6, 30000)


@pytest.mark.parametrize(
    ("hit", "member", "household", "rules"),
    [
        (_hit("illness", out_of_pocket=85533, disease="尿毒症"), HEALTHY, POOR,
         ["illness.cost_share", "illness.new_serious"]),
        (_hit("illness", out_of_pocket=15001, disease="骨折"), HEALTHY, POOR,
         ["illness.cost_share"]),
        (_hit("illness", out_of_pocket=15000, disease="骨折"), HEALTHY, POOR, []),
        (_hit("illness", out_of_pocket=3851, disease="心脏病"), MemberFacts("患有大病", "weak"),
         POOR, []),
        (_hit("illness", out_of_pocket=10886, disease="白血病"), HEALTHY, POOR,
         ["illness.new_serious"]),
        (_hit("illness", out_of_pocket=100, disease="感冒"), HEALTHY,
         HouseholdFacts("一般农户", 1, 0), ["illness.cost_share"]),
        (_hit("illness", out_of_pocket=None, disease="感冒"), HEALTHY, POOR, []),
        (_hit("disaster", house_damage="全倒", deaths=0), HEALTHY, POOR, ["disaster.house_damage"]),
        (_hit("disaster", house_damage="严重损坏", deaths=0), HEALTHY, POOR,
         ["disaster.house_damage"]),
        (_hit("disaster", house_damage="一般损坏", deaths=0), HEALTHY, POOR, []),
        (_hit("disaster", house_damage="一般损坏", deaths=1), HEALTHY, POOR, ["disaster.death"]),
        (_hit("disability", by_disaster=True, grade="一级"), HEALTHY, POOR,
         ["disability.by_disaster"]),
        (_hit("disability", by_disaster=False, grade="一级"), HEALTHY, POOR, []),
        (_hit("death", by_disaster=True, reason="泥石流"), MemberFacts("健康", "none"), POOR,
         ["death.by_disaster"]),
        (_hit("death", by_disaster=False, reason="意外"), HEALTHY, POOR,
         ["death.working_member"]),
        (_hit("death", by_disaster=False, reason="疾病"), MemberFacts("健康", "none"), POOR, []),
        (_hit("schooling", grade="九年级"), HEALTHY, POOR, []),
        (_hit("dibao", rural=True), HEALTHY, POOR, []),
    ],
)
def test_which_hits_open_a_case(hit, member, household, rules):
    decision = decide(hit, member, household, RULES)
    assert [rule.rule for rule in decision.rules] == rules
    assert decision.opens is bool(rules)


def test_people_not_in_the_registry_never_open_a_case():
    assert not decide(_hit("disaster", house_damage="全倒"), None, None, RULES).opens


def test_rules_are_parameters():
    no_working_member = replace(RULES, death_of_working_member=False)
    assert not decide(_hit("death", reason="意外"), HEALTHY, POOR, no_working_member).opens
    strict = replace(RULES, medical_cost_share=3.0, new_serious_illness=False)
    assert not decide(_hit("illness", out_of_pocket=85533, disease="尿毒症"), HEALTHY, POOR,
                      strict).opens


def test_fired_rules_explain_themselves_with_figures():
    decision = decide(_hit("illness", out_of_pocket=85533, disease="尿毒症"), HEALTHY, POOR, RULES)
    cost = decision.rules[0]
    assert cost.figures == {"out_of_pocket": 85533, "annual_income": 30000, "share_limit": 0.5}
    assert "85,533" in cost.text and "30,000" in cost.text
    assert all("尿毒症" not in rule.text for rule in decision.rules)


@pytest.mark.parametrize(
    ("hit", "expected"),
    [(_hit("illness"), "illness"), (_hit("disaster"), "disaster"),
     (_hit("disability"), "disability"), (_hit("death", by_disaster=True), "disaster"),
     (_hit("death", reason="意外"), "accident"), (_hit("death", reason="疾病"), "illness"),
     (_hit("death", reason="不详"), "other"), (_hit("schooling"), "other")],
)
def test_case_cause_uses_the_self_report_keys(hit, expected):
    assert case_cause(hit) == expected


def test_the_rules_file_is_versioned_and_checked():
    assert RULES.version == "screening-2026.2"
    assert RULES.registered_categories == ("脱贫户", "监测户", "脱贫不稳定户", "边缘易致贫户",
                                           "突发严重困难户")
    with pytest.raises(ScreeningRulesError, match="version"):
        parse_screening_rules({})
    with pytest.raises(ScreeningRulesError, match="未知"):
        parse_screening_rules({"version": "x", "extra": 1})
    base = {"version": "x", "registered_categories": ["脱贫户"],
            "open_case": {"medical_cost_share": -1}}
    with pytest.raises(ScreeningRulesError, match="medical_cost_share"):
        parse_screening_rules(base)
