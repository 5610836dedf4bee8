"""Staff see open cases of their own area; a helper only those of paired households."""

from __future__ import annotations

from policy.roles import Role
from storage.engine import create_engine, create_sessionmaker
from storage.models import HelperPairing, WechatUser
from tests.conftest import TOKEN
from tests.registry_fixtures import WIFE_ID, seed_registry
from tests.test_self_report_dialog import Farmer, _walk_to_confirm
from tests.wechat_requests import say, text_xml


async def _add_helpers(database_url: str, ids: dict[str, int]) -> None:
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        paired = WechatUser(openid="o-helper-paired", role=Role.helper, area_id=ids["village"],
                            display_name="赵帮扶")
        other = WechatUser(openid="o-helper-other", role=Role.helper, area_id=ids["village"],
                           display_name="钱帮扶")
        session.add_all([paired, other])
        await session.flush()
        session.add(HelperPairing(helper_user_id=paired.id, household_id=ids["household"]))
        await session.commit()
    await engine.dispose()


async def test_helper_sees_only_paired_households(make_client, settings, database_url):
    ids = await seed_registry(database_url)
    await _add_helpers(database_url, ids)
    client = await make_client(settings)
    farmer = Farmer(client, "o-report")
    await _walk_to_confirm(farmer, WIFE_ID, True)
    await farmer.says("确认")
    paired = await say(client, TOKEN, text_xml("o-helper-paired", "你好"))
    other = await say(client, TOKEN, text_xml("o-helper-other", "你好"))
    assert paired.startswith("赵帮扶，您好") and "您结对的农户中待办的申报共1件" in paired
    assert "李*" in paired
    assert "暂时没有待办" in other
