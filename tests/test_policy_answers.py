from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy.answers import (
    Choice,
    EditRequest,
    is_command,
    parse_choice,
    parse_edit,
    parse_phone,
    parse_when,
    parse_yes_no,
    phone_problem,
)

TODAY = date(2026, 11, 20)  # a Friday

CAUSES = (
    Choice("illness", "生病", ("大病", "住院", "看病", "疾病")),
    Choice("disability", "残疾", ("残废", "致残")),
    Choice("disaster", "受灾", ("洪水", "泥石流", "冰雹", "房子倒了")),
    Choice("schooling", "上学", ("读书", "学费", "大学")),
    Choice("other", "其他"),
)


@pytest.mark.parametrize(
    "text",
    [
        "是", "是的", "是的。", "对", "对的", "嗯", "嗯嗯", "嗯嗯嗯", "恩", "好", "好的", "好的！",
        "好的吧", "可以", "可以啊", "行", "确认", "确定", "没错", "有", "y", "Y", "yes", "YES",
        "ok", "OK!", "Ｏｋ", "1", "１", "👍", "👍🏻", " 是 ", "～是的～", "对对对", "好的，确认",
    ],
)  # fmt: skip
def test_parse_yes_no_yes(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "否", "不是", "不是的", "不", "不对", "没有", "没有。", "无", "不用", "不用了", "不要",
        "算了", "n", "N", "no", "No!", "2", "２", "不，不对", "👎", "  否！",
    ],
)  # fmt: skip
def test_parse_yes_no_no(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize(
    "text",
    [
        "", "  ", "。", "不确定", "不知道", "是，不是", "好的不要", "3", "也许", "我想想",
        "是不是", "😀", "可能吧", "有没有",
    ],
)  # fmt: skip
def test_parse_yes_no_unclear(text: str) -> None:
    assert parse_yes_no(text) is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("1", "illness"),
        ("2", "disability"),
        ("２", "disability"),
        ("二", "disability"),
        ("②", "disability"),
        ("第二个", "disability"),
        ("第2项", "disability"),
        ("2号", "disability"),
        ("选2", "disability"),
        ("我选第二个", "disability"),
        ("2。", "disability"),
        ("五", "other"),
        ("5", "other"),
        ("生病", "illness"),
        ("家里老人住院了", "illness"),
        ("孩子得了大病", "illness"),
        ("发洪水，房子倒了", "disaster"),
        ("娃娃上大学交不起学费", "schooling"),
        ("其他", "other"),
        ("没住院，是泥石流", "disaster"),
    ],
)
def test_parse_choice(text: str, key: str) -> None:
    assert parse_choice(text, CAUSES) == key


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0",
        "6",
        "第六个",
        "12",
        "不知道",
        "说不清",
        "住院又受灾",  # two options match: ask again
        "看病花了学费",
        "没住院",
    ],
)
def test_parse_choice_unclear(text: str) -> None:
    assert parse_choice(text, CAUSES) is None


def test_parse_choice_with_empty_menu() -> None:
    assert parse_choice("1", ()) is None


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("19912345678", "19912345678"),
        ("电话：13812345678", "13812345678"),
        ("我是3组的，电话13812345678", "13812345678"),
        ("0871-12345678", "0871-12345678"),
        ("087112345678", "0871-12345678"),
        ("0871 12345678", "0871-12345678"),
        ("(0871)12345678", "0871-12345678"),
        ("（0871）1234567", "0871-1234567"),
        ("010-12345678", "010-12345678"),
        ("02012345678", "020-12345678"),
    ],
)
def test_parse_phone(text: str, phone: str) -> None:
    assert parse_phone(text) == phone
    assert phone_problem(text) == ""


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("1381234567", "手机号应是11位数字，您输入了10位"),
        ("138123456789", "您输入了12位"),
        ("12812345678", "第2位应是3到9"),
        ("0871-123", "座机号应是区号加7到8位号码"),
        ("0871-123456789", "座机号"),
        ("23456789", "应以1开头"),
        ("没有电话", "没有看到电话号码"),
        ("", "没有看到电话号码"),
        ("13812345678 13987654321", "只输入一个"),
    ],
)
def test_phone_problem(text: str, hint: str) -> None:
    assert parse_phone(text) is None
    assert hint in phone_problem(text)


@given(
    second=st.sampled_from("3456789"),
    rest=st.text(alphabet="0123456789", min_size=9, max_size=9),
    separator=st.sampled_from(["", " ", "-"]),
)
def test_any_mobile_with_separators_parses(second: str, rest: str, separator: str) -> None:
    mobile = f"1{second}{rest}"
    spaced = separator.join([mobile[:3], mobile[3:7], mobile[7:]])
    assert parse_phone(spaced) == mobile


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-05", date(2026, 10, 5)),
        ("2026/10/5", date(2026, 10, 5)),
        ("2026年10月5日", date(2026, 10, 5)),
        ("2026年10月5号", date(2026, 10, 5)),
        ("2026.10.5", date(2026, 10, 5)),
        ("20261005", date(2026, 10, 5)),
        ("二〇二六年十月五日", date(2026, 10, 5)),
        ("10月5号", date(2026, 10, 5)),
        ("十月五号", date(2026, 10, 5)),
        ("11月20日", date(2026, 11, 20)),
        ("11月21日", date(2025, 11, 21)),  # would be tomorrow: so last year
        ("12月5号", date(2025, 12, 5)),
        ("10月", date(2026, 10, 1)),
        ("十月份", date(2026, 10, 1)),
        ("大概十月份", date(2026, 10, 1)),
        ("12月", date(2025, 12, 1)),
        ("2026年3月", date(2026, 3, 1)),
        ("2025年", date(2025, 1, 1)),
        ("5号", date(2026, 11, 5)),
        ("25号", date(2026, 10, 25)),
        ("上个月", date(2026, 10, 1)),
        ("上月", date(2026, 10, 1)),
        ("这个月", date(2026, 11, 1)),
        ("本月", date(2026, 11, 1)),
        ("上周", date(2026, 11, 9)),
        ("上个星期", date(2026, 11, 9)),
        ("这周", date(2026, 11, 16)),
        ("前天", date(2026, 11, 18)),
        ("昨天", date(2026, 11, 19)),
        ("今天", date(2026, 11, 20)),
        ("今天。", date(2026, 11, 20)),
        ("去年", date(2025, 1, 1)),
        ("今年", date(2026, 1, 1)),
        ("今年3月", date(2026, 3, 1)),
        ("今年三月份", date(2026, 3, 1)),
        ("去年10月5号", date(2025, 10, 5)),
        ("三天前", date(2026, 11, 17)),
        ("3天以前", date(2026, 11, 17)),
        ("两个月前", date(2026, 9, 20)),
        ("一个多月前", date(2026, 10, 20)),
        ("半年前", date(2026, 5, 20)),
        ("半个月前", date(2026, 11, 5)),
        ("两周前", date(2026, 11, 6)),
        ("一年前", date(2025, 11, 20)),
        # lunar months, as the solar month they mostly fall in
        ("腊月", date(2026, 1, 1)),
        ("去年腊月", date(2026, 1, 1)),  # the 腊月 of the last lunar year: January
        ("前年腊月二十三", date(2025, 1, 1)),
        ("正月", date(2026, 2, 1)),
        ("去年正月十五", date(2025, 2, 1)),
        ("冬月", date(2025, 12, 1)),  # this year's has not begun on 20 November
        ("去年冬月初八", date(2025, 12, 1)),
    ],
)
def test_parse_when(text: str, expected: date) -> None:
    assert parse_when(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "", "明天", "2026-11-21", "2027年1月", "今年12月", "2026年2月30日", "13月", "2月30号",
        "32号", "前几天", "最近", "不记得了", "很久以前", "1899年", "abc", "今年腊月", "腊月腊月",
    ],
)  # fmt: skip
def test_parse_when_unclear_or_future(text: str) -> None:
    assert parse_when(text, TODAY) is None


def test_parse_when_month_end_clamps() -> None:
    assert parse_when("一个月前", date(2026, 3, 31)) == date(2026, 2, 28)
    assert parse_when("上个月", date(2026, 1, 15)) == date(2025, 12, 1)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("返回", "back"),
        ("上一步", "back"),
        ("上一题", "back"),
        ("返回。", "back"),
        ("取消", "cancel"),
        ("取消！", "cancel"),
        ("不报了", "cancel"),
        ("退出", "cancel"),
        ("我要取消", "cancel"),
        ("重填", "restart"),
        ("重新填", "restart"),
        ("重来", "restart"),
        ("我想重新开始", "restart"),
    ],
)
def test_is_command(text: str, command: str) -> None:
    assert is_command(text) == command


@pytest.mark.parametrize(
    "text",
    [
        "",
        "我不想取消",
        "不取消",
        "取消什么",
        "为什么要取消报名",
        "返回家乡打工收入少",
        "重病",
        "2",
        "是",
    ],
)
def test_is_command_ignores_sentences(text: str) -> None:
    assert is_command(text) is None


SUMMARY_ITEMS = (
    ("申请人姓名", "名字", "姓名"), ("身份证号", "身份证", "身份证号码"), ("村和组", "村", "地址"),
    ("家庭人口", "人数"), ("困难原因",), ("发生时间",), ("预计要花的钱",), ("已报销或补助",),
    ("今年预计家庭收入", "今年收入"), ("去年家庭收入", "去年收入"), ("情况说明",),
    ("联系电话", "电话", "手机", "号码", "电话号码"),
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("改3", 3), ("修改3", 3), ("改 3", 3), ("改３", 3), ("改③", 3), ("改第三项", 3),
        ("修改第12项吧", 12), ("改十二", 12), ("3不对", 3), ("第3项错了", 3), ("改1", 1),
        ("改 电话", 12), ("电话错了", 12), ("改电话号码", 12), ("手机号写错了", 12),
        ("号码错了", 12), ("改一下电话", 12), ("我要改名字", 1), ("名字错了", 1),
        ("身份证号码不对", 2), ("身份证错了", 2), ("改村", 3), ("今年收入不对", 9),
        ("去年收入填错了", 10), ("发生时间错了", 6), ("改 家庭人口", 4),
    ],
)  # fmt: skip
def test_parse_edit_names_the_item(text: str, item: int) -> None:
    assert parse_edit(text, SUMMARY_ITEMS) == EditRequest(item)


@pytest.mark.parametrize(
    "text", ["改", "修改", "改13", "改0", "改 地球", "收入错了", "改好了", "都不对"]
)
def test_parse_edit_cannot_tell_which_item(text: str) -> None:
    assert parse_edit(text, SUMMARY_ITEMS) == EditRequest(None)


@pytest.mark.parametrize(
    "text",
    ["1", "3", "确认", "提交", "不对", "错了", "没错", "不用改", "不改了", "别改", "", "  ",
     "好的", "返回", "改" * 30],
)  # fmt: skip
def test_parse_edit_ignores_what_is_not_a_change(text: str) -> None:
    assert parse_edit(text, SUMMARY_ITEMS) is None


def test_parse_edit_while_another_question_is_answered_takes_only_the_prefixed_form() -> None:
    items = [("申请人姓名", "名字"), ("联系电话", "电话")]
    assert parse_edit("改2", items, prefixed_only=True) == EditRequest(2)
    assert parse_edit("修改名字", items, prefixed_only=True) == EditRequest(1)
    assert parse_edit("电话错了", items, prefixed_only=True) is None  # may be an answer there
    assert parse_edit("电话错了", items) == EditRequest(2)


def test_parse_edit_keeps_a_new_value_given_in_the_same_message() -> None:
    items = [("申请人姓名", "名字"), ("联系电话", "电话", "电话号码")]
    assert parse_edit("改电话 136 0000 1111", items) == EditRequest(2, "13600001111")
    assert parse_edit("改名字为李四", items) == EditRequest(1, "李四")
    assert parse_edit("改电话号码", items) == EditRequest(2)  # the whole item name: no value
    assert parse_edit("改一下电话吧", items) == EditRequest(2)
