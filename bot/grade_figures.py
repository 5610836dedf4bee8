"""The rules whose figures are the household's own (I.income_below_line, II, V), as output bytes.

Byte for byte what the general path writes (`income_figures`, `no_labour_fired`, `stable_result`
in policy/rules.py, encoded by `rule_json` / `json.dumps`): numbers as `repr`, the per-capita
income as `round(pc, 2)`, amounts in the text as `yuan`.

The per-capita income is formatted once with two decimals instead: `"%.2f" % pc` and
`round(pc, 2)` take the same correctly rounded digits of the float's exact binary value (both
are CPython's dtoa in mode 3, half-even on exact ties), and for |pc| < 1e13 those at most 15
digits are the shortest that name the rounded float, which is what `repr` prints; so `repr` is
the same string with a trailing zero dropped ("12.50" -> "12.5", "12.00" -> "12.0"), and `yuan`
is it with thousands separators and without ".00". tests/test_grade_figures.py compares them
with the general path's on any figures.
"""

from __future__ import annotations

import math

from policy.rules import R_INCOME, R_NO_LABOUR, yuan

_ZERO = ord("0")


def pc_bytes(pc: float) -> bytes:
    """`repr(round(pc, 2))` as bytes, for |pc| < 1e13 (every pc of checked amounts)."""
    text = b"%.2f" % pc
    return text[:-1] if text[-1] == _ZERO else text


def pc_texts(pc: float) -> tuple[bytes, bytes]:
    """`repr` and `yuan` of round(pc, 2), as bytes, for |pc| < 1e13."""
    text = b"%.2f" % pc
    grouped = f"{pc:,.2f}".encode()
    if text[-1] != _ZERO:
        return text, grouped
    return text[:-1], grouped[:-3] if grouped.endswith(b".00") else grouped


class IncomeRule:
    """The fired I.income_below_line rule's JSON for a known per-capita income, per poverty line."""

    def __init__(self, line: float) -> None:
        below = f" 元，低于监测标准 {yuan(line)} 元"
        head = (
            f'{{"rule": "{R_INCOME}", "figures": {{"pc": %b, "poverty_line": {line!r}, '
            '"total_income": %a, "rigid_expense": %a, "size": %a'
        )
        text = '}, "text": "扣除刚性支出后人均纯收入 %b' + below.replace("%", "%%")
        last = ', "income_last_year": %a, "income_drop": %a'
        self._plain = f'{head}{text}"}}'.encode()
        self._with_last = f'{head}{last}{text}"}}'.encode()
        self._with_drop = f'{head}{last}{text}；家庭收入比上年减少 %b"}}'.encode()

    def __call__(self, pc: float, total: float, expense: float, size: int, last: float | None
                 ) -> bytes:
        """As `income_figures(pc, line, total, expense, size, last)` and `rule_json` make it."""
        pc_text, yuan_text = pc_texts(pc)
        if last:
            drop = 1 - total / last
            if math.isfinite(drop):
                if drop > 0:
                    percent = f"{drop:.0%}".encode()
                    return self._with_drop % (pc_text, total, expense, size, last,
                                              round(drop, 4), yuan_text, percent)
                return self._with_last % (pc_text, total, expense, size, last, round(drop, 4),
                                          yuan_text)
        return self._plain % (pc_text, total, expense, size, yuan_text)


_NO_LABOUR = (
    f'{{"rule": "{R_NO_LABOUR}", "figures": {{"size": %a, "wage": 0, "production": 0, '
    '"transfer": %a}, "text": "家庭成员都没有劳动能力，没有工资性和生产经营性收入，'
    '收入只靠转移性收入（%b 元）"}'
).encode()


def no_labour_rule(size: int, transfer: float) -> bytes:
    """The fired II rule's JSON: `no_labour_fired(size, transfer)` encoded."""
    return _NO_LABOUR % (size, transfer, yuan(transfer).encode())
