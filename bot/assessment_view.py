"""Assessments as template contexts: plain words for the farmer, masked lines for staff."""

from __future__ import annotations

from typing import Any

from policy.levels import Level
from policy.local_time import SHANGHAI
from policy.masking import mask_id_numbers
from policy.measures import propose_measures
from policy.rules import R_STABLE
from storage.assessment_models import SOURCE_NAMES_ZH, Assessment

NO_RISK_FOUND = "按目前掌握的情况，没有发现明显的返贫致贫风险"


def local_time(assessment: Assessment, fmt: str = "%Y-%m-%d") -> str:
    return assessment.assessed_at.astimezone(SHANGHAI).strftime(fmt)


def farmer_result_context(
    assessment: Assessment | None, adjusted_by: str = ""
) -> dict[str, Any]:
    """The level's colour and name, what was found, proposed help; never rule ids or figures.

    A cadre's level replaces the computed one's findings and help (they would contradict it);
    a provisional result short of level I names no level: too little is known yet."""
    if assessment is None:
        return {"found": False}
    level = assessment.effective_level
    overridden = assessment.override_level is not None
    undecided = assessment.provisional and not overridden and level is not Level.I
    return {
        "found": True,
        "date": local_time(assessment),
        "level_name": level.name_zh,
        "undecided": undecided,
        "overridden": overridden,
        "adjusted_by": adjusted_by,
        "provisional": assessment.provisional,
        "confirmed": assessment.confirmed,
        "findings": [] if overridden or undecided else [
            _plain(rule) for rule in assessment.rules if rule.get("text")],
        "measures": [] if undecided else _measure_names(assessment, level, overridden),
    }


def _measure_names(assessment: Assessment, level: Level, overridden: bool) -> list[str]:
    if overridden:
        causes = assessment.facts.get("causes") or []
        return [measure.name for measure in propose_measures(level, causes)]
    return [str(m.get("name", "")) for m in assessment.measures if m.get("name")]


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
        "override_reason": mask_id_numbers(a.override_reason or ""),
        "provisional": a.provisional,
        "confirmed": a.confirmed,
        "confirmed_by": a.confirmed_by or "",
        "parameters": a.parameters,
        "case": case_number or "",
        "current": current,
    }
