"""The hot path of `fangpin grade` writes exactly what the general path writes."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.grade_command import LineGrader, encode_grading
from policy.grading import FactError, grade, parse_facts
from policy.parameters import ParameterSet, parse_parameter_data
from tests.test_grading_properties import blank, fact_paths, households

PARAMS = parse_parameter_data(
    {"version": "fast", "years": {"2026": {"poverty_line": 8700}, "2025": {"poverty_line": 4000.5}}}
)
ODD_VALUES = [1, 0, 1.0, "true", None, [], {}, [True], -1, 1e13, "illness", {"illness": True}]


def general(obj: Any, p: ParameterSet) -> str | None:
    try:
        return encode_grading(grade(parse_facts(obj), p))
    except FactError:
        return None


def check(obj: Any) -> None:
    """Through a fresh grader and a warm one: the same text, or an error line when general."""
    for grader in (LineGrader(PARAMS), WARM):
        year = obj.get("year") if isinstance(obj, dict) else None
        p = PARAMS.for_year(year) if year in (2025, 2026) else None
        text = grader.grade_line(json.dumps(obj, ensure_ascii=False), 1)
        expected = general(obj, p) if p else None
        if expected is None:
            assert '"error"' in text, (obj, text)
        else:
            assert text == expected, obj


WARM = LineGrader(PARAMS)


@settings(max_examples=300)
@given(households(), st.sampled_from([2025, 2026]), st.data())
def test_complete_and_partial_households(h: dict[str, Any], year: int, data: st.DataObject) -> None:
    h["year"] = year
    check(h)
    paths = data.draw(st.lists(st.sampled_from(fact_paths(h)), unique=True, max_size=5))
    check(blank(h, paths, absent=data.draw(st.booleans())))


@settings(max_examples=300)
@given(households(), st.data())
def test_odd_values_anywhere(h: dict[str, Any], data: st.DataObject) -> None:
    path = data.draw(st.sampled_from([*fact_paths(h), "income_total", "members[0]", "year"]))
    value = data.draw(st.sampled_from(ODD_VALUES))
    odd = copy.deepcopy(h)
    if path.startswith("members["):
        index = int(path[8 : path.index("]")])
        if path.endswith("]"):
            odd["members"][index] = value
        else:
            odd["members"][index]["labour"] = value
    elif "." in path:
        group, key = path.split(".")
        odd[group][key] = value
    else:
        odd[path] = value
    check(odd)


@pytest.mark.parametrize(
    "changes",
    [
        {"guarantees": {"water": 1, "food_clothing": True}},
        {"income_stable": 1},
        {"causes": {"illness": True}},
        {"causes": "illness"},
        {"members": [{"labour": "none"}, {"labour": "lost"}], "category": "脱贫户",
         "income": {"wage": 0, "production": 0, "transfer": 900, "property": 0}},
        {"members": [{"labour": "none"}], "category": None,
         "income": {"wage": 0, "production": 0, "transfer": 0, "property": 0}},
        {"income_last_year": 1e-310},
        {"rigid_expense": 10**12},
        {"income": {"wage": 1, "production": 2, "transfer": 3, "property": 4, "rent": 5}},
    ],
)
def test_collisions_and_corners(changes: dict[str, Any]) -> None:
    base = {"year": 2026, "category": "脱贫户", "members": [{"labour": "normal"}] * 2,
            "income": {"wage": 9000, "production": 100, "transfer": 0, "property": 0},
            "rigid_expense": 0, "causes": ["illness"], "income_stable": True,
            "project_driven": False, "motivation": "strong", "has_plan": True,
            "guarantees": dict.fromkeys(
                ("food_clothing", "education", "medical", "housing", "water"), True)}
    check(base)  # warm the caches with the valid household first
    check({**base, **changes})
