"""One answer to one step, read and (when refused) explained in plain Chinese."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answer_reader import Accepted, Rejected, read_answer
from bot.self_report_form import SELF_REPORT
from bot.texts import Answer, create_text_environment, render_answer

TODAY = dt.date(2026, 6, 15)
EXPENSE = SELF_REPORT.step("rigid_expense")
INCOME = SELF_REPORT.step("income_expected")
ID_STEP = SELF_REPORT.step("id_number")
TEXTS = create_text_environment()


def _said(answer: Answer | Rejected) -> str:
    if isinstance(answer, Rejected):
        answer = Answer(answer.template, answer.context)
    return render_answer(TEXTS, answer)


@pytest.mark.parametrize(
    ("text", "template", "words"),
    [
        ("99999999999", "self_report/amount_too_large.j2",
         ("99,999,999,999元", "超过了1亿元", "多打了几个0")),
        ("-500", "self_report/amount_negative.j2", ("不能是负数", "回复“0”")),
        ("负五百", "self_report/amount_negative.j2", ("不能是负数",)),
        ("0.5", "self_report/amount_under_one_yuan.j2", ("0.5元", "不到1元", "0.5万")),
        ("很多很多", "self_report/invalid_amount.j2", ("没看懂金额",)),
    ],
)
def test_refused_amounts_say_what_is_wrong(text: str, template: str, words: tuple[str]) -> None:
    reading = read_answer(INCOME, text, TODAY, {})
    assert isinstance(reading, Rejected) and reading.template == template
    said = _said(reading)
    assert all(word in said for word in words), said
    if template != "self_report/invalid_amount.j2":
        assert "没看懂" not in said


def test_rounded_amount_is_kept_in_whole_yuan_and_said_back() -> None:
    reading = read_answer(EXPENSE, "2500.5", TODAY, {})
    assert isinstance(reading, Accepted) and reading.value == 2501
    [note] = reading.notes
    assert _said(note) == "2500.5元按整元记为2,501元（不足1元的零头四舍五入）。"
    plain = read_answer(EXPENSE, "两万五", TODAY, {})
    assert plain == Accepted(25000)


@pytest.mark.parametrize("x_like", ["×", "✕", "Ｘ", "x"])
def test_id_typed_with_a_multiplication_sign_for_x(x_like: str) -> None:
    reading = read_answer(ID_STEP, f"53012819720417385{x_like}", TODAY, {})
    assert reading == Accepted("53012819720417385X")


@pytest.mark.parametrize("not_a_number", ["张三", "王二小", "我不记得", "身份证"])
def test_a_name_or_words_at_the_id_step_are_not_counted_as_digits(not_a_number: str) -> None:
    reading = read_answer(ID_STEP, not_a_number, TODAY, {})
    assert isinstance(reading, Rejected) and "没看到号码" in _said(reading)
    assert "位" not in reading.context["problem"].replace("18位", "")


def test_an_id_spoken_in_chinese_digits_is_still_read() -> None:
    spoken = "五三零一二八一九七二零四一七三八五X"
    assert read_answer(ID_STEP, spoken, TODAY, {}) == Accepted("53012819720417385X")


@pytest.mark.parametrize(("text", "number"), [("3", 3), ("2", 2), ("１２", 12)])
def test_bare_number_at_the_summary_names_the_item_to_change(text: str, number: int) -> None:
    reading = read_answer(SELF_REPORT.step("confirm"), text, TODAY, {})
    assert reading == Rejected("self_report/invalid_confirm.j2", {"number": number})
    assert f"请回复“改{number}”" in _said(reading)
    assert read_answer(SELF_REPORT.step("confirm"), "1", TODAY, {}) == Accepted(True)
