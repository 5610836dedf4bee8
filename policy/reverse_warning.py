"""The reverse-warning roster (反向预警): the eleven criteria of the seed as pure functions.

Each criterion takes one household (or one person not in the registry) as plain records and
returns its reasons: who, what, and the figures used. The roster is every household with at
least one reason; cadres verify it door to door.

| key | 名称 |
| --- | --- |
| income_slightly_above | 人均纯收入略高于监测标准 (line < pc <= slightly_above_factor x line) |
| registered_disability | 脱贫户中患有残疾 |
| registered_serious_illness | 脱贫户中患有大病 |
| registered_chronic_illness | 脱贫户中患有慢病 |
| key_grade_student | 贫困人口中九年级或普通高中三年级在校生 |
| newly_ill | 新患病 |
| new_vocational_or_private | 新入中高职、民办大学 |
| disaster_disabled_or_dead | 因灾致残、因灾致亡 |
| dibao_not_registered | 农村未纳入贫困户的低保户 |
| tekun_not_registered | 农村未纳入贫困户的特困户 |
| elderly_alone | 农村60岁以上独人户 |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from policy.screening_rules import RosterFigures, contains_any


@dataclass(frozen=True, slots=True)
class PersonRecord:
    name: str
    id_number: str
    birth_date: dt.date | None = None
    health: str = ""
    schooling: str = ""
    dibao: bool = False
    tekun: bool = False


@dataclass(frozen=True, slots=True)
class HitRecord:
    """A screening hit: cause (illness, disability, disaster, schooling, death, dibao, tekun)."""

    id_number: str
    name: str
    cause: str
    event_date: dt.date | None = None
    reported_on: dt.date | None = None
    figures: Mapping[str, Any] = field(default_factory=dict)

    @property
    def date(self) -> dt.date | None:
        return self.event_date or self.reported_on


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """A registry value a newer import changed (health, schooling)."""

    id_number: str
    name: str
    field: str
    old: str
    new: str
    on: dt.date


@dataclass(frozen=True, slots=True)
class HouseholdRecord:
    """A registry household, or (code and category None) a person not in the registry."""

    code: str | None
    category: str | None
    size: int | None = None
    income_per_capita: int | None = None
    members: tuple[PersonRecord, ...] = ()
    hits: tuple[HitRecord, ...] = ()
    changes: tuple[ChangeRecord, ...] = ()


@dataclass(frozen=True)
class RosterSettings:
    poverty_line: float
    slightly_above_factor: float
    as_of: dt.date
    registered_categories: tuple[str, ...] = ("脱贫户", "监测户", "脱贫不稳定户", "边缘易致贫户",
                                              "突发严重困难户")
    figures: RosterFigures = field(default_factory=RosterFigures)


@dataclass(frozen=True, slots=True)
class Reason:
    criterion: str
    name: str
    id_number: str
    text: str
    figures: dict[str, Any] = field(default_factory=dict)


Check = Callable[[HouseholdRecord, RosterSettings], list[Reason]]


def registered(household: HouseholdRecord, settings: RosterSettings) -> bool:
    return household.category in settings.registered_categories


def is_new(day: dt.date | None, settings: RosterSettings) -> bool:
    return day is not None and 0 <= (settings.as_of - day).days <= settings.figures.new_within_days


def age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def income_slightly_above(h: HouseholdRecord, s: RosterSettings) -> list[Reason]:
    pc, line = h.income_per_capita, s.poverty_line
    upper = s.slightly_above_factor * line
    if h.category is None or pc is None or not line < pc <= upper:
        return []
    text = f"人均纯收入{pc:,}元，高于监测标准{line:,.0f}元但不超过{upper:,.0f}元"
    return [Reason("income_slightly_above", "", "", text,
                   {"income_per_capita": pc, "poverty_line": line, "upper": upper})]


def _registered_health(key: str, words: Callable[[RosterFigures], tuple[str, ...]],
                       hit_cause: str, hit_text: str) -> Check:  # fmt: skip
    def check(h: HouseholdRecord, s: RosterSettings) -> list[Reason]:
        if not registered(h, s):
            return []
        out = [Reason(key, m.name, m.id_number, m.health, {"health": m.health})
               for m in h.members if contains_any(m.health, words(s.figures))]  # fmt: skip
        listed = {r.id_number for r in out}
        out += [Reason(key, hit.name, hit.id_number, hit_text, {"date": _iso(hit.date)})
                for hit in h.hits if hit.cause == hit_cause and hit.id_number not in listed]
        return out

    return check


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def key_grade_student(h: HouseholdRecord, s: RosterSettings) -> list[Reason]:
    if not registered(h, s):
        return []
    grades = s.figures.key_grades
    out = [Reason("key_grade_student", m.name, m.id_number, f"在校生（{m.schooling}）",
                  {"grade": m.schooling}) for m in h.members if m.schooling in grades]
    listed = {r.id_number for r in out}
    out += [Reason("key_grade_student", hit.name, hit.id_number,
                   f"在校生（{hit.figures.get('grade', '')}）",
                   {"grade": hit.figures.get("grade", "")})
            for hit in h.hits if hit.cause == "schooling" and hit.id_number not in listed
            and str(hit.figures.get("grade", "")) in grades]  # fmt: skip
    return _unique(out)


def newly_ill(h: HouseholdRecord, s: RosterSettings) -> list[Reason]:
    words = s.figures.serious_illness_words + s.figures.chronic_illness_words
    out = [Reason("newly_ill", hit.name, hit.id_number, "新患大(重)病（卫健数据）",
                  {"date": _iso(hit.date)})
           for hit in h.hits if hit.cause == "illness" and is_new(hit.date, s)]  # fmt: skip
    out += [Reason("newly_ill", c.name, c.id_number, f"健康状况由“{c.old or '未填'}”变为“{c.new}”",
                   {"date": c.on.isoformat()})
            for c in h.changes if c.field == "health" and contains_any(c.new, words)
            and not contains_any(c.old, words) and is_new(c.on, s)]  # fmt: skip
    return _unique(out)


def _vocational_or_private(figures: Mapping[str, Any], words: RosterFigures) -> str:
    stage = f"{figures.get('stage', '')}{figures.get('grade', '')}"
    school = str(figures.get("school", ""))
    if contains_any(stage, words.vocational_words) or (
            not stage and contains_any(school, words.vocational_words)):
        return "中高职"
    private = contains_any(str(figures.get("ownership", "")), words.private_words)
    if private and contains_any(stage or school, words.university_words):
        return "民办大学"
    return ""


def new_vocational_or_private(h: HouseholdRecord, s: RosterSettings) -> list[Reason]:
    out = []
    for hit in h.hits:
        what = _vocational_or_private(hit.figures, s.figures) if hit.cause == "schooling" else ""
        if what and is_new(hit.date, s):
            out.append(Reason("new_vocational_or_private", hit.name, hit.id_number,
                              f"新入{what}（{hit.figures.get('school', '')}）",
                              {"stage": hit.figures.get("stage", ""), "date": _iso(hit.date)}))
    out += [Reason("new_vocational_or_private", c.name, c.id_number, f"新入中高职（{c.new}）",
                   {"date": c.on.isoformat()})
            for c in h.changes if c.field == "schooling" and is_new(c.on, s)
            and contains_any(c.new, s.figures.vocational_words)]  # fmt: skip
    return _unique(out)


def disaster_disabled_or_dead(h: HouseholdRecord, s: RosterSettings) -> list[Reason]:
    out = []
    for hit in h.hits:
        if hit.cause == "disability" and hit.figures.get("by_disaster"):
            out.append(Reason("disaster_disabled_or_dead", hit.name, hit.id_number, "因灾致残",
                              {"grade": hit.figures.get("grade", "")}))
        elif hit.cause == "death" and hit.figures.get("by_disaster"):
            out.append(Reason("disaster_disabled_or_dead", hit.name, hit.id_number, "因灾致亡",
                              {"date": _iso(hit.date)}))
        elif hit.cause == "disaster" and int(hit.figures.get("deaths") or 0) > 0:
            deaths = int(hit.figures["deaths"])
            out.append(Reason("disaster_disabled_or_dead", hit.name, hit.id_number,
                              f"受灾家庭因灾致亡{deaths}人", {"deaths": deaths}))
    return out


def _aid_not_registered(key: str, cause: str, label: str) -> Check:
    def check(h: HouseholdRecord, s: RosterSettings) -> list[Reason]:
        if registered(h, s):
            return []
        where = "未在台账中" if h.category is None else f"户类型为{h.category}"
        out = [Reason(key, m.name, m.id_number, f"享受{label}，{where}", {})
               for m in h.members if getattr(m, cause)]
        listed = {r.id_number for r in out}
        out += [Reason(key, hit.name, hit.id_number, f"民政{label}对象，{where}",
                       {"aid_type": hit.figures.get("aid_type", "")})
                for hit in h.hits if hit.cause == cause and hit.figures.get("rural", True)
                and hit.id_number not in listed]  # fmt: skip
        return _unique(out)

    return check


def elderly_alone(h: HouseholdRecord, s: RosterSettings) -> list[Reason]:
    size = h.size if h.size is not None else len(h.members)
    if h.category is None or size != 1 or len(h.members) != 1:
        return []
    person = h.members[0]
    if person.birth_date is None:
        return []
    age = age_on(person.birth_date, s.as_of)
    if age < s.figures.elderly_age:
        return []
    return [Reason("elderly_alone", person.name, person.id_number, f"{age}岁，独自一人生活",
                   {"age": age})]


def _unique(reasons: list[Reason]) -> list[Reason]:
    seen: set[tuple[str, str]] = set()
    out = []
    for reason in reasons:
        if (reason.id_number, reason.text) not in seen:
            seen.add((reason.id_number, reason.text))
            out.append(reason)
    return out


@dataclass(frozen=True)
class Criterion:
    key: str
    title: str
    check: Check


CRITERIA: tuple[Criterion, ...] = (
    Criterion("income_slightly_above", "人均纯收入略高于监测标准", income_slightly_above),
    Criterion("registered_disability", "脱贫户中患有残疾", _registered_health(
        "registered_disability", lambda f: f.disability_words, "disability", "新办残疾人证")),
    Criterion("registered_serious_illness", "脱贫户中患有大病", _registered_health(
        "registered_serious_illness", lambda f: f.serious_illness_words, "illness",
        "新患大(重)病（卫健数据）")),
    Criterion("registered_chronic_illness", "脱贫户中患有慢病", _registered_health(
        "registered_chronic_illness", lambda f: f.chronic_illness_words, "chronic", "")),
    Criterion("key_grade_student", "贫困人口中九年级或普通高中三年级在校生", key_grade_student),
    Criterion("newly_ill", "新患病", newly_ill),
    Criterion("new_vocational_or_private", "新入中高职、民办大学", new_vocational_or_private),
    Criterion("disaster_disabled_or_dead", "因灾致残、因灾致亡", disaster_disabled_or_dead),
    Criterion("dibao_not_registered", "农村未纳入贫困户的低保户",
              _aid_not_registered("dibao_not_registered", "dibao", "低保")),
    Criterion("tekun_not_registered", "农村未纳入贫困户的特困户",
              _aid_not_registered("tekun_not_registered", "tekun", "特困供养")),
    Criterion("elderly_alone", "农村60岁以上独人户", elderly_alone),
)
CRITERIA_BY_KEY = {criterion.key: criterion for criterion in CRITERIA}
TITLES = {criterion.key: criterion.title for criterion in CRITERIA}


def criterion_keys(names: Iterable[str] | None) -> tuple[str, ...]:
    """Keys from keys or Chinese titles (None or empty: all eleven); unknown names raise."""
    wanted = [n.strip() for name in (names or ()) for n in name.split(",") if n.strip()]
    if not wanted:
        return tuple(CRITERIA_BY_KEY)
    by_title = {criterion.title: criterion.key for criterion in CRITERIA}
    unknown = [n for n in wanted if n not in CRITERIA_BY_KEY and n not in by_title]
    if unknown:
        known = "、".join(CRITERIA_BY_KEY)
        raise ValueError(f"未知的反向预警条件：{'、'.join(unknown)}（可用：{known}）")
    return tuple(dict.fromkeys(by_title.get(n, n) for n in wanted))


def evaluate(household: HouseholdRecord, settings: RosterSettings,
             keys: Iterable[str] | None = None) -> list[Reason]:  # fmt: skip
    """Every reason the household meets, criterion by criterion in the table's order."""
    selected = set(keys) if keys is not None else set(CRITERIA_BY_KEY)
    return [reason for criterion in CRITERIA if criterion.key in selected
            for reason in criterion.check(household, settings)]  # fmt: skip
