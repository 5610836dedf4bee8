"""The farmer's result view in plain words: no negative per-capita figures, no rule ids."""

from __future__ import annotations

import datetime as dt

from bot.assessment_view import farmer_result_context
from policy.levels import Level
from policy.rules import FIRED, R_INCOME, RuleResult, income_figures
from storage.assessment_models import Assessment, AssessmentSource


def _assessment(rule: dict) -> Assessment:
    return Assessment(
        source=AssessmentSource.self_report, assessor="self_report", parameters="yn-2026.1/2026",
        assessed_at=dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC), level=Level.I, provisional=False,
        facts={}, missing=[], rules=[rule], measures=[],
    )


def _findings(rule: dict) -> list[str]:
    return farmer_result_context(_assessment(rule))["findings"]


def test_negative_per_capita_income_is_said_as_expense_above_income() -> None:
    figures, text = income_figures(-6333.333, 8700, 3000, 22000, 3, None)
    assert "-6,333.33" in text  # the rule's own text, as staff see it
    rule = {"rule": R_INCOME, "figures": figures, "text": text}
    assert _findings(rule) == [
        "刚性支出（看病、上学等必须花的钱）超过了全家收入，扣除后人均收入为负数："
        "平均每人还缺 6,333.33 元才够这笔支出，远低于监测标准 8,700 元"]


def test_negative_upper_bound_is_said_without_a_figure() -> None:
    rule = {"rule": R_INCOME, "figures": {"pc_max": -120.5, "poverty_line": 8700, "size": 4},
            "text": "人均纯收入最多 -120.50 元，低于监测标准 8,700 元"}
    [finding] = _findings(rule)
    assert "超过了全家收入" in finding and "-" not in finding and R_INCOME not in finding


def test_positive_income_keeps_the_rules_text() -> None:
    figures, text = income_figures(4333.333, 8700, 35000, 22000, 3, 40000)
    result = RuleResult(R_INCOME, Level.I, FIRED, (), figures, text)
    assert _findings(result.to_dict()) == [text]
