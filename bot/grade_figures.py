"""The rules whose figures are the household's own (I.income_below_line, II, V), as output bytes.

Byte for byte what the general path writes (`income_figures`, `no_labour_fired`, `stable_result`
in policy/rules.py, encoded by `rule_json` / `json.dumps`): numbers as `repr`, the per-capita
income as `round(pc, 2)`, amounts in the text as `yuan`. Figures that are all int (the usual
case) are rounded with integer arithmetic, which gives the same digits as `round` on the float
without its cost; an exact tie in the cents, or any float, takes `round` itself.
tests/test_grade_figures.py compares them with the general path's.
"""

from __future__ import annotations

import math

from policy.rules import R_INCOME, R_NO_LABOUR, yuan

_MAX_EXACT = 10**13  # |total - expense| below this: the float quotient cannot cross a rounding


def cents(n: int, size: int) -> int | None:
    """round(n / size, 2) * 100 for ints n, size > 0 (|n| < 1e13), or None at an exact tie, where
    `round` decides by the float's binary value (and when n is out of range)."""
    if not -_MAX_EXACT < n < _MAX_EXACT:
        return None
    q, r = divmod(n * 100, size)  # n * 100 = q * size + r, 0 <= r < size
    r += r
    if r == size:
        return None
    return q + 1 if r > size else q


def _split_cents(total: float, expense: float, size: int) -> tuple[str, int, int] | None:
    """Sign, whole yuan and fen of round((total - expense) / size, 2) for int figures (a negative
    quotient rounded to zero keeps its sign, as `round` does), or None: `round` decides."""
    if type(total) is int and type(expense) is int:
        n = total - expense
        q = cents(n, size)
        if q is not None:
            whole, frac = divmod(-q if q < 0 else q, 100)
            return ("-" if n < 0 else ""), whole, frac
    return None


def cents_repr(sign: str, whole: int, frac: int) -> str:
    """`repr` of the float nearest the cents (what `round(x, 2)` returns)."""
    return f"{sign}{whole}.{frac:02d}" if frac % 10 else f"{sign}{whole}.{frac // 10}"


def cents_yuan(sign: str, whole: int, frac: int) -> str:
    """`yuan` of the float nearest the cents."""
    return f"{sign}{whole:,}.{frac:02d}" if frac else f"{sign}{whole:,}"


def pc_bytes(total: float, expense: float, size: int, pc: float) -> bytes:
    """`repr(round(pc, 2))` for pc = (total - expense) / size, as bytes."""
    split = _split_cents(total, expense, size)
    return (repr(round(pc, 2)) if split is None else cents_repr(*split)).encode()


def pc_texts(total: float, expense: float, size: int, pc: float) -> tuple[bytes, bytes]:
    """`repr` and `yuan` of round(pc, 2) for pc = (total - expense) / size, as bytes."""
    split = _split_cents(total, expense, size)
    if split is None:
        rounded = round(pc, 2)
        return repr(rounded).encode(), yuan(rounded).encode()
    return cents_repr(*split).encode(), cents_yuan(*split).encode()


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
        pc_text, yuan_text = pc_texts(total, expense, size, pc)
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
