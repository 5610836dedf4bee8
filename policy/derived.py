"""Figures derived from the facts (spec/grading.md): size, total income, per-capita income.

Income sources and the rigid expense are never negative, so partly known figures still bound
the per-capita income `pc = (total income − rigid_expense) / size`: `pc_min`/`pc_max` are the
bounds (±inf when nothing bounds it). A known `income_total` stands for the sum of the sources.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from policy.facts import INCOME_SOURCES, HouseholdFacts

_INF = math.inf


@dataclass(slots=True)
class Derived:
    """Figures derived from the facts; `pc_min`/`pc_max` bound per-capita income (±inf)."""

    size: int | None
    total_income: float | None
    unknown_income: tuple[str, ...]
    pc: float | None
    pc_min: float
    pc_max: float
    normal: int = 0
    weak: int = 0
    temporary_loss: int = 0
    unknown_labour: tuple[str, ...] = ()


def total_income(f: HouseholdFacts) -> tuple[float | None, float, tuple[str, ...]]:
    """(total or None, known part of it, unknown sources)."""
    w, pr, t, pp = f.wage, f.production, f.transfer, f.property
    if w is None or pr is None or t is None or pp is None:
        if f.income_total is not None:
            return f.income_total, f.income_total, ()
        srcs = (w, pr, t, pp)
        unknown = tuple(f"income.{k}" for k, v in zip(INCOME_SOURCES, srcs) if v is None)  # noqa: B905
        return None, sum(v for v in srcs if v is not None), unknown
    total = w + pr + t + pp
    return total, total, ()


def derive(f: HouseholdFacts) -> Derived:
    total, known, unknown = total_income(f)
    exp, labour = f.rigid_expense, f.labour
    if not labour:  # unknown (an empty list is rejected by parse_facts; treated as unknown)
        return Derived(None, total, unknown, None, -_INF, _INF)
    size = len(labour)
    if total is not None and exp is not None:
        pc = pc_min = pc_max = (total - exp) / size
    else:
        pc, pc_max = None, _INF if total is None else (total - (exp or 0)) / size
        pc_min = -_INF if exp is None else (known - exp) / size
    d = Derived(
        size,
        total,
        unknown,
        pc,
        pc_min,
        pc_max,
        labour.count("normal"),
        labour.count("weak"),
        labour.count("temporary_loss"),
    )
    if None in labour:
        d.unknown_labour = tuple(f"members[{i}].labour" for i, v in enumerate(labour) if v is None)
    return d


def income_drop(f: HouseholdFacts, d: Derived) -> float | None:
    """1 − this year's income / last year's (explanation only)."""
    last, total = f.income_last_year, d.total_income
    drop = None if total is None or not last else 1 - total / last
    return drop if drop is not None and math.isfinite(drop) else None


def weak_labour(d: Derived, ratio: float) -> tuple[bool | None, tuple[str, ...]]:
    """Any member weak or temporarily unable to work, or too few `normal` members."""
    if d.size is None:
        return None, ("members",)
    if d.weak or d.temporary_loss:
        return True, ()
    n_unknown = len(d.unknown_labour)
    if (d.normal + n_unknown) / d.size < ratio:
        return True, ()
    return (False, ()) if n_unknown == 0 else (None, d.unknown_labour)


def earned_income(f: HouseholdFacts) -> tuple[float | None, float | None]:
    """(wage, production); both 0 for certain when the known total income is 0."""
    w, pr = f.wage, f.production
    if f.income_total == 0:
        return 0 if w is None else w, 0 if pr is None else pr
    return w, pr
