"""Demo households and members: plausible families, valid ID numbers, labour that fits the age.

Pure and deterministic: everything comes from the `random.Random` handed in and a fixed
reference day, so the same seed gives the same families.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from policy.idnumber import check_digit, sex_of
from storage.demo_names import COUNTY_CODE, full_name, surname

REGISTERED, GENERAL = "脱贫户", "一般农户"
HEALTHY, CHRONIC, SERIOUS, DISABLED = "健康", "长期慢性病", "患有大病", "残疾"
HEAD, SPOUSE, FATHER, MOTHER, DAUGHTER_IN_LAW = "户主", "配偶", "之父", "之母", "之儿媳"
CHILD = {"男": "之子", "女": "之女"}
GRANDCHILD = {"男": "之孙子", "女": "之孙女"}
RELATION_SEX = {
    FATHER: "男", MOTHER: "女", DAUGHTER_IN_LAW: "女",
    "之子": "男", "之女": "女", "之孙子": "男", "之孙女": "女",
}  # fmt: skip
_MARRIAGE_AGE = {"男": 22, "女": 20}  # legal minimum in China

_Weighted = tuple[tuple[str, float], ...]
_HEALTH_BY_AGE: tuple[tuple[int, _Weighted], ...] = (
    (16, ((HEALTHY, 93), (CHRONIC, 2), (SERIOUS, 2), (DISABLED, 3))),
    (60, ((HEALTHY, 80), (CHRONIC, 8), (SERIOUS, 5), (DISABLED, 7))),
    (200, ((HEALTHY, 50), (CHRONIC, 28), (SERIOUS, 10), (DISABLED, 12))),
)
_LABOUR_WORKING_AGE: dict[str, _Weighted] = {
    HEALTHY: (("normal", 92), ("weak", 8)),
    CHRONIC: (("normal", 40), ("weak", 50), ("temporary_loss", 10)),
    SERIOUS: (("temporary_loss", 40), ("lost", 30), ("weak", 30)),
    DISABLED: (("lost", 60), ("weak", 40)),
}
_LABOUR_SIXTIES: dict[str, _Weighted] = {
    HEALTHY: (("normal", 45), ("weak", 50), ("none", 5)),
    CHRONIC: (("weak", 70), ("none", 30)),
    SERIOUS: (("lost", 60), ("temporary_loss", 20), ("none", 20)),
    DISABLED: (("lost", 80), ("weak", 20)),
}
_LABOUR_OLD: dict[str, _Weighted] = {
    HEALTHY: (("weak", 35), ("none", 65)),
    CHRONIC: (("weak", 20), ("none", 80)),
    SERIOUS: (("lost", 50), ("none", 50)),
    DISABLED: (("lost", 70), ("none", 30)),
}


@dataclass(frozen=True)
class DemoMember:
    name: str
    id_number: str
    relation: str
    birth_date: dt.date
    labour: str
    health: str
    phone: str = ""

    @property
    def sex(self) -> str:
        return sex_of(self.id_number)


@dataclass(frozen=True)
class DemoHousehold:
    code: str
    area_code: str
    category: str
    members: tuple[DemoMember, ...]

    @property
    def head(self) -> DemoMember:
        return self.members[0]

    @property
    def head_name(self) -> str:
        return self.head.name


@dataclass(frozen=True)
class _Spec:
    relation: str
    sex: str
    birth_year: int
    family: str


def age_on(born: dt.date, on: dt.date) -> int:
    """Age in full years on the given day."""
    return on.year - born.year - (0 if (on.month, on.day) >= (born.month, born.day) else 1)


def _weighted(rng: random.Random, choices: _Weighted) -> str:
    values = [value for value, _ in choices]
    return rng.choices(values, weights=[weight for _, weight in choices])[0]


class PeopleFactory:
    """Makes households one by one; ID numbers and phone numbers never repeat."""

    def __init__(self, rng: random.Random, as_of: dt.date) -> None:
        self.rng = rng
        self.as_of = as_of
        self._id_numbers: set[str] = set()
        self._phones: set[str] = set()

    def household(
        self, code: str, area_code: str, category: str, head_age: tuple[int, int] = (25, 82)
    ) -> DemoHousehold:
        specs = self._family(head_age)
        members = tuple(self._member(spec) for spec in specs)
        return DemoHousehold(code=code, area_code=area_code, category=category, members=members)

    def id_number(self, born: dt.date, sex: str) -> str:
        """A valid 18-digit number of the county, not used before by this factory."""
        while True:
            sequence = self.rng.randrange(500) * 2 + (1 if sex == "男" else 0)
            first17 = f"{COUNTY_CODE}{born:%Y%m%d}{sequence:03d}"
            number = first17 + check_digit(first17)
            if number not in self._id_numbers:
                self._id_numbers.add(number)
                return number

    def birth_date(self, birth_year: int) -> dt.date:
        return dt.date(birth_year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))

    def _family(self, head_age: tuple[int, int]) -> list[_Spec]:
        rng, year = self.rng, self.as_of.year
        head = _Spec(
            HEAD, "男" if rng.random() < 0.85 else "女", year - rng.randint(*head_age), surname(rng)
        )
        specs = [head]
        spouse = self._spouse(head)
        if spouse is not None:
            specs.append(spouse)
        specs.extend(self._children(head, spouse))
        specs.extend(self._parents(head))
        return specs

    def _spouse(self, head: _Spec) -> _Spec | None:
        rng, year = self.rng, self.as_of.year
        if rng.random() > (0.85 if year - head.birth_year < 70 else 0.55):
            return None
        gap = rng.randint(-2, 6)
        birth_year = head.birth_year + gap if head.sex == "男" else head.birth_year - gap
        sex = "女" if head.sex == "男" else "男"
        latest = year - _MARRIAGE_AGE[sex] - 1  # born that year: of marriageable age on as_of
        return _Spec(SPOUSE, sex, min(birth_year, latest), surname(rng, avoid=head.family))

    def _children(self, head: _Spec, spouse: _Spec | None) -> list[_Spec]:
        rng, year = self.rng, self.as_of.year
        younger_parent = max(head.birth_year, spouse.birth_year if spouse else head.birth_year)
        specs: list[_Spec] = []
        married_son = False
        count = rng.choice((0, 1, 1, 2, 2, 2, 3, 3))
        for birth_year in self._sibling_years(younger_parent + 21, younger_parent + 36, count):
            sex = rng.choice("男女")
            age = year - birth_year
            if age >= 24 and rng.random() < (0.4 if sex == "男" else 0.6):
                continue  # married out or moved away
            specs.append(_Spec(CHILD[sex], sex, birth_year, head.family))
            if sex == "男" and age >= 23 and not married_son and rng.random() < 0.7:
                married_son = True
                specs.extend(self._son_family(specs[-1]))
        return specs

    def _son_family(self, son: _Spec) -> list[_Spec]:
        rng, year = self.rng, self.as_of.year
        wife_year = min(son.birth_year + rng.randint(-2, 5), year - _MARRIAGE_AGE["女"] - 1)
        specs = [_Spec(DAUGHTER_IN_LAW, "女", wife_year, surname(rng, avoid=son.family))]
        for birth_year in self._sibling_years(wife_year + 21, wife_year + 33, rng.randint(0, 2)):
            sex = rng.choice("男女")
            specs.append(_Spec(GRANDCHILD[sex], sex, birth_year, son.family))
        return specs

    def _sibling_years(self, earliest: int, latest: int, count: int) -> list[int]:
        """Up to `count` birth years before this year, in order of birth, two or more apart."""
        latest = min(latest, self.as_of.year - 1)
        years: list[int] = []
        for _ in range(count if earliest <= latest else 0):
            birth_year = self.rng.randint(earliest, latest)
            if all(abs(birth_year - other) >= 2 for other in years):
                years.append(birth_year)
        return sorted(years)

    def _parents(self, head: _Spec) -> list[_Spec]:
        rng, year = self.rng, self.as_of.year
        if year - head.birth_year > 58 or rng.random() > 0.35:
            return []
        specs: list[_Spec] = []
        father_year = head.birth_year - rng.randint(22, 36)
        mother_year = head.birth_year - rng.randint(21, 33)
        if year - father_year <= 92 and rng.random() < 0.6:
            specs.append(_Spec(FATHER, "男", father_year, head.family))
        if year - mother_year <= 95 and rng.random() < 0.75:
            specs.append(_Spec(MOTHER, "女", mother_year, surname(rng, avoid=head.family)))
        return specs

    def _member(self, spec: _Spec) -> DemoMember:
        rng = self.rng
        born = self.birth_date(spec.birth_year)
        age = age_on(born, self.as_of)
        health = self._health(age)
        wants_phone = spec.relation == HEAD or (18 <= age <= 70 and rng.random() < 0.45)
        return DemoMember(
            name=full_name(rng, spec.family, spec.sex, spec.birth_year),
            id_number=self.id_number(born, spec.sex),
            relation=spec.relation,
            birth_date=born,
            labour=self._labour(age, health),
            health=health,
            phone=self._phone() if wants_phone else "",
        )

    def _health(self, age: int) -> str:
        for below, choices in _HEALTH_BY_AGE:
            if age < below:
                return _weighted(self.rng, choices)
        return HEALTHY

    def _labour(self, age: int, health: str) -> str:
        if age < 16:
            return "none"
        if age < 22 and health == HEALTHY and self.rng.random() < 0.6:
            return "none"  # at school
        if age < 60:
            return _weighted(self.rng, _LABOUR_WORKING_AGE[health])
        if age < 70:
            return _weighted(self.rng, _LABOUR_SIXTIES[health])
        return _weighted(self.rng, _LABOUR_OLD[health])

    def _phone(self) -> str:
        while True:
            phone = f"1{self.rng.choice('35789')}{self.rng.randrange(10**9):09d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone
