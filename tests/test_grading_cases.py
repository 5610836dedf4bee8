"""Every worked case in shared/data/grading/cases.jsonl, graded with params-test.toml."""

from __future__ import annotations

import json

import pytest

from policy.grading import grade_record
from policy.parameters import load_parameter_file
from tests.shared_data import require_shared_data

GRADING_DATA = require_shared_data() / "grading"
CASES = [
    json.loads(line)
    for line in (GRADING_DATA / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
PARAMS = load_parameter_file(GRADING_DATA / "params-test.toml")


def test_cases_file_is_not_empty() -> None:
    assert len(CASES) >= 16


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_case(case: dict) -> None:
    result = grade_record(case, PARAMS.for_year(case["year"]))
    assert result.level.value == case["expected_level"]
    assert result.provisional is case["expected_provisional"]
    assert [r.rule for r in result.rules] == case["expected_rules"]
    assert bool(result.missing) is result.provisional
    assert result.parameters == "test-2026"
    out = result.to_dict()
    assert out["colour"] == result.level.colour
    assert all(r["text"] for r in out["rules"])
