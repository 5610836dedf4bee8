"""Assessments through the real endpoint: a self-report's provisional assessment, the urgent
flag in the cadre's queue, the farmer's "结果" in plain words, and the cadre's "改级"."""

from __future__ import annotations

import datetime as dt
import logging
import re

from policy.levels import Level
from policy.roles import Role
from storage.assessment_models import Assessment, AssessmentSource
from storage.engine import create_engine, create_sessionmaker
from storage.models import Case, CaseEvent, WechatUser
from tests.conftest import TOKEN
from tests.db_helpers import rows_of
from tests.registry_fixtures import HEAD_ID, WIFE_ID, seed_registry, valid_id
from tests.wechat_requests import event_xml, say, text_xml

IN_2026 = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
RULE_ID = re.compile(r"\b(?:I|II|III|IV|V)\.[a-z_]+")
NEW_ID = valid_id("53012819900101123")


async def report(client, openid: str, id_number: str, name: str = "李云", expense: str = "两万五",
                 reimbursed: str = "3千", income: str = "3万5", village: str = "红龙村7组") -> str:
    """Walk the self-report dialog with the given amounts; returns the submitted reply."""
    async def says(text: str) -> str:
        return await say(client, TOKEN, text_xml(openid, text))

    await says("我要申报")
    await says(name)
    if "没有在档案里找到" in await says(id_number):
        await says(village)
        await says("一家五口")
    for answer in ("老人住院了", "上个月", expense, reimbursed, income, "四万",
                   "婆婆住院做手术", "好了", "138 1234 5678"):
        await says(answer)
    return await says("确认")


async def add_user(database_url: str, **fields) -> None:
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add(WechatUser(subscribed=True, **fields))
    await engine.dispose()


async def test_self_report_gets_a_provisional_assessment_and_stays_not_urgent(
        make_client, settings, database_url, clock):
    clock.now = IN_2026
    ids = await seed_registry(database_url)
    client = await make_client(settings)
    reply = await report(client, "o-rich", WIFE_ID, income="30万")  # pc far above the line
    assert "回复“结果”看初步评估" in reply
    [case] = await rows_of(database_url, Case)
    [a] = await rows_of(database_url, Assessment)
    assert (a.case_id, a.household_id, a.source, a.assessor) == (
        case.id, ids["household"], AssessmentSource.self_report, "self_report")
    assert a.level is Level.V and a.provisional and a.confirmed_at is None
    assert a.parameters == "yn-2026.1/2026"
    assert a.facts == {"year": 2026, "category": "脱贫户", "members": [{"labour": None}] * 3,
                       "income_total": 300000, "income_last_year": 40000,
                       "rigid_expense": 22000, "causes": ["illness"]}
    assert "income.wage" in a.missing and "members[0].labour" in a.missing
    assert not case.urgent
    events = await rows_of(database_url, CaseEvent)
    assert [e.action for e in events] == ["reported", "assessed"]
    assert events[1].data["level"] == "V" and events[1].data["provisional"] is True


async def test_expense_below_the_line_marks_the_case_urgent_for_the_cadre(
        make_client, settings, database_url, clock):
    clock.now = IN_2026
    await seed_registry(database_url)
    client = await make_client(settings)
    await report(client, "o-poor", WIFE_ID)  # (35,000 - 22,000) / 3 = 4,333 < 8,700
    [case] = await rows_of(database_url, Case)
    [a] = await rows_of(database_url, Assessment)
    assert a.level is Level.I and not a.provisional and case.urgent
    assert a.rules[0]["figures"]["pc"] == 4333.33
    queue = await say(client, TOKEN, text_xml("o-cadre", "待办"))
    assert f"{case.number} 李* 因病" in queue and "【急】" in queue


async def test_urgent_cases_come_first_in_the_queue(make_client, settings, database_url, clock):
    clock.now = IN_2026
    await seed_registry(database_url)
    client = await make_client(settings)
    await report(client, "o-first", WIFE_ID, name="李云", income="30万")
    clock.advance(minutes=5)
    await report(client, "o-second", HEAD_ID, name="王发红")
    first, second = await rows_of(database_url, Case)
    queue = await say(client, TOKEN, text_xml("o-cadre", "待办"))
    lines = [line for line in queue.splitlines() if "2026-" in line]
    assert lines[0].startswith(f"【急】{second.number}")
    assert lines[1].startswith(first.number) and "【急】" not in lines[1]


async def test_farmer_sees_own_result_in_plain_words_only(make_client, settings, database_url,
                                                         clock):
    clock.now = IN_2026
    await seed_registry(database_url)
    client = await make_client(settings)
    await report(client, "o-mine", WIFE_ID)
    await report(client, "o-other", NEW_ID, name="赵有才", expense="8千", reimbursed="没有",
                 income="8万")
    mine = await say(client, TOKEN, text_xml("o-mine", "结果"))
    assert "一级（红色）预警" in mine and "初步评估" not in mine
    assert "扣除刚性支出后人均纯收入 4,333.33 元，低于监测标准 8,700 元" in mine
    assert "医疗救助" in mine and "村干部会上门核实" in mine
    assert not RULE_ID.search(mine) and "income" not in mine
    assert "赵有才" not in mine and "赵*" not in mine and "8,000" not in mine
    other = await say(client, TOKEN, event_xml("o-other", "CLICK", "RESULT"))
    # provisional short of level I: no level is named until a cadre knows more
    assert "暂时没有发现需要立即救助的困难" in other and "五级" not in other
    assert "等村里上门核实" in other and "预警规则" not in other
    assert "4,333.33" not in other and "李云" not in other and not RULE_ID.search(other)
    nobody = await say(client, TOKEN, text_xml("o-nobody", "我的结果"))
    assert "还没有评估结果" in nobody


async def test_knowing_a_members_name_and_id_does_not_open_the_households_results(
        make_client, settings, database_url, clock):
    clock.now = IN_2026
    ids = await seed_registry(database_url)
    await add_user(database_url, openid="o-family", role=Role.farmer,
                   household_id=ids["household"])  # bound by the office
    client = await make_client(settings)
    await report(client, "o-family", WIFE_ID)  # level I, certain
    clock.now = IN_2026 + dt.timedelta(hours=1)
    # someone else types the wife's name and ID: a report for the household, with other figures
    await report(client, "o-stranger", WIFE_ID, expense="0", reimbursed="没有", income="十万")
    [stranger] = await rows_of(database_url, WechatUser, WechatUser.openid == "o-stranger")
    assert stranger.household_id is None  # a report does not tie the account to the household
    seen = await say(client, TOKEN, text_xml("o-stranger", "结果"))
    assert "4,333.33" not in seen and "一级" not in seen  # only their own provisional one
    assert "暂时没有发现需要立即救助的困难" in seen
    family = await say(client, TOKEN, text_xml("o-family", "结果"))
    assert "一级（红色）预警" in family and "4,333.33" in family  # not the stranger's figures


async def test_an_unknown_income_is_not_answered_with_no_hardship_found(
        make_client, settings, database_url, clock):
    clock.now = IN_2026
    await seed_registry(database_url)
    client = await make_client(settings)
    await report(client, "o-unsure", NEW_ID, name="赵有才", expense="50万", reimbursed="没有",
                 income="不知道")
    [a] = await rows_of(database_url, Assessment)
    assert a.provisional and a.facts.get("income_total") is None
    seen = await say(client, TOKEN, text_xml("o-unsure", "结果"))
    assert "还不清楚您家的收入，暂时定不了等级" in seen and "没有发现" not in seen
    assert "可能用得上的帮扶：医疗救助" in seen and "奖励激励" not in seen


async def test_year_without_parameters_does_not_break_the_submission(
        make_client, settings, database_url, clock, caplog):
    clock.now = dt.datetime(2031, 6, 15, 2, 0, tzinfo=dt.UTC)
    await seed_registry(database_url)
    client = await make_client(settings)
    with caplog.at_level(logging.WARNING, logger="bot.assessment_workflow"):
        reply = await report(client, "o-2031", WIFE_ID)
    [case] = await rows_of(database_url, Case)
    assert "申报已提交" in reply and case.number in reply and "初步评估" not in reply
    assert await rows_of(database_url, Assessment) == [] and not case.urgent
    [record] = [r for r in caplog.records if r.name == "bot.assessment_workflow"]
    assert "2031" in record.getMessage() and case.number in record.getMessage()
    assert "李云" not in record.getMessage() and WIFE_ID not in record.getMessage()


async def test_cadre_overrides_in_chat_with_a_reason(make_client, settings, database_url, clock):
    clock.now = IN_2026
    await seed_registry(database_url)
    client = await make_client(settings)
    await report(client, "o-f", WIFE_ID)
    [case] = await rows_of(database_url, Case)

    async def cadre(text: str) -> str:
        return await say(client, TOKEN, text_xml("o-cadre", text))

    refused = await cadre(f"改级 {case.number} 二级")
    assert "改级没有完成" in refused and "理由" in refused
    assert "没有认出等级“六级”" in await cadre(f"改级 {case.number} 六级 已核实有务工收入")
    assert "没有认出申报编号" in await cadre("改级 二级 已核实有务工收入")
    assert "没有找到申报 2026-999999" in await cadre("改级 2026-999999 二级 已核实有务工收入")
    [a] = await rows_of(database_url, Assessment)
    assert a.override_level is None
    done = await cadre(f"改级 {case.number} 蓝色 理由：全家无劳动力，只靠转移性收入")
    assert "已改级" in done and "二级（蓝色）预警" in done and "一级（红色）预警" in done
    [a] = await rows_of(database_url, Assessment)
    assert (a.level, a.override_level, a.override_by) == (Level.I, Level.II, "o-cadre")
    assert a.override_reason == "全家无劳动力，只靠转移性收入"
    events = await rows_of(database_url, CaseEvent, CaseEvent.action == "level_overridden")
    assert [(e.actor, e.actor_role, e.data["to"]) for e in events] == [
        ("o-cadre", "village_cadre", "II")]
    seen = await say(client, TOKEN, text_xml("o-f", "评估结果"))
    assert "二级（蓝色）预警（村干部核实后调整）" in seen and "一级（红色）" not in seen
    assert "低于监测标准" not in seen and "产业项目带动" in seen  # help fits the new level
    assert "干部核实后定的等级" in seen and "村干部会上门核实" not in seen
    # urgent while the level is I: the cadre's level II takes the 【急】 off, level I puts it back
    assert case.urgent and not (await rows_of(database_url, Case))[0].urgent
    assert "【急】" not in await cadre("待办")
    await cadre(f"改级 {case.number} 一级 复核：大病支出超过全年收入")
    assert (await rows_of(database_url, Case))[0].urgent and "【急】" in await cadre("待办")


async def test_a_cadre_confirms_a_complete_assessment_and_it_becomes_current(
        make_client, settings, database_url, clock):
    from bot.assessment_workflow import current_assessment

    clock.now = IN_2026
    ids = await seed_registry(database_url)
    await add_user(database_url, openid="o-far", role=Role.village_cadre, area_id=None)
    client = await make_client(settings)
    await report(client, "o-poor", WIFE_ID)  # level I, certain
    await report(client, "o-rich", NEW_ID, name="赵有才", income="30万")  # provisional
    poor, rich = await rows_of(database_url, Case)

    async def says(openid: str, text: str) -> str:
        return await say(client, TOKEN, text_xml(openid, text))

    assert "回复“确认 编号”确认评估" in await says("o-cadre", "待办")
    assert "请这样写：确认 申报编号" in await says("o-cadre", "确认")
    refused = await says("o-cadre", f"确认 {rich.number}")
    assert "只有初步评估" in refused and "工资性收入" in refused and "income" not in refused
    assert "不能确认" in await says("o-far", f"确认 {poor.number}")
    assert "已确认" not in await says("o-poor", f"确认 {poor.number}")  # a farmer confirms nothing
    done = await says("o-cadre", f"确认 {poor.number}")
    assert "已确认" in done and "一级（红色）预警" in done
    assert "已经确认过了" in await says("o-cadre", f"确认 {poor.number}")
    [a, _] = await rows_of(database_url, Assessment)
    assert a.confirmed_by == "o-cadre" and a.confirmed_at is not None
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        current = await current_assessment(session, ids["household"])
    await engine.dispose()
    assert current is not None and current.id == a.id
    events = await rows_of(database_url, CaseEvent, CaseEvent.action == "assessment_confirmed")
    assert [(e.actor, e.actor_role) for e in events] == [("o-cadre", "village_cadre")]
    assert "这个结果已经确认" in await says("o-poor", "结果")


async def test_only_cadres_of_the_case_area_may_override(make_client, settings, database_url,
                                                        clock):
    clock.now = IN_2026
    ids = await seed_registry(database_url)
    await add_user(database_url, openid="o-helper", role=Role.helper, area_id=ids["village"])
    await add_user(database_url, openid="o-far", role=Role.village_cadre, area_id=None)
    client = await make_client(settings)
    await report(client, "o-f", WIFE_ID)
    [case] = await rows_of(database_url, Case)
    command = f"改级 {case.number} 三级 收入主要靠产业项目"
    helper = await say(client, TOKEN, text_xml("o-helper", command))
    assert "帮扶责任人不能改级" in helper
    far = await say(client, TOKEN, text_xml("o-far", command))
    assert "没有设置辖区" in far
    assert (await rows_of(database_url, Assessment))[0].override_level is None


async def test_a_lower_rank_cannot_undo_a_higher_ranks_level(make_client, settings,
                                                             database_url):
    ids = await seed_registry(database_url)
    client = await make_client(settings)
    await report(client, "o-f2", WIFE_ID)
    [case] = await rows_of(database_url, Case)
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        session.add(WechatUser(openid="o-county", role=Role.county_officer,
                               area_id=ids["village"], display_name="县里"))
        await session.commit()
    await engine.dispose()
    county = await say(client, TOKEN,
                       text_xml("o-county", f"改级 {case.number} 三级 县里复核定为三级"))
    assert "已改级" in county
    village = await say(client, TOKEN,
                        text_xml("o-cadre", f"改级 {case.number} 五级 村里觉得定高了"))
    assert "县级干部已定为三级" in village and "不能再改" in village
    same = await say(client, TOKEN, text_xml("o-county", f"改级 {case.number} 三级 再确认一遍"))
    assert "已经是三级" in same
    dots = await say(client, TOKEN, text_xml("o-county", f"改级 {case.number} 二级 ...."))
    assert "理由" in dots
    wide = await say(client, TOKEN, text_xml("o-county", f"改级 {case.number.replace('-', '－')} "
                                                          "２級 全家无劳动力只靠转移性收入"))
    assert "已改级" in wide
    [a] = await rows_of(database_url, Assessment)
    assert a.override_level == Level.II


async def test_the_county_acts_on_reports_no_village_could_be_placed(make_client, settings,
                                                                     database_url):
    ids = await seed_registry(database_url)
    client = await make_client(settings)
    await report(client, "o-far", NEW_ID, name="赵有才", village="山那边的村子")
    [case] = await rows_of(database_url, Case)
    assert case.area_id is None
    await add_user(database_url, openid="o-county2", role=Role.county_officer,
                   area_id=ids["county"], display_name="县里")
    listed = await say(client, TOKEN, text_xml("o-county2", "待办"))
    assert case.number in listed
    done = await say(client, TOKEN, text_xml("o-county2", f"改级 {case.number} 二级 县里核实属实"))
    assert "已改级" in done
    refused = await say(client, TOKEN, text_xml("o-cadre", f"改级 {case.number} 二级 村里核实"))
    assert "不在您的辖区" in refused


async def test_expense_above_the_whole_income_is_said_in_plain_words(
        make_client, settings, database_url, clock):
    clock.now = IN_2026
    await seed_registry(database_url)
    client = await make_client(settings)
    await report(client, "o-negative", WIFE_ID, income="3千")  # (3,000 - 22,000) / 3 < 0
    [a] = await rows_of(database_url, Assessment)
    assert a.level is Level.I and a.rules[0]["figures"]["pc"] == -6333.33
    mine = await say(client, TOKEN, text_xml("o-negative", "结果"))
    assert "刚性支出（看病、上学等必须花的钱）超过了全家收入" in mine
    assert "人均收入为负数：平均每人还缺 6,333.33 元才够这笔支出，远低于监测标准 8,700 元" in mine
    assert "-6,333.33" not in mine and "纯收入 -" not in mine and not RULE_ID.search(mine)
