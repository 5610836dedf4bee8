"""Property tests (hypothesis) for grading: monotone in expense and income, sound when unknown."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from policy.grading import (
    CATEGORIES,
    CAUSES,
    FIRED,
    GUARANTEES,
    INCOME_SOURCES,
    LABOUR,
    MOTIVATIONS,
    NOT_FIRED,
    FactError,
    evaluate_rules,
    grade,
    parse_facts,
)
from policy.parameters import ParameterSet

PARAMS = st.builds(
    ParameterSet,
    version=st.just("prop"),
    year=st.just(2026),
    poverty_line=st.sampled_from([4000, 8700]),
    weak_labour_ratio=st.sampled_from([1 / 3, 0.25, 0.5]),
)
AMOUNT = st.one_of(st.integers(0, 80_000), st.floats(0, 80_000, allow_nan=False))


@st.composite
def households(draw: st.DrawFn) -> dict[str, Any]:
    """A household with every fact known."""
    size = draw(st.integers(1, 6))
    no_labour = draw(st.booleans())
    kinds = ["lost", "none"] if no_labour else list(LABOUR)
    zero_earned = draw(st.booleans())
    income = {k: draw(AMOUNT) for k in INCOME_SOURCES}
    if zero_earned:
        income["wage"] = income["production"] = 0
    return {
        "year": 2026,
        "category": draw(st.sampled_from(CATEGORIES)),
        "members": [{"labour": draw(st.sampled_from(kinds))} for _ in range(size)],
        "income": income,
        "income_last_year": draw(AMOUNT),
        "rigid_expense": draw(st.one_of(st.just(0), AMOUNT)),
        "causes": draw(st.lists(st.sampled_from(CAUSES), max_size=3, unique=True)),
        "income_stable": draw(st.booleans()),
        "project_driven": draw(st.booleans()),
        "guarantees": {
            g: draw(st.booleans().map(lambda b: b or draw(st.booleans()))) for g in GUARANTEES
        },
        "motivation": draw(st.sampled_from(MOTIVATIONS)),
        "has_plan": draw(st.booleans()),
    }


def fact_paths(h: dict[str, Any]) -> list[str]:
    """Every fact that can be made unknown, whole groups and single entries."""
    paths = [
        "category",
        "members",
        "income",
        "income_last_year",
        "rigid_expense",
        "causes",
        "income_stable",
        "project_driven",
        "guarantees",
        "motivation",
        "has_plan",
    ]
    paths += [f"members[{i}].labour" for i in range(len(h["members"]))]
    paths += [f"income.{k}" for k in INCOME_SOURCES] + [f"guarantees.{g}" for g in GUARANTEES]
    return paths


def blank(h: dict[str, Any], paths: list[str], absent: bool) -> dict[str, Any]:
    """`h` with the facts at `paths` unknown (null, or absent when `absent`)."""
    out = copy.deepcopy(h)
    for path in paths:
        if path.startswith("members["):
            members = out.get("members")
            target = members[int(path[8 : path.index("]")])] if members else None
            key = "labour"
        elif "." in path:
            group, key = path.split(".")
            target = out.get(group)
        else:
            target, key = out, path
        if target is None:
            continue
        if absent:
            target.pop(key, None)
        else:
            target[key] = None
    return out


def covered(missing: str, blanked: list[str]) -> bool:
    return any(
        missing == b or missing.startswith(b + ".") or missing.startswith(b + "[") for b in blanked
    )


@given(households(), PARAMS, st.data())
def test_unknown_facts_never_give_an_unsupported_certain_result(
    h: dict[str, Any], p: ParameterSet, data: st.DataObject
) -> None:
    paths = data.draw(st.lists(st.sampled_from(fact_paths(h)), unique=True, max_size=8))
    partial_h = blank(h, paths, absent=data.draw(st.booleans()))
    full_f, partial_f = parse_facts(h), parse_facts(partial_h)
    full, partial = grade(full_f, p), grade(partial_f, p)
    # Decided rules agree with the truth.
    truth = {r.rule: r.outcome for r in evaluate_rules(full_f, p)}
    for r in evaluate_rules(partial_f, p):
        if r.outcome is not FIRED and r.outcome is not NOT_FIRED:
            assert r.missing and all(covered(m, paths) for m in r.missing), (r, paths)
        else:
            assert truth[r.rule] is r.outcome, (r.rule, paths)
    # A certain result is the true result; a provisional one is at most as severe as the truth.
    if not partial.provisional:
        assert partial.level is full.level
        assert not partial.missing
    else:
        assert partial.missing and all(covered(m, paths) for m in partial.missing)
    assert full.level.rank <= partial.level.rank
    if not paths:
        assert partial.to_dict() == full.to_dict()


@given(households(), PARAMS, AMOUNT)
def test_raising_the_rigid_expense_never_lowers_the_level(
    h: dict[str, Any], p: ParameterSet, extra: float
) -> None:
    before = grade(parse_facts(h), p)
    h["rigid_expense"] += extra
    after = grade(parse_facts(h), p)
    assert after.level.rank <= before.level.rank


@given(households(), PARAMS, st.sampled_from(INCOME_SOURCES), AMOUNT)
def test_adding_income_never_raises_the_level(
    h: dict[str, Any], p: ParameterSet, source: str, extra: float
) -> None:
    before = grade(parse_facts(h), p)
    h["income"][source] += extra
    after = grade(parse_facts(h), p)
    assert after.level.rank >= before.level.rank


@given(households(), PARAMS, st.data())
def test_monotonicity_holds_with_unknown_facts_too(
    h: dict[str, Any], p: ParameterSet, data: st.DataObject
) -> None:
    paths = [
        x
        for x in data.draw(st.lists(st.sampled_from(fact_paths(h)), max_size=5))
        if x not in ("income", "rigid_expense", "income.transfer")
    ]
    h = blank(h, paths, absent=False)
    base = grade(parse_facts(h), p)
    more_expense = copy.deepcopy(h)
    more_expense["rigid_expense"] += data.draw(AMOUNT)
    more_income = copy.deepcopy(h)
    more_income["income"]["transfer"] += data.draw(AMOUNT)
    assert grade(parse_facts(more_expense), p).level.rank <= base.level.rank
    assert grade(parse_facts(more_income), p).level.rank >= base.level.rank


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(
    households(),
    st.sampled_from(
        [
            "category",
            "members",
            "income",
            "rigid_expense",
            "causes",
            "guarantees",
            "has_plan",
            "motivation",
        ]
    ),
    JSON,
)
def test_any_json_value_is_graded_or_named_as_a_bad_field(
    h: dict[str, Any], key: str, value: Any
) -> None:
    h[key] = value
    try:
        parse_facts(h)
    except FactError as err:
        assert err.field is not None and err.field.split(".")[0].split("[")[0] == key


@given(households(), st.lists(st.dictionaries(st.just("labour"), JSON), min_size=1, max_size=3))
def test_any_member_labour_is_graded_or_named_as_a_bad_field(
    h: dict[str, Any], members: list[Any]
) -> None:
    h["members"] = members
    try:
        parse_facts(h)
    except FactError as err:
        assert err.field is not None and err.field.startswith("members[")
