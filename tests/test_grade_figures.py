"""The fast path's per-household rule JSON is byte for byte the general path's."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.grade_encoding import rule_json
from bot.grade_figures import IncomeRule, no_labour_rule, pc_bytes, pc_texts
from policy.rules import R_INCOME, income_figures, no_labour_fired, yuan

MAX = 10**12
ints = st.integers(min_value=0, max_value=MAX)
amounts = st.one_of(ints, st.floats(min_value=0, max_value=MAX, allow_nan=False))
sizes = st.integers(min_value=1, max_value=12)


def general_income(pc: float, line: float, total: float, expense: float, size: int,
                   last: float | None) -> bytes:
    figures, text = income_figures(pc, line, total, expense, size, last)
    return rule_json(R_INCOME, figures, text).encode()


@given(st.integers(min_value=-MAX, max_value=4 * MAX), sizes)
@example(-1, 300)  # rounds to -0.0
@example(-1, 3)
@example(1, 8)  # 0.125: an exact tie in the float, rounded half-even
@example(5, 1000)  # 0.005: a tie in the cents, not in the float
@example(2675, 1000)  # 2.675 is 2.67499999... in binary
@example(4 * MAX, 7)
@example(100, 10)  # 10.0
def test_pc_texts_are_repr_and_yuan_of_round(n: int, size: int) -> None:
    x = round(n / size, 2)
    assert pc_bytes(n / size) == repr(x).encode()
    assert pc_texts(n / size) == (repr(x).encode(), yuan(x).encode())


@given(amounts, amounts, sizes)
def test_pc_bytes_for_any_figures(total: float, expense: float, size: int) -> None:
    pc = (total - expense) / size
    assert pc_bytes(pc) == repr(round(pc, 2)).encode()
    assert pc_texts(pc) == (repr(round(pc, 2)).encode(), yuan(round(pc, 2)).encode())


@pytest.mark.parametrize("line", [8700, 4000.5, 6000.25])
@given(total=amounts, expense=amounts, size=sizes,
       last=st.one_of(st.none(), st.just(0), amounts, st.just(1e-310)))
def test_income_rule_equals_the_general_encoding(
    line: float, total: float, expense: float, size: int, last: float | None
) -> None:
    pc = (total - expense) / size
    assert IncomeRule(line)(pc, total, expense, size, last) == general_income(
        pc, line, total, expense, size, last
    )


@given(sizes, amounts)
@example(1, 0.0)
@example(2, 0)
def test_no_labour_rule_equals_the_general_encoding(size: int, transfer: float) -> None:
    expected = json.dumps(no_labour_fired(size, transfer).to_dict(), ensure_ascii=False)
    assert no_labour_rule(size, transfer) == expected.encode()


def test_yuan_of_cents_matches_for_negative_and_zero() -> None:
    rule = IncomeRule(8700)
    for total, expense, size in [(0, 1, 300), (0, 1, 3), (10, 13593 * 2 + 10, 2), (0, 0, 4)]:
        pc = (total - expense) / size
        out = rule(pc, total, expense, size, None).decode()
        assert f"人均纯收入 {yuan(round(pc, 2))} 元" in out
        assert out.encode() == general_income(pc, 8700, total, expense, size, None)
