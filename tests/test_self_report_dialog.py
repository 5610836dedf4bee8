"""The farmer's self-report, walked message by message through the real endpoint."""

from __future__ import annotations

import datetime as dt

from bot.app_keys import INBOUND
from policy.case_status import CaseSource, CaseStatus
from storage.models import Case, CaseEvent, DialogSession, DialogTurn, Evidence
from tests.conftest import TOKEN
from tests.db_helpers import rows_of
from tests.registry_fixtures import HEAD_ID, WIFE_ID, seed_registry, valid_id
from tests.wechat_requests import event_xml, media_xml, say, text_xml

NEW_ID = valid_id("53012819900101123")
X_ID = next(i for i in (valid_id(f"5301281963070682{n}") for n in range(10)) if i.endswith("X"))


class Farmer:
    def __init__(self, client, openid: str) -> None:
        self.client, self.openid = client, openid

    async def says(self, text: str) -> str:
        return await say(self.client, TOKEN, text_xml(self.openid, text))

    async def sends(self, xml: str) -> str:
        return await say(self.client, TOKEN, xml)


async def _walk_to_confirm(farmer: Farmer, id_text: str, in_registry: bool) -> str:
    assert "名字" in await farmer.says("我要申报")
    assert "身份证" in await farmer.says("李云")
    reply = await farmer.says(id_text)
    if in_registry:
        assert "已找到您家的档案" in reply and "红龙村7组" in reply and "3口人" in reply
        assert "困难" in reply
    else:
        assert "没有在档案里找到" in reply and "哪个村" in reply
        assert "几口人" in await farmer.says("红龙村7组")
        assert "困难" in await farmer.says("一家五口")
    assert "什么时候" in await farmer.says("老人住院了")
    assert "花多少钱" in await farmer.says("上个月")
    assert "报销" in await farmer.says("两万五")
    assert "今年" in await farmer.says("3千")
    assert "去年" in await farmer.says("3万5")
    assert "情况" in await farmer.says("四万")
    assert "照片" in await farmer.says("婆婆住院做手术，家里没钱了")
    assert "照片收到了" in await farmer.sends(media_xml(farmer.openid, "image", "media-photo-1"))
    assert "电话" in await farmer.says("好了")
    return await farmer.says("138 1234 5678")


async def test_complete_self_report_linked_to_household(make_client, settings, database_url,
                                                        clock):
    clock.now = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)  # a year with grading parameters
    ids = await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-li-yun")
    summary = await _walk_to_confirm(farmer, WIFE_ID[:6] + " " + WIFE_ID[6:].lower(), True)
    for shown in ("李云", WIFE_ID, "生病住院", "25,000元", "3,000元", "35,000元", "40,000元",
                  "13812345678"):
        assert shown in summary
    reply = await farmer.says("确认")
    assert "申报已提交，编号" in reply
    [case] = await rows_of(database_url, Case)
    assert case.number in reply
    assert (case.source, case.status) == (CaseSource.self_report, CaseStatus.reported)
    assert case.household_id == ids["household"] and case.area_id == ids["group"]
    assert (case.rigid_expense, case.reimbursed, case.income_expected, case.income_last_year) == (
        25000, 3000, 35000, 40000)
    assert case.cause == "illness" and case.applicant_id_number == WIFE_ID
    expected_month = (clock.now.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
                      .replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert case.occurred_on == expected_month
    events = await rows_of(database_url, CaseEvent)
    assert [(e.action, e.actor, e.to_status) for e in events] == [
        ("reported", "o-li-yun", "reported"), ("assessed", "self_report", "reported")]
    turns = await rows_of(database_url, DialogTurn, DialogTurn.session_id == case.dialog_session_id)
    assert turns[0].direction == "in" and turns[0].text == "李云" or turns[0].direction == "out"
    assert any(t.direction == "in" and t.text == "两万五" for t in turns)
    assert turns[-1].direction == "out" and case.number in turns[-1].text
    [photo] = await rows_of(database_url, Evidence)
    assert (photo.case_id, photo.media_id) == (case.id, "media-photo-1")


async def test_report_from_someone_not_in_registry_is_kept_unlinked(make_client, settings,
                                                                    database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-new")
    await _walk_to_confirm(farmer, NEW_ID, False)
    assert "档案里暂时没找到您家" in await farmer.says("1")
    [case] = await rows_of(database_url, Case)
    assert case.household_id is None and case.household_size == 5
    assert case.village_text == "红龙村7组"


async def test_wrong_answers_are_re_asked_with_what_to_do(make_client, settings, database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-typo")
    await farmer.says("有困难")
    assert "只发名字" in await farmer.says("1")
    await farmer.says("王发红")
    wrong_check = HEAD_ID[:-1] + ("0" if HEAD_ID[-1] != "0" else "1")
    reply = await farmer.says(wrong_check)
    assert "校验码" in reply and "身份证号" in reply
    assert "位" in await farmer.says(HEAD_ID[:-2])
    assert "档案" in await farmer.says(HEAD_ID)
    assert "数字" in await farmer.says("不知道")
    await farmer.says("2")
    assert "时间" in await farmer.says("明年")
    await farmer.says("2026年3月")
    assert "金额" in await farmer.says("很多很多")
    [dialog] = await rows_of(database_url, DialogSession)
    assert dialog.step == "rigid_expense" and dialog.answers["cause"] == "disability"


async def test_back_restart_and_cancel(make_client, settings, database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-back")
    await farmer.says("申报")
    await farmer.says("王发红")
    assert "档案" in await farmer.says(HEAD_ID)
    reply = await farmer.says("返回")
    assert "回到上一项" in reply and "身份证" in reply
    [dialog] = await rows_of(database_url, DialogSession)
    assert "village" not in dialog.answers and "id_number" not in dialog.answers
    assert "从头" in await farmer.says("重填")
    assert "取消" in await farmer.says("取消")
    [dialog] = await rows_of(database_url, DialogSession)
    assert dialog.status == "cancelled"
    assert await rows_of(database_url, Case) == []
    assert "名字" in await farmer.says("申报")


async def test_dialog_resumes_after_server_restart(make_client, settings, database_url):
    await seed_registry(database_url)
    first = await make_client(settings)
    await say(first, TOKEN, text_xml("o-resume", "申报"))
    await say(first, TOKEN, text_xml("o-resume", "王发红"))
    await first.close()
    second = await make_client(settings)
    reply = await say(second, TOKEN, event_xml("o-resume", "CLICK", "REPORT"))
    assert "还没填完" in reply and "身份证" in reply
    assert "档案" in await say(second, TOKEN, text_xml("o-resume", HEAD_ID))


async def test_unfinished_dialog_expires_politely(make_client, settings, database_url, clock):
    farmer = Farmer(await make_client(settings), "o-late")
    await farmer.says("申报")
    clock.advance(days=8)
    reply = await farmer.says("王发红")
    assert "自动关闭" in reply and "7天" in reply
    [dialog] = await rows_of(database_url, DialogSession)
    assert dialog.status == "expired"


async def test_voice_counts_as_text_and_unrecognised_voice_is_kept(make_client, settings,
                                                                   database_url):
    farmer = Farmer(await make_client(settings), "o-voice")
    reply = await farmer.sends(media_xml("o-voice", "voice", "v-1", recognition="我要申报。"))
    assert "名字" in reply
    reply = await farmer.sends(media_xml("o-voice", "voice", "v-2", recognition=""))
    assert "没能听清" in reply and "名字" in reply
    spoken_name = media_xml("o-voice", "voice", "v-3", recognition="王发红")
    assert "身份证" in await farmer.sends(spoken_name)
    [kept] = await rows_of(database_url, Evidence)
    assert (kept.kind, kept.media_id) == ("voice", "v-2")


async def test_subscribe_starts_the_dialog_and_menu_lists_only_own_cases(make_client, settings,
                                                                         database_url):
    await seed_registry(database_url)
    client = await make_client(settings)
    reply = await say(client, TOKEN, event_xml("o-a", "subscribe", "qrscene_123"))
    assert "欢迎关注" in reply and "名字" in reply
    await say(client, TOKEN, text_xml("o-a", "取消"))
    other = Farmer(client, "o-b")
    await _walk_to_confirm(other, WIFE_ID, True)
    await other.says("确认")
    mine = await say(client, TOKEN, event_xml("o-a", "CLICK", "MY_CASES"))
    assert "还没有提交过申报" in mine
    [case] = await rows_of(database_url, Case)
    theirs = await other.says("进度")
    assert case.number in theirs and "待村里核实" in theirs


async def test_cadre_sees_the_new_case_masked(make_client, settings, database_url):
    await seed_registry(database_url)
    client = await make_client(settings)
    farmer = Farmer(client, "o-c")
    await _walk_to_confirm(farmer, WIFE_ID, True)
    await farmer.says("确认")
    reply = await say(client, TOKEN, text_xml("o-cadre", "待办"))
    assert "李*" in reply and "李云" not in reply and "因病" in reply and WIFE_ID not in reply
    assert client.app[INBOUND] is not None


async def test_someone_elses_id_reveals_nothing_and_is_not_linked(make_client, settings,
                                                                   database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-stranger")
    await farmer.says("申报")
    await farmer.says("侯建")
    reply = await farmer.says(WIFE_ID)  # 李云's number under another name
    assert "没有在档案里找到" in reply and "已找到" not in reply and "口人" not in reply
    await farmer.says("红龙村7组")
    await farmer.says("4")
    for answer in ("1", "上个月", "两万五", "0", "3万", "4万", "跳过", "没有", "13812345678"):
        await farmer.says(answer)
    await farmer.says("确认")
    [case] = await rows_of(database_url, Case)
    assert case.household_id is None
    [dialog] = await rows_of(database_url, DialogSession)
    assert dialog.answers["registry_check"] == "name_mismatch"


async def test_unregistered_report_is_placed_by_the_village_it_names(make_client, settings,
                                                                      database_url):
    ids = await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-placed")
    await _walk_to_confirm(farmer, NEW_ID, False)
    await farmer.says("确认")
    [case] = await rows_of(database_url, Case)
    assert case.area_id == ids["group"]  # "红龙村7组" names the village and its group


async def test_farmers_answers_as_spoken_and_typed_on_old_phones(make_client, settings,
                                                                 database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-spoken")
    assert "名字" in await farmer.says("申报")
    assert "叫什么名字" in await farmer.says("你好")  # a greeting is not a name: asked again
    assert "姓名" in await farmer.says("不知道")
    assert "身份证" in await farmer.says("李云。")
    spoken_id = f"我的身份证号是{WIFE_ID[:6]}-{WIFE_ID[6:14]}-{WIFE_ID[14:]}。"
    assert "已找到您家的档案" in await farmer.says(spoken_id)
    assert "还没填完" in await farmer.says("申报")  # resumes, is not taken as an answer
    assert "什么时候" in await farmer.says("地里干旱庄稼绝收了")
    reply = await farmer.says("1" * 30000)
    assert "太长" in reply
    [dialog] = await rows_of(database_url, DialogSession)
    assert dialog.answers["cause"] == "disaster" and dialog.step == "occurred_on"
    assert "花多少钱" in await farmer.says("不记得")
    assert "报销" in await farmer.says("一万")
    assert "不会比花的钱" in await farmer.says("两万")
    assert "今年" in await farmer.says("不知道")


async def test_anothers_open_report_is_noted_for_the_cadre_but_not_shown(make_client, settings,
                                                                         database_url):
    await seed_registry(database_url)
    client = await make_client(settings)
    owner = Farmer(client, "o-owner")
    await _walk_to_confirm(owner, WIFE_ID, True)
    await owner.says("确认")
    again = Farmer(client, "o-owner")
    await _walk_to_confirm(again, WIFE_ID, True)
    [first] = await rows_of(database_url, Case)
    assert first.number in await again.says("确认")  # their own earlier report: shown
    stranger = Farmer(client, "o-stranger2")
    await _walk_to_confirm(stranger, WIFE_ID, True)
    reply = await stranger.says("确认")
    assert first.number not in reply and "之前的申报" not in reply
    notes = await rows_of(database_url, CaseEvent, CaseEvent.action == "possible_duplicate")
    assert len(notes) == 2 and first.number in notes[-1].data["open_cases"]


async def test_spoken_answers_and_places_on_the_way(make_client, settings, database_url, clock):
    ids = await seed_registry(database_url)
    client = await make_client(settings)
    farmer = Farmer(client, "o-voice2")
    spoken = media_xml("o-voice2", "voice", "v-9", recognition="我想申报。")
    assert "叫什么名字" in await farmer.sends(spoken)
    await farmer.says("赵有才")
    assert "补上身份证号" in await farmer.says("不知道")
    assert "几口人" in await farmer.says("红龙村七组。")
    assert "人数" in await farmer.says("红龙村7组")  # a place is not a household size
    await farmer.says("四口")
    for answer in ("1", "去年十月。", "两万五", "0", "3万", "4万", "跳过", "没有"):
        await farmer.says(answer)
    summary = await farmer.says("一三八一二三四五六七八")
    last_year = clock.now.astimezone(dt.timezone(dt.timedelta(hours=8))).year - 1
    assert "13812345678" in summary and f"去年十月（{last_year}年10月）" in summary
    assert "红龙村七组" in summary and "红龙村七组。" not in summary
    await farmer.says("确认")
    [case] = await rows_of(database_url, Case)
    assert case.applicant_id_number == "" and case.household_size == 4
    assert case.area_id == ids["group"]  # 七组 is the registry's 7组


async def test_policy_question_mid_report_is_answered_and_the_step_asked_again(
        make_client, settings, database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-policy")
    await farmer.says("申报")
    reply = await farmer.says("政策")  # at the name step: a question, not a name
    assert "防返贫监测帮扶政策" in reply and "还没填完" in reply and "叫什么名字" in reply
    assert "只发名字" not in reply and "回复“申报”开始" not in reply
    [dialog] = await rows_of(database_url, DialogSession)
    assert dialog.status == "active" and dialog.step == "name" and dialog.answers == {}
    assert "身份证" in await farmer.says("王发红")
    await farmer.says(HEAD_ID)
    reply = await farmer.says("政策咨询")
    assert "防返贫监测帮扶政策" in reply and "困难是什么" in reply
    assert "什么时候" in await farmer.says("2")
    [dialog] = await rows_of(database_url, DialogSession)
    assert dialog.answers["name"] == "王发红" and dialog.answers["cause"] == "disability"
    outside = await Farmer(farmer.client, "o-policy-2").says("政策")
    assert "回复“申报”开始" in outside and "还没填完" not in outside


async def test_progress_and_result_mid_report_are_answered_and_the_step_asked_again(
        make_client, settings, database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-asides")
    await farmer.says("申报")
    await farmer.says("王发红")
    for aside, answered in (("进度", "申报"), ("结果", "评估")):
        reply = await farmer.says(aside)
        assert answered in reply and "还没填完" in reply and "身份证" in reply, (aside, reply)
        assert "回复“申报”" not in reply
    [dialog] = await rows_of(database_url, DialogSession)
    assert dialog.status == "active" and dialog.step == "id_number"
    assert dialog.answers == {"name": "王发红"}


async def test_odd_amounts_and_an_x_typed_as_times_sign(make_client, settings, database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-amounts")
    await farmer.says("申报")
    await farmer.says("赵有才")
    reply = await farmer.says(X_ID[:-1] + "×")
    assert "没有在档案里找到" in reply and "17位" not in reply
    for answer in ("红龙村7组", "4", "1", "上个月"):
        await farmer.says(answer)
    reply = await farmer.says("99999999999")
    assert "超过了1亿元" in reply and "没看懂" not in reply and "花多少钱" in reply
    reply = await farmer.says("-500")
    assert "不能是负数" in reply and "没看懂" not in reply
    assert "不能是负数" in await farmer.says("负五百")
    reply = await farmer.says("0.5")
    assert "不到1元" in reply and "0.5万" in reply and "没看懂" not in reply
    [dialog] = await rows_of(database_url, DialogSession)
    assert dialog.step == "rigid_expense" and "rigid_expense" not in dialog.answers
    reply = await farmer.says("2500.5")
    assert "2500.5元按整元记为2,501元" in reply and "报销" in reply
    for answer in ("0", "3万", "4万", "跳过", "没有"):
        await farmer.says(answer)
    summary = await farmer.says("13812345678")
    assert "预计要花的钱：2,501元" in summary and X_ID in summary


# --- changing one item from the summary ("改3", "电话错了") ----------------------------------


async def _dialog(database_url: str) -> DialogSession:
    [dialog] = await rows_of(database_url, DialogSession, DialogSession.status == "active")
    return dialog


async def test_summary_is_numbered_and_the_name_is_changed_by_its_number(make_client, settings,
                                                                        database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-edit-name")
    summary = await _walk_to_confirm(farmer, NEW_ID, False)
    assert "1. 申请人姓名：李云" in summary and "12. 联系电话：13812345678" in summary
    assert "回复“改”加序号，如“改3”" in summary
    reply = await farmer.says("改1")
    assert "请重新回答这一项" in reply and "叫什么名字" in reply and "申报已提交" not in reply
    reply = await farmer.says("李芸")
    assert "1. 申请人姓名：李芸" in reply and "请核对您的申报" in reply  # straight back
    assert "身份证号（18位" not in reply and "没有在档案里找到" not in reply
    assert (await _dialog(database_url)).step == "confirm"
    assert "申报已提交" in await farmer.says("1")
    [case] = await rows_of(database_url, Case)
    assert case.applicant_name == "李芸" and case.phone == "13812345678"
    assert case.village_text == "红龙村7组" and case.household_size == 5


async def test_phone_is_changed_by_words_and_the_case_carries_it(make_client, settings,
                                                                 database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-edit-phone")
    await _walk_to_confirm(farmer, WIFE_ID, True)
    reply = await farmer.says("电话错了")
    assert "第12项：联系电话" in reply and "联系电话，村里核实时" in reply
    summary = await farmer.says("13900001111")
    assert "12. 联系电话：13900001111" in summary and "13812345678" not in summary
    assert "联系电话，村里核实时" in await farmer.says("改 电话号码")
    summary = await farmer.says("139 0000 2222")
    assert "13900002222" in summary
    await farmer.says("确认")
    [case] = await rows_of(database_url, Case)
    assert case.phone == "13900002222" and case.applicant_name == "李云"
    assert case.household_id is not None and case.rigid_expense == 25000


async def test_id_changed_to_one_in_the_registry_takes_the_households_answers(
        make_client, settings, database_url):
    ids = await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-edit-id-found")
    summary = await _walk_to_confirm(farmer, NEW_ID, False)
    assert "4. 家庭人口：5" in summary
    assert "身份证" in await farmer.says("改2")
    reply = await farmer.says(WIFE_ID)
    assert "已找到您家的档案" in reply and "请核对您的申报" in reply and "几口人" not in reply
    assert f"2. 身份证号：{WIFE_ID}" in reply and "4. 家庭人口：3" in reply
    assert "3. 村和组：红龙村7组" in reply
    dialog = await _dialog(database_url)
    assert dialog.answers["household_id"] == ids["household"] and dialog.step == "confirm"
    assert [entry["step"] for entry in dialog.history].count("village") == 0
    reply = await farmer.says("返回")  # takes back the last answer: the changed ID
    assert "身份证" in reply
    dialog = await _dialog(database_url)
    assert not {"id_number", "household_id", "village", "household_size"} & set(dialog.answers)
    assert "请核对您的申报" in await farmer.says(WIFE_ID)
    await farmer.says("确认")
    [case] = await rows_of(database_url, Case)
    assert case.household_id == ids["household"] and case.household_size == 3
    assert case.applicant_id_number == WIFE_ID


async def test_id_changed_to_one_not_in_the_registry_asks_village_and_size(
        make_client, settings, database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-edit-id-new")
    await _walk_to_confirm(farmer, WIFE_ID, True)
    assert "身份证" in await farmer.says("身份证号码不对")
    reply = await farmer.says(NEW_ID)
    assert "没有在档案里找到" in reply and "哪个村" in reply and "请核对" not in reply
    dialog = await _dialog(database_url)
    assert not {"household_id", "member_id", "area_id", "village", "household_size"} & set(
        dialog.answers)
    assert "几口人" in await farmer.says("红龙村8组")
    summary = await farmer.says("4")
    assert "请核对您的申报" in summary and "困难是什么" not in summary
    assert "3. 村和组：红龙村8组" in summary and "4. 家庭人口：4" in summary
    await farmer.says("确认")
    [case] = await rows_of(database_url, Case)
    assert case.household_id is None and case.member_id is None
    assert (case.applicant_id_number, case.village_text, case.household_size) == (
        NEW_ID, "红龙村8组", 4)


async def test_changing_the_name_repeats_the_registry_check(make_client, settings,
                                                            database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-edit-name-id")
    await _walk_to_confirm(farmer, WIFE_ID, True)
    await farmer.says("名字错了")
    reply = await farmer.says("侯建")  # 李云's number is not 侯建's: nothing of hers is kept
    assert "没有在档案里找到" in reply and "哪个村" in reply
    dialog = await _dialog(database_url)
    assert dialog.answers["registry_check"] == "name_mismatch"
    assert "household_id" not in dialog.answers and "household_size" not in dialog.answers
    await farmer.says("红龙村7组")
    assert "请核对您的申报" in await farmer.says("2")
    await farmer.says("确认")
    [case] = await rows_of(database_url, Case)
    assert case.household_id is None and case.applicant_name == "侯建"


async def test_back_during_a_change_keeps_the_answer_also_after_a_restart(make_client, settings,
                                                                         database_url):
    await seed_registry(database_url)
    client = await make_client(settings)
    farmer = Farmer(client, "o-edit-back")
    await _walk_to_confirm(farmer, NEW_ID, False)
    before = dict((await _dialog(database_url)).answers)
    assert "叫什么名字" in await farmer.says("修改1")
    reply = await farmer.says("返回")
    assert "这一项不改了" in reply and "1. 申请人姓名：李云" in reply
    dialog = await _dialog(database_url)
    assert dialog.step == "confirm" and dialog.answers == before
    assert "哪个村" in await farmer.says("改3")
    await client.close()
    farmer = Farmer(await make_client(settings), "o-edit-back")  # the server restarted
    reply = await farmer.says("红龙村七组")
    assert "3. 村和组：红龙村七组" in reply and "几口人" not in reply
    assert (await _dialog(database_url)).step == "confirm"
    assert "困难是什么" in await farmer.says("改5")
    assert "已取消" in await farmer.says("取消")  # 取消 in the middle of a change still stops
    assert await rows_of(database_url, Case) == []


async def test_unknown_item_is_asked_again_with_how_to_choose(make_client, settings,
                                                              database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-edit-bad")
    await _walk_to_confirm(farmer, NEW_ID, False)
    for wrong in ("改20", "改 地球", "收入错了", "改"):
        reply = await farmer.says(wrong)
        assert "没找到要改的是哪一项" in reply and "1到12" in reply, wrong
        assert "请核对您的申报" in reply and "申报已提交" not in reply
    reply = await farmer.says("3")  # a bare number is not an item: only "1" confirms
    assert "要改第3项，请回复“改3”" in reply
    dialog = await _dialog(database_url)
    assert dialog.step == "confirm" and not any(e.get("editing") for e in dialog.history)
    assert "申报已提交" in await farmer.says("1")


async def test_lower_expense_asks_the_reimbursement_again(make_client, settings, database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-edit-expense")
    await _walk_to_confirm(farmer, NEW_ID, False)  # 25,000 spent, 3,000 reimbursed
    assert "花多少钱" in await farmer.says("改7")
    reply = await farmer.says("两千")
    assert "“已报销或补助”也要重新回答" in reply and "报销" in reply and "请核对" not in reply
    summary = await farmer.says("500")
    assert "7. 预计要花的钱：2,000元" in summary and "8. 已报销或补助：500元" in summary
    await farmer.says("确认")
    [case] = await rows_of(database_url, Case)
    assert (case.rigid_expense, case.reimbursed) == (2000, 500)


async def test_anything_else_at_the_summary_shows_it_again(make_client, settings, database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-summary-odd")
    await _walk_to_confirm(farmer, NEW_ID, False)
    for odd in ("随便", "等一下", "１３８１２３４５６７８"):
        reply = await farmer.says(odd)
        assert "没看懂" in reply and "请核对您的申报" in reply and "出了点问题" not in reply
    assert "要改第3项" in await farmer.says("3")
    assert await rows_of(database_url, Case) == []


async def test_back_while_a_change_asks_more_restores_the_summary(make_client, settings,
                                                                 database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-edit-back-more")
    await _walk_to_confirm(farmer, NEW_ID, False)  # 25,000 spent, 3,000 reimbursed
    before = dict((await _dialog(database_url)).answers)
    await farmer.says("改7")
    assert "报销" in await farmer.says("两千")  # the reimbursement is asked again
    reply = await farmer.says("返回")
    assert "不改了" in reply and "7. 预计要花的钱：25,000元" in reply
    assert "8. 已报销或补助：3,000元" in reply
    dialog = await _dialog(database_url)
    assert dialog.answers == before and dialog.step == "confirm"
    # "改N" while another item is being changed switches to it, the first unchanged
    await farmer.says("改7")
    assert "报销" in await farmer.says("两千")
    assert "电话" in await farmer.says("改电话")
    reply = await farmer.says("139 0000 1111")
    assert "7. 预计要花的钱：25,000元" in reply and "13900001111" in reply
    await farmer.says("确认")
    [case] = await rows_of(database_url, Case)
    assert (case.rigid_expense, case.reimbursed, case.phone) == (25000, 3000, "13900001111")


async def test_back_while_a_changed_id_asks_the_village_restores_the_household(
        make_client, settings, database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-edit-back-id")
    await _walk_to_confirm(farmer, WIFE_ID, True)  # village and size from the registry
    before = dict((await _dialog(database_url)).answers)
    assert before["household_id"] and before["village"] == "红龙村7组"
    await farmer.says("改2")
    assert "哪个村" in await farmer.says(NEW_ID)  # not in the registry: the village is asked
    reply = await farmer.says("返回")
    assert "不改了" in reply and WIFE_ID in reply and "红龙村7组" in reply
    assert (await _dialog(database_url)).answers == before
    await farmer.says("确认")
    [case] = await rows_of(database_url, Case)
    assert case.household_id == before["household_id"]


async def test_a_farmer_without_a_phone_can_still_report(make_client, settings, database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-no-phone")
    assert "名字" in await farmer.says("我要申报")
    await farmer.says("李云")
    await farmer.says(NEW_ID)
    for answer in ("红龙村7组", "一家五口", "老人住院了", "上个月", "两万五", "3千", "3万5",
                   "四万", "婆婆住院", "好了"):
        reply = await farmer.says(answer)
    assert "没有电话请回复“没有”" in reply
    assert "没有电话请回复" in await farmer.says("12345")
    summary = await farmer.says("家里没电话")
    assert "联系电话：无" in summary
    await farmer.says("确认")
    [case] = await rows_of(database_url, Case)
    assert case.phone == "" and case.applicant_name == "李云"


async def test_a_new_value_in_the_change_request_is_taken_at_once(make_client, settings,
                                                                 database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-edit-inline")
    await _walk_to_confirm(farmer, NEW_ID, False)
    summary = await farmer.says("改电话 136 0000 1111")
    assert "请核对您的申报" in summary and "联系电话：13600001111" in summary
    reply = await farmer.says("改电话 12345")  # a bad number: asked again, the old one kept
    assert "电话号码不对" in reply and "返回" not in reply.split("电话号码不对")[0]
    assert "联系电话：13600001111" in await farmer.says("返回")
    await farmer.says("确认")
    [case] = await rows_of(database_url, Case)
    assert case.phone == "13600001111"


async def test_sentences_pronouns_and_questions_are_not_taken_as_names(make_client, settings,
                                                                       database_url):
    await seed_registry(database_url)
    farmer = Farmer(await make_client(settings), "o-words")
    await farmer.says("申报")
    for words in ("我自己", "本人"):
        assert "身份证上的名字" in await farmer.says(words), words
    for words in ("怎么申报", "我想问一下低保的事", "张三李四王五赵六孙七周八吴九郑十"):
        reply = await farmer.says(words)
        assert "只发名字" in reply and "身份证号" not in reply, words
    assert "身份证" in await farmer.says("阿依古丽·买买提")  # a long name with its middle dot
    [dialog] = await rows_of(database_url, DialogSession)
    assert dialog.answers["name"] == "阿依古丽·买买提"
    # the registered ID under another name: not found, with the hint that the name must match
    reply = await farmer.says(HEAD_ID)
    assert "名字要和身份证上的一模一样" in reply and "王发红" not in reply and "已找到" not in reply


async def test_a_new_follower_is_not_told_of_an_earlier_report(make_client, settings):
    farmer = Farmer(await make_client(settings), "o-new-follower")
    assert "叫什么名字" in await farmer.sends(event_xml("o-new-follower", "subscribe"))
    reply = await farmer.says("你好")
    assert "上次" not in reply and "叫什么名字" in reply
    await farmer.says("李云")
    assert "您上次的申报还没填完" in await farmer.says("你好")
