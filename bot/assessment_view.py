"""Assessments as template contexts: plain words for the farmer, masked lines for staff."""

from __future__ import annotations

from typing import Any

from policy.local_time import SHANGHAI
from policy.rules import R_STABLE
from storage.assessment_models import SOURCE_NAMES_ZH, Assessment

NO_RISK_FOUND = "按目前掌握的情况，没有发现明显的返贫致贫风险"


def local_time(assessment: Assessment, fmt: str = "%Y-%m-%d") -> str:
    return assessment.assessed_at.astimezone(SHANGHAI).strftime(fmt)


def farmer_result_context(assessment: Assessment | None) -> dict[str, Any]:
    """The level's colour and name, what was found, proposed help; never rule ids or figures."""
    if assessment is None:
        return {"found": False}
    return {
        "found": True,
        "date": local_time(assessment),
        "level_name": assessment.effective_level.name_zh,
        "overridden": assessment.override_level is not None,
        "provisional": assessment.provisional,
        "confirmed": assessment.confirmed,
        "findings": [_plain(rule) for rule in assessment.rules if rule.get("text")],
        "measures": [str(m.get("name", "")) for m in assessment.measures if m.get("name")],
    }


def _plain(rule: dict[str, Any]) -> str:
    """The rule's own Chinese text; level V's is reworded for the farmer."""
    return NO_RISK_FOUND if rule.get("rule") == R_STABLE else str(rule["text"])


def history_row(
    assessment: Assessment, case_number: str | None, current: bool = False
) -> dict[str, Any]:
    """One line of a household's level history (no personal data but the assessor's id)."""
    a = assessment
    return {
        "at": local_time(a, "%Y-%m-%d %H:%M"),
        "source": SOURCE_NAMES_ZH[a.source],
        "assessor": a.assessor,
        "level": a.level.name_zh,
        "effective": a.effective_level.name_zh,
        "overridden": a.override_level is not None,
        "override_by": a.override_by or "",
        "override_reason": a.override_reason or "",
        "provisional": a.provisional,
        "confirmed": a.confirmed,
        "confirmed_by": a.confirmed_by or "",
        "parameters": a.parameters,
        "case": case_number or "",
        "current": current,
    }
