"""Unit tables for the grading rules, the combiner, parameters, measures and risk removal."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest

from policy.grading import (
    FIRED,
    NOT_FIRED,
    UNDETERMINED,
    FactError,
    evaluate_rules,
    grade_record,
    parse_facts,
)
from policy.levels import LEVELS, Level
from policy.measures import (
    NEEDS,
    CatalogueError,
    Measure,
    load_catalogue,
    parse_catalogue,
    propose_measures,
)
from policy.parameters import (
    MissingParametersError,
    ParameterError,
    ParameterSet,
    load_parameter_file,
    parse_parameter_data,
)
from policy.risk_removal import assess_risk_removal

P = ParameterSet(version="unit", year=2026, poverty_line=4000)

BASE: dict[str, Any] = {
    "year": 2026,
    "category": "脱贫户",
    "members": [{"labour": "normal"}, {"labour": "normal"}, {"labour": "none"}],
    "income": {"wage": 30000, "production": 6000, "transfer": 1200, "property": 0},
    "income_last_year": 36000,
    "rigid_expense": 0,
    "causes": [],
    "income_stable": True,
    "project_driven": False,
    "guarantees": {
        "food_clothing": True,
        "education": True,
        "medical": True,
        "housing": True,
        "water": True,
    },
    "motivation": "strong",
    "has_plan": True,
}


def household(**changes: Any) -> dict[str, Any]:
    """BASE with top-level changes; `income__wage=…` / `guarantees__medical=…` set one entry;
    the value `...` deletes the key (unknown by absence)."""
    h = copy.deepcopy(BASE)
    for key, value in changes.items():
        target, _, sub = key.partition("__")
        where, name = (h[target], sub) if sub else (h, target)
        if value is ...:
            where.pop(name, None)
        else:
            where[name] = value
    return h


def labour(*kinds: str | None) -> list[dict[str, Any]]:
    return [{"labour": k} for k in kinds]


def outcomes(h: dict[str, Any]) -> dict[str, str]:
    return {r.rule: r.outcome.value for r in evaluate_rules(parse_facts(h), P)}


def graded(h: dict[str, Any]) -> tuple[str, bool, list[str]]:
    g = grade_record(h, P)
    return g.level.value, g.provisional, [r.rule for r in g.rules]


# ---------------------------------------------------------------- levels


def test_levels_colours_names_words() -> None:
    assert [lv.colour for lv in LEVELS] == list("红蓝紫黄绿")
    assert [lv.word for lv in LEVELS] == list("帮扶带引提")
    assert Level.I.name_zh == "一级（红色）预警"
    assert Level.V.name_zh == "五级（绿色）标识"
    assert Level.I.more_severe_than(Level.II) and not Level.V.is_warning
    assert Level.from_word("引") is Level.IV and Level.from_rank(3) is Level.III


# ---------------------------------------------------------------- parsing


BAD_FACTS = [
    ([], None),
    ("x", None),
    (household(year=...), "year"),
    (household(year="2026"), "year"),
    (household(year=True), "year"),
    (household(category="贫困户"), "category"),
    (household(members="3"), "members"),
    (household(members=[]), "members"),
    (household(members=[1]), "members[0]"),
    (household(members=labour("normal", "strong")), "members[1].labour"),
    (household(members=[{"labour": ["weak"]}]), "members[0].labour"),
    (household(income=[1, 2]), "income"),
    (household(income__wages=1), "income.wages"),
    (household(income__wage=-1), "income.wage"),
    (household(income__production="1000"), "income.production"),
    (household(income__transfer=True), "income.transfer"),
    (household(income__property=math.nan), "income.property"),
    (household(income__wage=math.inf), "income.wage"),
    (household(income__wage=1e13), "income.wage"),
    (household(rigid_expense=-5), "rigid_expense"),
    (household(income_last_year="36000"), "income_last_year"),
    (household(causes="illness"), "causes"),
    (household(causes=["illness", "flood"]), "causes[1]"),
    (household(causes=[["illness"]]), "causes[0]"),
    (household(income_stable="yes"), "income_stable"),
    (household(project_driven=1), "project_driven"),
    (household(guarantees=[True]), "guarantees"),
    (household(guarantees__food=True), "guarantees.food"),
    (household(guarantees__medical=1), "guarantees.medical"),
    (household(motivation="high"), "motivation"),
    (household(has_plan=0), "has_plan"),
]


@pytest.mark.parametrize(("obj", "field"), BAD_FACTS)
def test_bad_fact_names_its_field(obj: Any, field: str | None) -> None:
    with pytest.raises(FactError) as err:
        parse_facts(obj)
    assert err.value.field == field
    assert err.value.message


def test_absent_and_null_facts_are_unknown() -> None:
    f = parse_facts({"year": 2026, "category": None, "members": labour(None, "weak")})
    assert f.category is None and f.labour == (None, "weak")
    assert f.wage is f.rigid_expense is f.causes is f.motivation is f.has_plan is None
    assert f.guarantees == (None,) * 5
    f = parse_facts(household(income={"wage": 100}, guarantees={"water": False}))
    assert (f.wage, f.production, f.transfer, f.property) == (100, None, None, None)
    assert f.unmet_guarantees() == ("water",)


def test_extra_top_level_keys_are_ignored() -> None:
    assert graded(household(case="x", expected_level="V", name="张*华"))[0] == "V"


# ---------------------------------------------------------------- rules


RULE_TABLE = [
    # I.income_below_line: pc = (income - expense) / size < line
    ("I.income_below_line", household(rigid_expense=30000), FIRED),
    ("I.income_below_line", household(income__wage=4799), FIRED),  # pc = 3,999.67
    ("I.income_below_line", household(income__wage=4800), NOT_FIRED),  # pc = 4000 exactly
    ("I.income_below_line", household(rigid_expense=None, income__wage=0), FIRED),  # pc <= 2400
    ("I.income_below_line", household(rigid_expense=None), UNDETERMINED),
    ("I.income_below_line", household(income__production=None), NOT_FIRED),  # >= 31,200 / 3
    ("I.income_below_line", household(income__wage=None, rigid_expense=20000), UNDETERMINED),
    ("I.income_below_line", household(members=None), UNDETERMINED),
    # I.guarantee_unmet
    ("I.guarantee_unmet", household(guarantees__water=False), FIRED),
    ("I.guarantee_unmet", household(guarantees__water=None, guarantees__housing=False), FIRED),
    ("I.guarantee_unmet", household(guarantees__water=None), UNDETERMINED),
    ("I.guarantee_unmet", household(guarantees=None), UNDETERMINED),
    ("I.guarantee_unmet", household(), NOT_FIRED),
    # II.no_labour_transfer_only
    (
        "II.no_labour_transfer_only",
        household(members=labour("lost", "none"), income__wage=0, income__production=0),
        FIRED,
    ),
    (
        "II.no_labour_transfer_only",
        household(members=labour("lost", "none"), income__wage=0, income__production=1),
        NOT_FIRED,
    ),
    (
        "II.no_labour_transfer_only",
        household(members=labour("lost", "weak"), income__wage=0, income__production=0),
        NOT_FIRED,
    ),
    (
        "II.no_labour_transfer_only",
        household(members=labour("lost", None), income__wage=0, income__production=0),
        UNDETERMINED,
    ),
    ("II.no_labour_transfer_only", household(members=labour("lost", None)), NOT_FIRED),
    (
        "II.no_labour_transfer_only",
        household(members=labour("lost"), income__wage=0, income__production=None),
        UNDETERMINED,
    ),
    # III.weak_labour_unstable_income
    (
        "III.weak_labour_unstable_income",
        household(members=labour("normal", "weak"), income_stable=False),
        FIRED,
    ),
    (
        "III.weak_labour_unstable_income",
        household(members=labour("normal", "temporary_loss"), project_driven=True),
        FIRED,
    ),
    (
        "III.weak_labour_unstable_income",
        household(members=labour("normal", "none", "none"), income_stable=False),
        NOT_FIRED,
    ),  # 1/3
    (
        "III.weak_labour_unstable_income",
        household(members=labour("normal", *["none"] * 3), income_stable=False),
        FIRED,
    ),  # 1/4
    ("III.weak_labour_unstable_income", household(members=labour("normal", "weak")), NOT_FIRED),
    (
        "III.weak_labour_unstable_income",
        household(members=labour("normal", "weak"), income_stable=None),
        UNDETERMINED,
    ),
    (
        "III.weak_labour_unstable_income",
        household(members=labour("normal", None), income_stable=False),
        UNDETERMINED,
    ),
    (
        "III.weak_labour_unstable_income",
        household(members=labour(None, "none", "none", "none"), income_stable=False),
        FIRED,
    ),  # <= 1/4
    # IV.weak_drive
    ("IV.weak_drive", household(motivation="average"), FIRED),
    ("IV.weak_drive", household(has_plan=False), FIRED),
    ("IV.weak_drive", household(motivation=None, has_plan=False), FIRED),
    ("IV.weak_drive", household(motivation=None), UNDETERMINED),
    ("IV.weak_drive", household(has_plan=None), UNDETERMINED),
    ("IV.weak_drive", household(), NOT_FIRED),
]


@pytest.mark.parametrize(("rule", "h", "expected"), RULE_TABLE)
def test_rule(rule: str, h: dict[str, Any], expected: str) -> None:
    assert outcomes(h)[rule] == expected


def test_undetermined_rule_lists_its_missing_facts() -> None:
    results = {
        r.rule: r
        for r in evaluate_rules(
            parse_facts(
                household(
                    members=labour("weak", None),
                    income__wage=None,
                    rigid_expense=None,
                    income_stable=None,
                    guarantees__medical=None,
                    motivation=None,
                )
            ),
            P,
        )
    }
    assert results["I.income_below_line"].missing == ("income.wage", "rigid_expense")
    assert results["I.guarantee_unmet"].missing == ("guarantees.medical",)
    assert results["III.weak_labour_unstable_income"].missing == ("income_stable",)
    assert results["IV.weak_drive"].missing == ("motivation",)


def test_fired_rules_report_figures_and_text() -> None:
    g = grade_record(household(rigid_expense=30000, income_last_year=40000), P)
    (rule,) = g.to_dict()["rules"]
    assert rule["figures"]["pc"] == 2400.0 and rule["figures"]["poverty_line"] == 4000
    assert rule["figures"]["income_drop"] == 0.07
    assert "2,400" in rule["text"] and "4,000" in rule["text"] and "7%" in rule["text"]


# ---------------------------------------------------------------- combiner


COMBINER_TABLE = [
    (household(), ("V", False, ["V.stable"])),
    (
        household(rigid_expense=30000, motivation="weak"),
        ("I", False, ["I.income_below_line", "IV.weak_drive"]),
    ),
    (
        household(rigid_expense=30000, guarantees__water=None),  # same level: not provisional
        ("I", False, ["I.income_below_line"]),
    ),
    (household(rigid_expense=None, motivation="weak"), ("IV", True, ["IV.weak_drive"])),
    # 一般农户: I or V only
    (
        household(
            category="一般农户",
            members=labour("lost", "none"),
            income__wage=0,
            income__production=0,
            income__transfer=9000,
            income_stable=False,
            motivation="weak",
            has_plan=False,
        ),
        ("V", False, ["V.stable"]),
    ),
    (
        household(category="一般农户", guarantees__housing=False),
        ("I", False, ["I.guarantee_unmet"]),
    ),
    (household(category="一般农户", motivation=None), ("V", False, ["V.stable"])),
    # unknown category: II–IV can only be undetermined
    (household(category=None, motivation="weak"), ("V", True, ["V.stable"])),
    (household(category=None), ("V", False, ["V.stable"])),
]


@pytest.mark.parametrize(("h", "expected"), COMBINER_TABLE)
def test_combiner(h: dict[str, Any], expected: tuple[str, bool, list[str]]) -> None:
    assert graded(h) == expected


def test_unknown_category_is_listed_as_missing() -> None:
    g = grade_record(household(category=None, has_plan=False), P)
    assert g.provisional and g.missing == ("category",)


def test_provisional_result_lists_missing_facts_above_the_level_only() -> None:
    g = grade_record(
        household(
            rigid_expense=None,
            motivation="weak",
            income_stable=None,
            members=labour("weak", "normal"),
        ),
        P,
    )
    assert (g.level, g.provisional) == (Level.IV, True)
    assert g.missing == ("rigid_expense", "income_stable")
    assert {r.rule for r in g.undetermined} == {
        "I.income_below_line",
        "III.weak_labour_unstable_income",
    }


def test_self_report_can_be_certain_of_level_one_but_not_of_green() -> None:
    report = {
        "year": 2026,
        "category": "脱贫户",
        "members": labour(None, None),
        "income": {"wage": 6000, "production": 0, "transfer": 0, "property": 0},
        "rigid_expense": 1000,
    }
    assert graded(report) == ("I", False, ["I.income_below_line"])
    report["rigid_expense"] = 0
    report["income"]["wage"] = 60000
    level, provisional, _ = graded(report)
    assert (level, provisional) == ("V", True)


def test_output_shape() -> None:
    out = grade_record(household(), P).to_dict()
    assert list(out) == [
        "level",
        "colour",
        "provisional",
        "missing",
        "rules",
        "measures",
        "parameters",
    ]
    assert out["parameters"] == "unit"
    assert {"id", "name", "word", "department"} == set(out["measures"][0])


# ---------------------------------------------------------------- parameters


def test_default_parameters_cover_current_and_past_years() -> None:
    pf = load_parameter_file()
    assert {2024, 2025, 2026} <= set(pf.available_years)
    p25 = pf.for_year(2025)
    assert p25.poverty_line == 8700 and p25.verified and "云农办通" in p25.source
    assert p25.weak_labour_ratio == pytest.approx(1 / 3)
    assert p25.slightly_above_factor == 1.5 and p25.min_monitoring_months == 6
    assert all(pf.for_year(y).source for y in pf.available_years)
    assert p25.ref == f"{pf.version}/2025"


def test_missing_year_is_an_error_naming_the_year() -> None:
    with pytest.raises(MissingParametersError) as err:
        load_parameter_file().for_year(2019)
    assert err.value.year == 2019 and "2019" in str(err.value)


TOML = """
version = "t-1"
[defaults]
weak_labour_ratio = 0.25
[years.2026]
poverty_line = 5000
[years.2026.counties."530128"]
poverty_line = 5500
verified = true
source = "county notice"
"""


def test_defaults_and_county_override(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(TOML, encoding="utf-8")
    pf = load_parameter_file(path)
    base, county = pf.for_year(2026), pf.for_year(2026, "530128")
    assert (base.poverty_line, base.weak_labour_ratio, base.county) == (5000, 0.25, None)
    assert (county.poverty_line, county.weak_labour_ratio, county.county) == (5500, 0.25, "530128")
    assert county.ref == "t-1/2026/530128" and county.verified
    assert pf.for_year(2026, "999999").poverty_line == 5000


BAD_PARAMS = [
    ({"years": {"2026": {"poverty_line": 1}}}, "version"),
    ({"version": "x"}, "years"),
    ({"version": "x", "years": {"2026": {}}}, "poverty_line"),
    ({"version": "x", "years": {"26": {"poverty_line": 1}}}, "years.26"),
    ({"version": "x", "years": {"2026": {"poverty_line": -1}}}, "poverty_line"),
    ({"version": "x", "years": {"2026": {"poverty_line": True}}}, "poverty_line"),
    ({"version": "x", "years": {"2026": {"poverty_line": 1, "povrety": 2}}}, "povrety"),
    (
        {"version": "x", "years": {"2026": {"poverty_line": 1, "weak_labour_ratio": 2}}},
        "weak_labour_ratio",
    ),
    (
        {"version": "x", "years": {"2026": {"poverty_line": 1, "min_monitoring_months": 6.5}}},
        "min_monitoring_months",
    ),
    ({"version": "x", "extra": 1, "years": {"2026": {"poverty_line": 1}}}, "extra"),
]


@pytest.mark.parametrize(("data", "named"), BAD_PARAMS)
def test_bad_parameter_data(data: dict[str, Any], named: str) -> None:
    with pytest.raises(ParameterError, match=named):
        parse_parameter_data(data)


def test_unreadable_parameter_files(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="无法读取"):
        load_parameter_file(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("version = ", encoding="utf-8")
    with pytest.raises(ParameterError, match="TOML"):
        load_parameter_file(bad)
    saved_as_gbk = tmp_path / "gbk.toml"  # what an office editor may save
    saved_as_gbk.write_bytes('version = "县里"\n'.encode("gbk"))
    with pytest.raises(ParameterError, match="不是 UTF-8 编码"):
        load_parameter_file(saved_as_gbk)


# ---------------------------------------------------------------- measures


def names(measures: list[Measure]) -> list[str]:
    return [m.name for m in measures]


CAUSE_MEASURES = [
    ("illness", {"医疗救助", "大病救治", "临时救助"}),
    ("disaster", {"临时救助", "危房改造", "灾后重建"}),
    ("schooling", {"教育资助", "雨露计划"}),
    ("disability", {"残疾人两项补贴", "公益性岗位"}),
    ("job_loss", {"就业帮扶", "技能培训", "公益性岗位"}),
    ("weak_labour", {"公益性岗位", "家庭岗位", "订单加工"}),
    ("weak_drive", {"技能培训", "创业培训"}),
    ("green", {"奖励激励（爱心超市积分）", "示范带动"}),
]


@pytest.mark.parametrize(("need", "expected"), CAUSE_MEASURES)
def test_catalogue_answers_each_need(need: str, expected: set[str]) -> None:
    assert expected <= {m.name for m in load_catalogue().answering(need)}


def test_catalogue_is_complete_and_consistent() -> None:
    cat = load_catalogue()
    assert {m.word for m in cat.measures} == set("帮扶带引提")
    assert all(m.department for m in cat.measures)
    for need in NEEDS:
        assert cat.answering(need), need
    assert cat.by_id("public_welfare_job").level is Level.III


def test_proposal_follows_level_and_causes() -> None:
    illness = propose_measures(Level.I, ["illness"])
    assert {"医疗救助", "大病救治", "临时救助", "点对点精准帮扶"} <= set(names(illness))
    assert {m.word for m in illness} == {"帮"}
    green = propose_measures(Level.V, [])
    assert names(green) == ["奖励激励（爱心超市积分）", "示范带动"]
    weak = propose_measures(Level.III, ["job_loss"])
    assert [m.word for m in weak][:2] == ["带", "带"]  # the level's own word first
    assert {"公益性岗位", "家庭岗位", "订单加工", "技能培训"} <= set(names(weak))


NEEDS_A_WORKER = {"就业帮扶", "公益性岗位", "技能培训", "创业培训", "家庭岗位", "订单加工",
                  "金融帮扶（小额信贷）"}


def test_a_household_where_nobody_can_work_gets_no_measure_that_needs_a_worker() -> None:
    for level, causes in ((Level.I, ["job_loss"]), (Level.II, ["disability"]),
                          (Level.IV, []), (Level.III, ["job_loss"])):
        got = set(names(propose_measures(level, causes, no_labour=True)))
        assert not got & NEEDS_A_WORKER, (level, got & NEEDS_A_WORKER)
        assert "低保兜底" in got, level
    graded = grade_record(household(members=[{"labour": "none"}, {"labour": "lost"}],
                                    causes=["job_loss"]), P)
    assert not {m.name for m in graded.measures} & NEEDS_A_WORKER
    assert "低保兜底" in {m.name for m in graded.measures}
    able = grade_record(household(members=[{"labour": "none"}, {"labour": "normal"}],
                                  causes=["job_loss"]), P)
    assert "就业帮扶" in {m.name for m in able.measures}  # one member can work


def test_at_level_v_the_help_for_a_cause_comes_before_the_green_incentives() -> None:
    got = names(propose_measures(Level.V, ["disaster"]))
    assert got[0] == "临时救助" and got[-2:] == ["奖励激励（爱心超市积分）", "示范带动"]


def test_proposal_answers_unmet_guarantees() -> None:
    facts = parse_facts(household(guarantees__housing=False, guarantees__water=False))
    got = names(propose_measures(Level.I, [], facts))
    assert "危房改造" in got and "饮水安全保障" in got
    assert grade_record(household(guarantees__housing=False), P).measures[1].name == "危房改造"


BAD_CATALOGUES = [
    {"measure": []},
    {
        "version": "x",
        "measure": [
            {"id": "a", "name": "A", "word": "好", "answers": ["green"], "department": "d"}
        ],
    },
    {
        "version": "x",
        "measure": [
            {"id": "a", "name": "A", "word": "提", "answers": ["flood"], "department": "d"}
        ],
    },
    {"version": "x", "measure": [{"id": "a", "name": "A", "word": "提", "answers": ["green"]}]},
    {
        "version": "x",
        "measure": [{"id": "a", "name": "A", "word": "提", "answers": ["green"], "department": "d"}]
        * 2,
    },
]


@pytest.mark.parametrize("data", BAD_CATALOGUES)
def test_bad_catalogue(data: dict[str, Any]) -> None:
    with pytest.raises(CatalogueError):
        parse_catalogue(data)


# ---------------------------------------------------------------- risk removal


READY = household(income__wage=30000)  # pc = 12,400


def removal(h: dict[str, Any], months: int | None = 7, measures: int | None = 1) -> Any:
    return assess_risk_removal(
        parse_facts(h), P, months_monitored=months, measures_in_place=measures
    )


def test_household_meeting_every_condition_is_eligible() -> None:
    r = removal(READY)
    assert r.eligible and not r.missing and r.parameters == "unit"
    assert all(c.ok for c in r.checks) and len(r.reasons) == len(r.checks)


REMOVAL_TABLE = [
    (READY, 5, 1, "monitoring_period"),
    (READY, 6, 0, "measures"),
    (household(income__wage=4800), 6, 1, "income_above_line"),  # exactly on the line
    (household(income_stable=False), 6, 1, "income_stable"),
    (household(guarantees__medical=False), 6, 1, "guarantees"),
    (household(members=labour("lost", "none"), income__wage=60000), 12, 3, "has_labour"),
]


@pytest.mark.parametrize(("h", "months", "measures", "failed"), REMOVAL_TABLE)
def test_removal_refused(h: dict[str, Any], months: int, measures: int, failed: str) -> None:
    r = removal(h, months, measures)
    assert not r.eligible
    assert [c.check for c in r.checks if c.ok is False] == [failed]
    assert r.reasons and all(r.reasons)


def test_no_labour_household_is_never_proposed_for_removal() -> None:
    r = removal(household(members=labour("none", "lost", "none"), income__wage=90000), 36, 5)
    assert not r.eligible
    assert "暂不标注风险消除" in r.reasons[0]


def test_unknown_facts_never_make_a_household_eligible() -> None:
    r = removal(
        household(rigid_expense=None, guarantees__water=None, members=labour("lost", None)), None, 2
    )
    assert not r.eligible
    assert set(r.missing) == {
        "members[1].labour",
        "monitoring_period",
        "rigid_expense",
        "guarantees.water",
    }
    assert all(c.ok is not False for c in r.checks)


def test_output_is_a_copy_of_shared_cached_results() -> None:
    h = household(guarantees__housing=False)
    out = grade_record(h, P).to_dict()
    out["rules"][0]["figures"]["unmet"].append("water")
    out["measures"][0]["name"] = "changed"
    again = grade_record(h, P).to_dict()
    assert again["rules"][0]["figures"]["unmet"] == ["housing"]
    assert again["measures"][0]["name"] != "changed"
