from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy.amounts import parse_amount_yuan, parse_count, parse_numeral, read_amount


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("25000", 25000),
        ("25,000", 25000),
        ("25，000", 25000),
        ("1,234,567", 1234567),
        ("２５０００", 25000),
        ("25000元", 25000),
        ("25000.00", 25000),
        (" 25000 元 ", 25000),
        ("2.5万", 25000),
        ("2.5万元", 25000),
        ("2.5 万", 25000),
        ("3万5", 35000),
        ("3万5千", 35000),
        ("2万5000", 25000),
        ("2万零500", 20500),
        ("两万五", 25000),
        ("两万五千", 25000),
        ("两万五千元整", 25000),
        ("一万二", 12000),
        ("一万二千三百", 12300),
        ("八千", 8000),
        ("八千块", 8000),
        ("八千块钱", 8000),
        ("大概两万", 20000),
        ("约2万", 20000),
        ("花了大约三万块", 30000),
        ("一共两万", 20000),
        ("2w", 20000),
        ("2W", 20000),
        ("1.2w", 12000),
        ("5k", 5000),
        ("三千五", 3500),
        ("三千零五十", 3050),
        ("三千零五", 3005),
        ("十万", 100000),
        ("十二万", 120000),
        ("一百二十万", 1200000),
        ("一千万", 10000000),
        ("五百", 500),
        ("十", 10),
        ("二点五万", 25000),
        ("贰万伍仟", 25000),
        ("1亿", 100000000),
        ("0", 0),
        ("0元", 0),
        ("零", 0),
        ("没有", 0),
        ("无", 0),
        ("没", 0),
        ("没有。", 0),
        ("一分钱没有", 0),
        ("一万多", 10000),
        ("两万左右", 20000),
        ("三千多块钱吧", 3000),
        ("99.5", 100),
    ],
)
def test_parse_amount_yuan(text: str, yuan: int) -> None:
    assert parse_amount_yuan(text) == yuan


@pytest.mark.parametrize(
    "text",
    [
        "1万到2万",
        "1-2万",
        "1万~2万",
        "一两万",
        "两三千",
        "三四万块",
        "十几万",
        "几千",
        "好几万",
        "住院花了两万，报销了一万",
        "2,5",
        "不知道",
        "不清楚",
        "abc",
        "ok",
        "",
        "   ",
        "😭",
        "💰💰",
        "-500",
        "负两万",
        "200000000",
        "100000001",
        "2亿",
        "万",
        "万元",
        "三千三千",
        "2万3万",
    ],
)
def test_parse_amount_yuan_unclear_gives_none(text: str) -> None:
    assert parse_amount_yuan(text) is None


@given(st.integers(min_value=0, max_value=10**8))
def test_plain_number_round_trips(n: int) -> None:
    assert parse_amount_yuan(str(n)) == n


@given(st.integers(min_value=0, max_value=10**8))
def test_grouped_number_with_unit_round_trips(n: int) -> None:
    assert parse_amount_yuan(f"{n:,}元") == n


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=0, max_value=9999))
def test_wan_with_arabic_remainder(wan: int, rest: int) -> None:
    text = f"{wan}万{rest}" if rest >= 10 else f"{wan}万零{rest}"
    assert parse_amount_yuan(text) == wan * 10000 + rest


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("5", 5),
        ("５", 5),
        ("五", 5),
        ("5口", 5),
        ("五口人", 5),
        ("5个人", 5),
        ("一家五口", 5),
        ("一家人五个", 5),
        ("我家有6口人", 6),
        ("十二", 12),
        ("十二个", 12),
        ("两个", 2),
        ("一个人", 1),
        ("0", 0),
        ("没有", 0),
        ("40", 40),
    ],
)
def test_parse_count(text: str, count: int) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize(
    "text",
    ["", "不知道", "五六个", "5到6个", "5.5", "好几个", "一家", "-3", "🙂", "3口人和2个孩子"],
)
def test_parse_count_unclear_gives_none(text: str) -> None:
    assert parse_count(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        ("十二", 12),
        ("一百零五", 105),
        ("二〇二六", 2026),
        ("二零二五", 2025),
        ("两", 2),
    ],
)
def test_parse_numeral(text: str, value: int) -> None:
    assert parse_numeral(text) == value


@pytest.mark.parametrize("text", ["", "三四", "2.5", "二点五", "第二", "abc"])
def test_parse_numeral_rejects(text: str) -> None:
    assert parse_numeral(text) is None


@pytest.mark.parametrize(
    ("text", "problem", "stated"),
    [
        ("99999999999", "too_large", Decimal("99999999999")),
        ("2亿", "too_large", Decimal("200000000")),
        ("-500", "negative", Decimal("-500")),
        ("负五百", "negative", Decimal("-500")),
        ("大概-2万", "negative", Decimal("-20000")),
        ("亏了500", "negative", Decimal("-500")),
        ("今年亏本两千块", "negative", Decimal("-2000")),
        ("0.5", "under_one_yuan", Decimal("0.5")),
        ("0.50元", "under_one_yuan", Decimal("0.50")),
        ("1-2万", "unclear", None),
        ("一万-两万", "unclear", None),
        ("负债两万", "unclear", None),
        ("很多很多", "unclear", None),
    ],
)
def test_read_amount_says_what_is_wrong(text: str, problem: str, stated: Decimal | None) -> None:
    reading = read_amount(text)
    assert (reading.yuan, reading.problem, reading.stated) == (None, problem, stated)
    assert parse_amount_yuan(text) is None


@pytest.mark.parametrize(
    ("text", "yuan", "rounded"),
    [("2500.5", 2501, True), ("99.4", 99, True), ("2.5万", 25000, False),
     ("25000.00", 25000, False), ("1", 1, False), ("-0", 0, False), ("没有", 0, False),
     ("保险赔了5000", 5000, False)],
)
def test_read_amount_tells_when_a_fraction_was_rounded(text: str, yuan: int,
                                                       rounded: bool) -> None:
    reading = read_amount(text)
    assert (reading.yuan, reading.problem, reading.rounded) == (yuan, None, rounded)


def test_half_a_yuan_is_never_turned_into_one() -> None:
    assert parse_amount_yuan("0.5") is None
    assert read_amount("0.5").yuan is None
