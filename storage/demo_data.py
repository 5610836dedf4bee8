"""The demo county: a reproducible 禄劝彝族苗族自治县 with households, members and staff personas.

`generate_demo_county(seed)` is pure (same seed, same county); `load_demo_county(session, ...)`
inserts it in the caller's transaction and never commits. Everything is invented: ID numbers
are valid in form only (county code 530128, real check digit) and phone numbers are random.

Personas (WeChat users with fixed openids, all subscribed, for the simulator):
demo-farmer-01/02/03 heads of generated households (01 in 翠华镇红龙村, 02 in 屏山街道平凤村,
03 an 一般农户 in 翠华镇红竹村), demo-farmer-new a farmer not in the registry, demo-helper-01
paired with ten households of demo-farmer-01's village, demo-cadre-01 cadre of that village,
demo-township-01 officer of its township and demo-county-01 officer of the county.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from policy.roles import ROLE_NAMES_ZH, AreaLevel, Role
from storage.demo_county import (
    CADRE_01,
    COUNTY_01,
    FARMER_01,
    FARMER_02,
    FARMER_03,
    FARMER_NEW,
    HELPER_01,
    PERSONA_OPENIDS,
    TOWNSHIP_01,
    DemoArea,
    DemoCounty,
    DemoPersona,
    demo_areas,
)
from storage.demo_households import GENERAL, REGISTERED, DemoHousehold, PeopleFactory
from storage.demo_names import COUNTY_SHORT_NAME, full_name, surname
from storage.models import Area, HelperPairing, Household, Member, WechatUser, utcnow

__all__ = [
    "DEMO_AS_OF", "PERSONA_OPENIDS", "DemoArea", "DemoCounty", "DemoCountyExistsError",
    "DemoHousehold", "DemoPersona", "LoadReport", "MAX_HOUSEHOLDS", "MIN_HOUSEHOLDS",
    "database_is_empty", "generate_demo_county", "load_demo_county",
]  # fmt: skip

DEMO_AS_OF = dt.date(2026, 1, 1)
"""Ages, labour and health hold on this day, whatever the clock says (reproducibility)."""
MIN_HOUSEHOLDS, MAX_HOUSEHOLDS = 11, 20_000
HELPER_PAIRINGS = 10
GENERAL_SHARE = 0.2
# Households are dealt to the 11 villages in turn, so household i lives in village i % 11:
# 0 in 翠华镇红龙村, 1 in 翠华镇红竹村, 3 in 屏山街道平凤村.
_PERSONA_HOUSEHOLDS = {FARMER_01: 0, FARMER_02: 3, FARMER_03: 1}
_PERSONAS = frozenset(_PERSONA_HOUSEHOLDS.values())
_FORCED_CATEGORY = {0: REGISTERED, 1: GENERAL, 3: REGISTERED}


class DemoCountyExistsError(RuntimeError):
    """The database already holds an area with the demo county's code."""


def generate_demo_county(
    seed: int = 2026, households: int = 300, *, as_of: dt.date = DEMO_AS_OF
) -> DemoCounty:
    """The demo county; the same arguments always give an equal result."""
    if not MIN_HOUSEHOLDS <= households <= MAX_HOUSEHOLDS:
        raise ValueError(f"households must be {MIN_HOUSEHOLDS}..{MAX_HOUSEHOLDS}, not {households}")
    rng = random.Random(seed)
    areas = demo_areas()
    factory = PeopleFactory(rng, as_of)
    generated = _households(rng, factory, areas, households)
    draft = DemoCounty(seed, as_of, areas, generated, (), "")
    born = factory.birth_date(as_of.year - rng.randint(30, 55))
    unregistered = factory.id_number(born, "女")
    personas = _personas(rng, draft, full_name(rng, surname(rng), "女", born.year))
    return DemoCounty(seed, as_of, areas, generated, personas, unregistered)


def _households(
    rng: random.Random, factory: PeopleFactory, areas: tuple[DemoArea, ...], count: int
) -> tuple[DemoHousehold, ...]:
    villages = [area.code for area in areas if area.level == AreaLevel.village]
    groups = {code: [area.code for area in areas if area.parent_code == code] for code in villages}
    per_group: dict[str, int] = {}
    result = []
    for index in range(count):
        group = rng.choice(groups[villages[index % len(villages)]])
        per_group[group] = per_group.get(group, 0) + 1
        category = _FORCED_CATEGORY.get(index) or (
            GENERAL if rng.random() < GENERAL_SHARE else REGISTERED
        )
        code = f"{group}{per_group[group]:03d}"
        result.append(_household(factory, code, group, category, persona=index in _PERSONAS))
    return tuple(result)


def _household(
    factory: PeopleFactory, code: str, group: str, category: str, *, persona: bool
) -> DemoHousehold:
    """Persona farmers get a head of working age and a family of three or more."""
    if not persona:
        return factory.household(code, group, category)
    while True:
        household = factory.household(code, group, category, head_age=(38, 58))
        if len(household.members) >= 3:
            return household


def _personas(
    rng: random.Random, county: DemoCounty, new_farmer_name: str
) -> tuple[DemoPersona, ...]:
    farmers = [_farmer(county, openid, index) for openid, index in _PERSONA_HOUSEHOLDS.items()]
    home = county.households[_PERSONA_HOUSEHOLDS[FARMER_01]].area_code
    village = county.ancestor(home, AreaLevel.village)
    township = county.ancestor(home, AreaLevel.township)
    in_village = [
        household.code
        for household in county.households
        if county.ancestor(household.area_code, AreaLevel.village) == village
    ]
    staff = (
        (HELPER_01, Role.helper, village, tuple(in_village[:HELPER_PAIRINGS])),
        (CADRE_01, Role.village_cadre, village, ()),
        (TOWNSHIP_01, Role.township_officer, township, ()),
        (COUNTY_01, Role.county_officer, county.county, ()),
    )
    new_farmer = DemoPersona(FARMER_NEW, Role.farmer, f"{new_farmer_name}（未在册）")
    return (*farmers, new_farmer, *(_staff(rng, *entry) for entry in staff))


def _farmer(county: DemoCounty, openid: str, index: int) -> DemoPersona:
    household = county.households[index]
    place = county.place_of(household.area_code, AreaLevel.village)
    return DemoPersona(
        openid, Role.farmer, f"{household.head_name}（{place}）",
        area_code=household.area_code, household_code=household.code,
    )  # fmt: skip


def _staff(
    rng: random.Random, openid: str, role: Role, area: DemoArea, paired: tuple[str, ...]
) -> DemoPersona:
    name = full_name(rng, surname(rng), rng.choice("男女"), rng.randint(1968, 1995))
    place = COUNTY_SHORT_NAME if area.level == AreaLevel.county else area.name
    display_name = f"{name}（{ROLE_NAMES_ZH[role]}·{place}）"
    return DemoPersona(openid, role, display_name, area.code, paired_household_codes=paired)


@dataclass(frozen=True)
class LoadReport:
    """What was loaded, and what a newcomer types into the simulator."""

    county_code: str
    county_name: str
    seed: int
    areas: int
    households: int
    members: int
    personas: int
    pairings: int
    farmer_openid: str
    farmer_name: str
    farmer_place: str
    farmer_id_number: str
    unregistered_id_number: str
    persona_names: tuple[tuple[str, str], ...]

    def summary_lines(self) -> list[str]:
        return [
            f"已载入演示县 {self.county_name}（{self.county_code}，种子 {self.seed}）：",
            f"  区划 {self.areas} 个，农户 {self.households} 户，家庭成员 {self.members} 人，"
            f"演示账号 {self.personas} 个，帮扶结对 {self.pairings} 户",
            *(f"  {openid:<17} {name}" for openid, name in self.persona_names),
            f"模拟器里用 {self.farmer_openid} 试申报：{self.farmer_name}（{self.farmer_place}），"
            f"身份证号 {self.farmer_id_number}",
            f"不在册的身份证号（给 {FARMER_NEW} 试）：{self.unregistered_id_number}",
            "以上人员、号码均为虚构。",
        ]


def report_for(county: DemoCounty, pairings: int) -> LoadReport:
    household = county.household(county.persona(FARMER_01).household_code or "")
    return LoadReport(
        county_code=county.county.code, county_name=county.county.name, seed=county.seed,
        areas=len(county.areas), households=len(county.households),
        members=county.member_count, personas=len(county.personas), pairings=pairings,
        farmer_openid=FARMER_01, farmer_name=household.head_name,
        farmer_place=county.place_of(household.area_code),
        farmer_id_number=household.head.id_number,
        unregistered_id_number=county.unregistered_id_number,
        persona_names=tuple((p.openid, p.display_name) for p in county.personas),
    )  # fmt: skip


async def database_is_empty(session: AsyncSession) -> bool:
    """True when the database has no areas at all (no county was ever loaded)."""
    return await session.scalar(select(Area.id).limit(1)) is None


async def load_demo_county(session: AsyncSession, county: DemoCounty) -> LoadReport:
    """Insert the county in the caller's transaction: flushes, never commits.

    Persona users that already exist (say, the simulator was used first) are updated in place.
    Raises DemoCountyExistsError when an area with the county's code is already there.
    """
    code = county.county.code
    if await session.scalar(select(Area.id).where(Area.code == code)) is not None:
        raise DemoCountyExistsError(f"the database already has the county {code}")
    now = utcnow()
    area_ids = await _insert_areas(session, county.areas)
    household_ids = await _insert_households(session, county.households, area_ids, now)
    await _insert_members(session, county.households, household_ids)
    user_ids = await _upsert_personas(session, county.personas, area_ids, household_ids, now)
    pairings = [
        {"helper_user_id": user_ids[persona.openid], "household_id": household_ids[code]}
        for persona in county.personas
        for code in persona.paired_household_codes
    ]
    if pairings:
        await session.execute(insert(HelperPairing), pairings)
    return report_for(county, len(pairings))


async def _insert_areas(session: AsyncSession, areas: tuple[DemoArea, ...]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for level in AreaLevel:  # parents first: city, county, township, village, group
        rows = [
            {"code": area.code, "name": area.name, "level": area.level,
             "parent_id": ids[area.parent_code] if area.parent_code else None}
            for area in areas
            if area.level == level
        ]  # fmt: skip
        if rows:
            result = await session.execute(insert(Area).returning(Area.code, Area.id), rows)
            ids.update(result.tuples().all())
    return ids


async def _insert_households(
    session: AsyncSession,
    households: tuple[DemoHousehold, ...],
    area_ids: dict[str, int],
    now: dt.datetime,
) -> dict[str, int]:
    rows = [
        {"code": household.code, "area_id": area_ids[household.area_code],
         "category": household.category, "head_name": household.head_name, "created_at": now}
        for household in households
    ]  # fmt: skip
    result = await session.execute(insert(Household).returning(Household.code, Household.id), rows)
    return dict(result.tuples().all())


async def _insert_members(
    session: AsyncSession, households: tuple[DemoHousehold, ...], household_ids: dict[str, int]
) -> None:
    rows = [
        {"household_id": household_ids[household.code], "name": member.name,
         "id_number": member.id_number, "relation": member.relation,
         "birth_date": member.birth_date, "labour": member.labour, "health": member.health,
         "phone": member.phone}
        for household in households
        for member in household.members
    ]  # fmt: skip
    await session.execute(insert(Member), rows)


async def _upsert_personas(
    session: AsyncSession,
    personas: tuple[DemoPersona, ...],
    area_ids: dict[str, int],
    household_ids: dict[str, int],
    now: dt.datetime,
) -> dict[str, int]:
    openids = [persona.openid for persona in personas]
    query = select(WechatUser).where(WechatUser.openid.in_(openids))
    users = {user.openid: user for user in (await session.scalars(query)).all()}
    for persona in personas:
        user = users.get(persona.openid)
        if user is None:
            user = users[persona.openid] = WechatUser(openid=persona.openid, created_at=now)
            session.add(user)
        user.subscribed, user.unsubscribed_at = True, None
        user.subscribed_at = user.subscribed_at or now
        user.role, user.display_name = persona.role, persona.display_name
        user.area_id = area_ids[persona.area_code] if persona.area_code else None
        user.household_id = (
            household_ids[persona.household_code] if persona.household_code else None
        )
    await session.flush()
    return {openid: user.id for openid, user in users.items()}
