"""The eleven reverse-warning criteria (反向预警), each a table of households (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from policy.reverse_warning import (
    CRITERIA,
    ChangeRecord,
    HitRecord,
    HouseholdRecord,
    PersonRecord,
    RosterSettings,
    criterion_keys,
    evaluate,
)
from policy.screening_rules import load_screening_rules

AS_OF = dt.date(2026, 12, 1)
RULES = load_screening_rules()
SETTINGS = RosterSettings(8700, 1.5, AS_OF, RULES.registered_categories, RULES.roster)
OLD = dt.date(1950, 3, 1)
ADULT = dt.date(1980, 3, 1)


def person(name="王发红", id_number="A1", born=ADULT, **kw) -> PersonRecord:
    return PersonRecord(name, id_number, born, **kw)


def home(category="脱贫户", members=(), hits=(), changes=(), size=None, pc=5000):
    members = tuple(members) or (person(),)
    return HouseholdRecord("H1", category, size if size is not None else len(members), pc,
                           tuple(members), tuple(hits), tuple(changes))


def outsider(*hits: HitRecord) -> HouseholdRecord:
    return HouseholdRecord(None, None, members=(person(id_number="Z9"),), hits=hits)


def hit(cause, day=dt.date(2026, 9, 1), **figures) -> HitRecord:
    return HitRecord("A1", "王发红", cause, day, dt.date(2026, 11, 30), figures)


def met(household: HouseholdRecord, key: str) -> list[str]:
    return [reason.text for reason in evaluate(household, SETTINGS, [key])]


def test_there_are_eleven_criteria_with_the_seeds_names():
    assert len(CRITERIA) == 11
    assert [c.title for c in CRITERIA] == [
        "人均纯收入略高于监测标准", "脱贫户中患有残疾", "脱贫户中患有大病", "脱贫户中患有慢病",
        "贫困人口中九年级或普通高中三年级在校生", "新患病", "新入中高职、民办大学",
        "因灾致残、因灾致亡", "农村未纳入贫困户的低保户", "农村未纳入贫困户的特困户",
        "农村60岁以上独人户",
    ]


@pytest.mark.parametrize(
    ("household", "expected"),
    [
        (home(pc=8700), False),
        (home(pc=8701), True),
        (home(pc=13050), True),
        (home(pc=13051), False),
        (home(pc=None), False),
        (home(category="一般农户", pc=10000), True),
        (outsider(), False),
    ],
)
def test_income_slightly_above_the_line(household, expected):
    assert bool(met(household, "income_slightly_above")) is expected


@pytest.mark.parametrize(
    ("key", "household", "expected"),
    [
        ("registered_disability", home(members=[person(health="残疾")]), ["残疾"]),
        ("registered_disability", home(category="监测户", members=[person(health="残疾")]),
         ["残疾"]),
        ("registered_disability", home(category="一般农户", members=[person(health="残疾")]), []),
        ("registered_disability", home(hits=[hit("disability")]), ["新办残疾人证"]),
        ("registered_serious_illness", home(members=[person(health="患有大病")]), ["患有大病"]),
        ("registered_serious_illness", home(members=[person(health="长期慢性病")]), []),
        ("registered_serious_illness", home(hits=[hit("illness")]), ["新患大(重)病（卫健数据）"]),
        ("registered_chronic_illness", home(members=[person(health="长期慢性病")]),
         ["长期慢性病"]),
        ("registered_chronic_illness", home(members=[person(health="健康")]), []),
        ("registered_chronic_illness", home(category="一般农户",
                                            members=[person(health="长期慢性病")]), []),
    ],
)
def test_registered_households_with_disability_serious_or_chronic_illness(key, household,
                                                                          expected):
    assert met(household, key) == expected


@pytest.mark.parametrize(
    ("household", "expected"),
    [
        (home(members=[person(schooling="九年级")]), ["在校生（九年级）"]),
        (home(members=[person(schooling="高三")]), ["在校生（高三）"]),
        (home(members=[person(schooling="高二")]), []),
        (home(members=[person(schooling="中职")]), []),
        (home(category="一般农户", members=[person(schooling="九年级")]), []),
        (home(hits=[hit("schooling", grade="高三", stage="高中")]), ["在校生（高三）"]),
        (home(members=[person(schooling="九年级")], hits=[hit("schooling", grade="九年级")]),
         ["在校生（九年级）"]),
    ],
)
def test_students_in_grade_9_or_senior_3_of_poor_households(household, expected):
    assert met(household, "key_grade_student") == expected


@pytest.mark.parametrize(
    ("household", "expected"),
    [
        (home(hits=[hit("illness")]), 1),
        (home(hits=[hit("illness", day=dt.date(2025, 11, 1))]), 0),
        (home(hits=[hit("illness", day=None)]), 1),
        (outsider(hit("illness")), 1),
        (home(changes=[ChangeRecord("A1", "王发红", "health", "健康", "患有大病",
                                    dt.date(2026, 11, 30))]), 1),
        (home(changes=[ChangeRecord("A1", "王发红", "health", "长期慢性病", "患有大病",
                                    dt.date(2026, 11, 30))]), 0),
        (home(changes=[ChangeRecord("A1", "王发红", "health", "患有大病", "健康",
                                    dt.date(2026, 11, 30))]), 0),
        (home(hits=[hit("disability")]), 0),
    ],
)
def test_newly_ill(household, expected):
    assert len(met(household, "newly_ill")) == expected


@pytest.mark.parametrize(
    ("figures", "day", "expected"),
    [
        ({"stage": "中职", "grade": "中职", "school": "屏山中学"}, None,
         ["新入中高职（屏山中学）"]),
        ({"stage": "高职", "school": "某职业技术学院"}, dt.date(2026, 9, 1),
         ["新入中高职（某职业技术学院）"]),
        ({"stage": "本科", "ownership": "民办", "school": "某大学"}, None,
         ["新入民办大学（某大学）"]),
        ({"stage": "本科", "ownership": "公办", "school": "云南大学"}, None, []),
        ({"stage": "高中", "grade": "高三", "ownership": "民办"}, None, []),
        ({"stage": "初中", "grade": "九年级", "school": "某职业学院"}, None, []),
        ({"stage": "中职"}, dt.date(2024, 9, 1), []),
    ],
)
def test_newly_enrolled_in_vocational_school_or_private_university(figures, day, expected):
    record = HitRecord("A1", "王发红", "schooling", day, dt.date(2026, 11, 30), figures)
    assert met(home(hits=[record]), "new_vocational_or_private") == expected


@pytest.mark.parametrize(
    ("hits", "expected"),
    [
        ([hit("disability", by_disaster=True)], ["因灾致残"]),
        ([hit("disability", by_disaster=False)], []),
        ([hit("death", by_disaster=True)], ["因灾致亡"]),
        ([hit("death", by_disaster=False)], []),
        ([hit("disaster", deaths=2)], ["受灾家庭因灾致亡2人"]),
        ([hit("disaster", deaths=0, house_damage="全倒")], []),
    ],
)
def test_disabled_or_dead_by_disaster(hits, expected):
    assert met(home(hits=hits), "disaster_disabled_or_dead") == expected
    assert met(home(category="一般农户", hits=hits), "disaster_disabled_or_dead") == expected


@pytest.mark.parametrize(
    ("key", "household", "expected"),
    [
        ("dibao_not_registered", home(category="一般农户", members=[person(dibao=True)]),
         ["享受低保，户类型为一般农户"]),
        ("dibao_not_registered", home(members=[person(dibao=True)]), []),
        ("dibao_not_registered", home(category="监测户", members=[person(dibao=True)]), []),
        ("dibao_not_registered", outsider(hit("dibao", rural=True, aid_type="农村低保")),
         ["民政低保对象，未在台账中"]),
        ("dibao_not_registered", outsider(hit("dibao", rural=False, aid_type="城市低保")), []),
        ("dibao_not_registered", home(category="一般农户", hits=[hit("tekun", rural=True)]), []),
        ("tekun_not_registered", home(category="一般农户", members=[person(tekun=True)]),
         ["享受特困供养，户类型为一般农户"]),
        ("tekun_not_registered", outsider(hit("tekun", rural=True)),
         ["民政特困供养对象，未在台账中"]),
        ("tekun_not_registered", home(members=[person(tekun=True)]), []),
    ],
)
def test_rural_dibao_and_tekun_not_in_the_poverty_registry(key, household, expected):
    assert met(household, key) == expected


@pytest.mark.parametrize(
    ("household", "expected"),
    [
        (home(members=[person(born=OLD)]), ["76岁，独自一人生活"]),
        (home(members=[person(born=dt.date(1966, 12, 1))]), ["60岁，独自一人生活"]),
        (home(members=[person(born=dt.date(1966, 12, 2))]), []),
        (home(members=[person(born=OLD), person(id_number="A2")]), []),
        (home(members=[person(born=OLD)], size=2), []),
        (home(category="一般农户", members=[person(born=OLD)]), ["76岁，独自一人生活"]),
        (outsider(), []),
    ],
)
def test_rural_people_aged_60_or_more_living_alone(household, expected):
    assert met(household, "elderly_alone") == expected


def test_reasons_carry_who_and_the_figures_and_follow_the_table_order():
    household = home(members=[person(health="残疾", born=OLD)], pc=9000)
    reasons = evaluate(household, SETTINGS)
    assert [r.criterion for r in reasons] == ["income_slightly_above", "registered_disability",
                                              "elderly_alone"]
    assert reasons[0].figures == {"income_per_capita": 9000, "poverty_line": 8700,
                                  "upper": 13050.0}
    assert (reasons[1].name, reasons[1].id_number) == ("王发红", "A1")


def test_criteria_are_chosen_by_key_or_chinese_name():
    assert criterion_keys(None) == tuple(c.key for c in CRITERIA)
    assert criterion_keys(["newly_ill,农村60岁以上独人户"]) == ("newly_ill", "elderly_alone")
    with pytest.raises(ValueError, match="未知"):
        criterion_keys(["rich"])
