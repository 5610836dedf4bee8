"""Assessments as template contexts: plain words for the farmer, masked lines for staff."""

from __future__ import annotations

from typing import Any

from policy.levels import Level
from policy.local_time import SHANGHAI
from policy.masking import mask_personal_numbers
from policy.measures import has_no_labour, load_catalogue, propose_measures
from policy.rules import R_INCOME, R_STABLE, yuan
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
        # with the income unknown nothing can be said about hardship, not even "none found"
        "income_unknown": undecided and _income_unknown(assessment),
        "overridden": overridden,
        "adjusted_by": adjusted_by,
        "provisional": assessment.provisional,
        "confirmed": assessment.confirmed,
        "findings": [] if overridden or undecided else [
            _plain(rule) for rule in assessment.rules if rule.get("text")],
        "measures": _cause_measure_names(assessment) if undecided else _measure_names(
            assessment, level, overridden),
    }


def _income_unknown(assessment: Assessment) -> bool:
    facts = assessment.facts
    return facts.get("income_total") is None and not any(
        value is not None for value in (facts.get("income") or {}).values())


def _cause_measure_names(assessment: Assessment) -> list[str]:
    """Of the stored measures, those for the household's causes (illness → 医疗救助…), not the
    level's own: the level is not known yet."""
    causes = set(assessment.facts.get("causes") or [])
    catalogue = {m.id: m for m in load_catalogue().measures}
    return [str(m["name"]) for m in assessment.measures
            if m.get("id") in catalogue and causes & set(catalogue[m["id"]].answers)]


def _measure_names(assessment: Assessment, level: Level, overridden: bool) -> list[str]:
    if overridden:
        facts = assessment.facts
        labour = [m.get("labour") for m in facts.get("members") or [] if isinstance(m, dict)]
        measures = propose_measures(level, facts.get("causes") or [],
                                    no_labour=has_no_labour(labour))
        return [measure.name for measure in measures]
    return [str(m.get("name", "")) for m in assessment.measures if m.get("name")]


def _plain(rule: dict[str, Any]) -> str:
    """The rule's own Chinese text; level V's, and a negative income, reworded for the farmer."""
    if rule.get("rule") == R_STABLE:
        return NO_RISK_FOUND
    if rule.get("rule") == R_INCOME:
        return _income_below_zero(rule.get("figures") or {}) or str(rule["text"])
    return str(rule["text"])


def _income_below_zero(figures: dict[str, Any]) -> str | None:
    """Plain words when the rigid expense exceeds the whole income (a negative per-capita
    figure means nothing to a farmer); None when the income is not below zero."""
    pc, pc_max, line = figures.get("pc"), figures.get("pc_max"), figures.get("poverty_line")
    if line is None:
        return None
    if isinstance(pc, int | float) and pc < 0:
        text = (f"刚性支出（看病、上学等必须花的钱）超过了全家收入，扣除后人均收入为负数："
                f"平均每人还缺 {yuan(-pc)} 元才够这笔支出，远低于监测标准 {yuan(line)} 元")
        drop = figures.get("income_drop")
        if isinstance(drop, int | float) and drop > 0:
            text += f"；家庭收入比上年减少 {drop:.0%}"
        return text
    if pc is None and isinstance(pc_max, int | float) and pc_max < 0:
        return (f"刚性支出（看病、上学等必须花的钱）超过了全家收入，扣除后人均收入为负数，"
                f"远低于监测标准 {yuan(line)} 元")
    return None


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
        "override_reason": mask_personal_numbers(a.override_reason),
        "provisional": a.provisional,
        "confirmed": a.confirmed,
        "confirmed_by": a.confirmed_by or "",
        "parameters": a.parameters,
        "case": case_number or "",
        "current": current,
    }
