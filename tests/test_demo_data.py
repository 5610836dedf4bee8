"""The demo county: reproducible, plausible, and loadable into a real SQLite file."""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter

import pytest
from sqlalchemy import func, select

from bot.demo_data_command import add_demo_data_parser
from policy.grading import LABOUR
from policy.idnumber import birth_date_of, check_id_number, sex_of
from policy.roles import AreaLevel, Role
from storage.demo_county import PERSONA_OPENIDS, DemoCounty
from storage.demo_data import (
    DemoCountyExistsError,
    database_is_empty,
    generate_demo_county,
    load_demo_county,
)
from storage.demo_households import RELATION_SEX, age_on
from storage.engine import create_engine, create_sessionmaker
from storage.migrate import upgrade_database
from storage.models import Area, HelperPairing, Household, Member, WechatUser

SEEDS = (1, 2026, 99_991)
LEVELS = (AreaLevel.county, AreaLevel.township, AreaLevel.village, AreaLevel.group)


@pytest.fixture(scope="module")
def county() -> DemoCounty:
    return generate_demo_county()


def members(county: DemoCounty):
    return [member for household in county.households for member in household.members]


def test_same_seed_same_county_and_another_seed_another():
    assert generate_demo_county(2026) == generate_demo_county(2026)
    other = generate_demo_county(2027)
    assert other.areas == generate_demo_county(2026).areas  # the map is fixed
    assert other.households != generate_demo_county(2026).households


def test_default_size(county):
    assert len(county.households) == 300
    assert len(county.areas) == 100
    assert 800 <= county.member_count <= 1400
    assert county.county.code == "530128"
    assert county.county.name == "禄劝彝族苗族自治县"


@pytest.mark.parametrize("seed", SEEDS)
def test_every_id_number_is_valid_unique_and_matches_the_member(seed):
    county = generate_demo_county(seed)
    numbers = [member.id_number for member in members(county)]
    assert len(set(numbers)) == len(numbers)
    assert county.unregistered_id_number not in numbers
    for member in members(county):
        checked = check_id_number(member.id_number, today=county.as_of)
        assert checked.ok and checked.normalized == member.id_number, member
        assert member.id_number.startswith("530128")
        assert birth_date_of(member.id_number) == member.birth_date
        assert member.birth_date < county.as_of
        if member.relation in RELATION_SEX:
            assert sex_of(member.id_number) == RELATION_SEX[member.relation], member
    assert check_id_number(county.unregistered_id_number, today=county.as_of).ok


@pytest.mark.parametrize("seed", SEEDS)
def test_birth_dates_fit_the_relations(seed):
    county = generate_demo_county(seed)
    for household in county.households:
        relations = Counter(member.relation for member in household.members)
        assert household.members[0].relation == "户主" and relations["户主"] == 1
        assert relations["配偶"] <= 1 and relations["之父"] <= 1 and relations["之母"] <= 1
        assert household.head_name == household.head.name
        head = household.head
        for member in household.members[1:]:
            gap = head.birth_date.year - member.birth_date.year
            if member.relation in ("之父", "之母"):
                assert gap >= 20, (household.code, member)
            elif member.relation in ("之子", "之女"):
                assert gap <= -20, (household.code, member)
            elif member.relation in ("之孙子", "之孙女"):
                assert gap <= -38, (household.code, member)
            elif member.relation == "配偶":
                assert member.sex != head.sex and abs(gap) <= 8
            if member.relation in ("配偶", "之儿媳"):
                minimum = 22 if member.sex == "男" else 20
                assert age_on(member.birth_date, county.as_of) >= minimum, member


@pytest.mark.parametrize("seed", SEEDS)
def test_labour_and_health_fit_the_age(seed):
    county = generate_demo_county(seed)
    for member in members(county):
        age = age_on(member.birth_date, county.as_of)
        assert member.labour in LABOUR
        assert member.health in ("健康", "长期慢性病", "患有大病", "残疾")
        if age < 16:
            assert member.labour == "none", member
        if member.labour == "normal":
            assert 16 <= age < 70, member
        if member.labour == "none":
            assert age < 22 or age >= 60, member
        if member.labour in ("lost", "temporary_loss"):
            assert member.health != "健康", member
        if member.relation == "户主":
            assert len(member.phone) == 11 and member.phone.startswith("1")
    used = Counter(member.labour for member in members(county))
    assert set(used) == set(LABOUR)


def test_areas_nest_county_township_village_group(county):
    codes = [area.code for area in county.areas]
    assert len(set(codes)) == len(codes)
    seen: dict[str, AreaLevel] = {}
    for area in county.areas:
        if area.parent_code is None:
            assert area.level == AreaLevel.county
        else:
            parent_level = seen[area.parent_code]  # parents come first
            assert LEVELS.index(area.level) == LEVELS.index(parent_level) + 1
            assert area.code.startswith(area.parent_code)
        seen[area.code] = area.level
    by_level = Counter(area.level for area in county.areas)
    assert by_level[AreaLevel.county] == 1 and by_level[AreaLevel.township] == 4
    assert by_level[AreaLevel.village] == 11
    assert county.place_of("53012810120107") == "翠华镇红龙村7组"


def test_households_live_in_groups_and_are_mostly_registered(county):
    codes = [household.code for household in county.households]
    assert len(set(codes)) == len(codes)
    for household in county.households:
        assert county.area(household.area_code).level == AreaLevel.group
        assert household.code.startswith(household.area_code)
    categories = Counter(household.category for household in county.households)
    assert set(categories) == {"脱贫户", "一般农户"}
    assert categories["脱贫户"] > 2 * categories["一般农户"]
    villages = Counter(county.ancestor(h.area_code, AreaLevel.village) for h in county.households)
    assert len(villages) == 11 and min(villages.values()) >= 20


@pytest.mark.parametrize("households", [11, 300])
def test_personas(households):
    county = generate_demo_county(households=households)
    assert tuple(persona.openid for persona in county.personas) == PERSONA_OPENIDS
    farmer = county.persona("demo-farmer-01")
    home = county.household(farmer.household_code)
    assert home.category == "脱贫户" and len(home.members) >= 3
    assert farmer.display_name == f"{home.head_name}（翠华镇红龙村）"
    assert county.household(county.persona("demo-farmer-03").household_code).category == "一般农户"
    assert county.persona("demo-farmer-new").household_code is None
    village = county.ancestor(farmer.area_code, AreaLevel.village)
    helper = county.persona("demo-helper-01")
    assert helper.role == Role.helper and helper.area_code == village.code
    assert 1 <= len(helper.paired_household_codes) <= 10
    assert farmer.household_code in helper.paired_household_codes
    for code in helper.paired_household_codes:
        assert county.ancestor(county.household(code).area_code, AreaLevel.village) == village
    assert county.persona("demo-cadre-01").area_code == village.code
    township = county.ancestor(farmer.area_code, AreaLevel.township)
    assert county.persona("demo-township-01").area_code == township.code == "530128101"
    assert county.persona("demo-county-01").area_code == "530128"


def test_household_count_is_bounded():
    with pytest.raises(ValueError):
        generate_demo_county(households=3)


async def _migrated(url: str):
    await asyncio.to_thread(upgrade_database, url)
    engine = create_engine(url)
    return engine, create_sessionmaker(engine)


async def _count(session, model) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)))


async def test_load_into_sqlite(database_url, county):
    engine, sessionmaker = await _migrated(database_url)
    try:
        async with sessionmaker() as session, session.begin():
            assert await database_is_empty(session)
            report = await load_demo_county(session, county)
        async with sessionmaker() as session:
            assert not await database_is_empty(session)
            assert await _count(session, Area) == report.areas == 100
            assert await _count(session, Household) == report.households == 300
            assert await _count(session, Member) == report.members == county.member_count
            assert await _count(session, WechatUser) == report.personas == 8
            assert await _count(session, HelperPairing) == report.pairings == 10
            await _check_personas(session, report)
    finally:
        await engine.dispose()


async def _check_personas(session, report) -> None:
    users = {u.openid: u for u in (await session.scalars(select(WechatUser))).all()}
    assert all(user.subscribed and user.subscribed_at for user in users.values())
    farmer = users["demo-farmer-01"]
    head = await session.scalar(
        select(Member).where(Member.household_id == farmer.household_id, Member.relation == "户主")
    )
    assert (head.name, head.id_number) == (report.farmer_name, report.farmer_id_number)
    assert farmer.display_name.startswith(head.name)
    areas = {area.id: area for area in (await session.scalars(select(Area))).all()}
    expected = {
        "demo-helper-01": (Role.helper, "红龙村"),
        "demo-cadre-01": (Role.village_cadre, "红龙村"),
        "demo-township-01": (Role.township_officer, "翠华镇"),
        "demo-county-01": (Role.county_officer, "禄劝彝族苗族自治县"),
    }
    for openid, (role, area_name) in expected.items():
        assert (users[openid].role, areas[users[openid].area_id].name) == (role, area_name)
    assert users["demo-farmer-new"].household_id is None
    summary = "\n".join(report.summary_lines())
    assert report.farmer_id_number in summary and report.farmer_name in summary


async def test_load_refuses_the_same_county_twice_and_keeps_existing_users(database_url):
    county = generate_demo_county(households=20)
    engine, sessionmaker = await _migrated(database_url)
    try:
        async with sessionmaker() as session, session.begin():
            session.add(WechatUser(openid="demo-farmer-01", subscribed=False))
        async with sessionmaker() as session, session.begin():
            await load_demo_county(session, county)
        async with sessionmaker() as session:
            with pytest.raises(DemoCountyExistsError):
                await load_demo_county(session, county)
            user = await session.scalar(
                select(WechatUser).where(WechatUser.openid == "demo-farmer-01")
            )
            assert user.subscribed and user.household_id is not None
            assert await _count(session, WechatUser) == 8
    finally:
        await engine.dispose()


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="fangpin")
    add_demo_data_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["demo-data", *argv])
    return args.run(args)


def test_command_loads_once_then_refuses_or_skips(tmp_path, monkeypatch, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("FANGPIN_DATABASE_URL", url)
    assert _run("--households", "40", "--seed", "7") == 0
    loaded = capsys.readouterr().out
    expected = generate_demo_county(7, 40)
    farmer = expected.household(expected.persona("demo-farmer-01").household_code).head
    assert farmer.id_number in loaded and farmer.name in loaded and "40 户" in loaded
    assert _run("--households", "40") == 1
    refused = capsys.readouterr().out
    assert "--if-empty" in refused and "FANGPIN_DATABASE_URL" in refused
    assert _run("--if-empty") == 0
    assert farmer.id_number in capsys.readouterr().out
    assert asyncio.run(_households_in(url)) == 40


async def _households_in(url: str) -> int:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return await _count(session, Household)
    finally:
        await engine.dispose()


def test_command_if_empty_loads_an_empty_database(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FANGPIN_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'e.db'}")
    assert _run("--if-empty", "--households", "15") == 0
    assert "农户 15 户" in capsys.readouterr().out


def test_command_rejects_a_bad_household_count(capsys):
    with pytest.raises(SystemExit) as exit_info:
        _run("--households", "5")
    assert exit_info.value.code == 2
    assert "--households" in capsys.readouterr().err
