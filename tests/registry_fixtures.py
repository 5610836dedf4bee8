"""A small registry (county → group, one household with members) for dialog tests."""

from __future__ import annotations

import datetime as dt

from policy.idnumber import check_digit
from policy.roles import AreaLevel, Role
from storage.engine import create_engine, create_sessionmaker
from storage.migrate import upgrade_database_async
from storage.models import Area, Household, Member, WechatUser


def valid_id(body17: str) -> str:
    return body17 + check_digit(body17)


HEAD_ID = valid_id("53012819820526591")
WIFE_ID = valid_id("53012819850310772")


async def seed_registry(database_url: str) -> dict[str, int]:
    await upgrade_database_async(database_url)
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        county = Area(code="530128", name="禄劝彝族苗族自治县", level=AreaLevel.county)
        session.add(county)
        await session.flush()
        town = Area(code="530128101", name="翠华镇", level=AreaLevel.township, parent_id=county.id)
        session.add(town)
        await session.flush()
        village = Area(code="530128101201", name="红龙村", level=AreaLevel.village,
                       parent_id=town.id)
        session.add(village)
        await session.flush()
        group = Area(code="530128101201007", name="7组", level=AreaLevel.group,
                     parent_id=village.id)
        session.add(group)
        await session.flush()
        household = Household(code="53012820000000", area_id=group.id, category="脱贫户",
                              head_name="王发红")
        session.add(household)
        await session.flush()
        session.add_all([
            Member(household_id=household.id, name="王发红", id_number=HEAD_ID, relation="户主",
                   birth_date=dt.date(1982, 5, 26), labour="normal"),
            Member(household_id=household.id, name="李云", id_number=WIFE_ID, relation="配偶",
                   birth_date=dt.date(1985, 3, 10), labour="normal"),
            Member(household_id=household.id, name="王小明",
                   id_number=valid_id("53012820150101001"),
                   relation="之子", birth_date=dt.date(2015, 1, 1), labour="none"),
        ])
        session.add(WechatUser(openid="o-cadre", role=Role.village_cadre, area_id=village.id,
                               display_name="张书记", subscribed=True))
        ids = {"household": household.id, "village": village.id, "group": group.id,
               "county": county.id}
        await session.commit()
    await engine.dispose()
    return ids
