"""Assessments in storage: grade, store, confirm, override; the household's current level.

Shared by chat (a self-report gets a provisional assessment at once), the CLI and staff.
Functions take the session and never commit. An override is stored beside the computed level,
never instead of it; the current level of a household is the effective level (override, else
computed) of its latest assessment that is not provisional and is confirmed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.case_workflow import record_event
from policy.facts import CATEGORIES, GENERAL, FactError
from policy.grading import Grading, grade, parse_facts
from policy.levels import Level
from policy.local_time import SHANGHAI
from policy.measures import CAUSES
from policy.parameters import (
    MissingParametersError,
    ParameterError,
    ParameterFile,
    ParameterSet,
    load_parameter_file,
)
from storage.assessment_models import Assessment, AssessmentSource
from storage.assessment_queries import assessments_of_household, latest_current_assessment
from storage.models import Case, Household
from storage.queries import household_size

MIN_REASON_CHARS = 4
MAX_REASON_CHARS = 300
log = logging.getLogger(__name__)


class AssessmentError(Exception):
    """A domain error about an assessment; `text` says it in plain Chinese."""

    text = "评估操作没有完成"

    def __init__(self, text: str | None = None) -> None:
        super().__init__(text or self.text)
        self.text = text or self.text


class OverrideReasonRequired(AssessmentError):
    text = (f"改级必须用中文写明理由（至少{MIN_REASON_CHARS}个字，如“已上门核实，儿子在外务工"
            "有稳定收入”）")


class ReasonTooLong(AssessmentError):
    text = f"理由请控制在{MAX_REASON_CHARS}字以内"


class LevelNotAllowed(AssessmentError):
    text = "一般农户只能评为一级（红色）预警或五级（绿色）标识"


class CannotConfirmProvisional(AssessmentError):
    text = "这是初步评估，还缺少信息，不能确认；请核实后重新评估"


class AlreadyConfirmed(AssessmentError):
    text = "这条评估已经确认过了"


def establishes_level_one(assessment: Assessment) -> bool:
    """Level I for certain: a fired I rule is certain (e.g. the income rule fired from the
    total income, net expense and size), and no rule ranks above I to leave it provisional."""
    return assessment.level is Level.I and not assessment.provisional


def _new_assessment(
    g: Grading, facts: dict[str, Any], params: ParameterSet, source: AssessmentSource,
    assessor: str, at: dt.datetime, household_id: int | None, case_id: int | None,
) -> Assessment:
    return Assessment(
        household_id=household_id, case_id=case_id, source=source, assessor=assessor,
        assessed_at=at, facts=facts, parameters=params.ref, level=g.level,
        provisional=g.provisional, missing=list(g.missing),
        rules=[r.to_dict() for r in g.rules], measures=[dict(m) for m in g.proposal.dicts],
    )


async def record_assessment(
    session: AsyncSession, facts: dict[str, Any], params: ParameterSet, *,
    source: AssessmentSource, assessor: str, at: dt.datetime,
    household_id: int | None = None, case: Case | None = None, actor_role: str = "",
) -> Assessment:
    """Grade `facts` (the `fangpin grade` input shape) and store the result as they were.

    Raises `policy.facts.FactError` on a bad fact. With a case, the household defaults to the
    case's and an "assessed" event is recorded.
    """
    facts = {**facts, "year": facts.get("year", params.year)}
    g = grade(parse_facts(facts), params)
    if case is not None and household_id is None:
        household_id = case.household_id
    assessment = _new_assessment(g, facts, params, source, assessor, at, household_id,
                                 case.id if case is not None else None)
    session.add(assessment)
    await session.flush()
    if case is not None:
        record_event(session, case, assessor, "assessed", at, actor_role=actor_role,
                     data=_event_data(assessment))
    return assessment


def _event_data(a: Assessment) -> dict[str, Any]:
    return {"assessment_id": a.id, "level": a.level.value, "provisional": a.provisional,
            "parameters": a.parameters, "source": a.source.value}


async def _case_of(session: AsyncSession, assessment: Assessment) -> Case | None:
    return await session.get(Case, assessment.case_id) if assessment.case_id else None


async def confirm_assessment(
    session: AsyncSession, assessment: Assessment, actor: str, at: dt.datetime,
    actor_role: str = "",
) -> Assessment:
    """A cadre confirms a complete (non-provisional) assessment; it may then be current."""
    if assessment.provisional:
        raise CannotConfirmProvisional()
    if assessment.confirmed_at is not None:
        raise AlreadyConfirmed()
    assessment.confirmed_by, assessment.confirmed_at = actor, at
    if (case := await _case_of(session, assessment)) is not None:
        record_event(session, case, actor, "assessment_confirmed", at, actor_role=actor_role,
                     data={"assessment_id": assessment.id,
                           "level": assessment.effective_level.value})
    return assessment


def is_written_reason(text: str) -> bool:
    """Whether `text` says something: at least MIN_REASON_CHARS letters or digits, two of them
    Chinese, three different ("....", "asdf", "1234", "哈哈哈哈" say nothing; the reason is what
    a later reader of the file has to go by)."""
    meaningful = [ch for ch in text if ch.isalnum()]
    chinese = sum("\u4e00" <= ch <= "\u9fff" for ch in meaningful)
    return len(meaningful) >= MIN_REASON_CHARS and chinese >= 2 and len(set(meaningful)) >= 3


def check_override(assessment: Assessment, level: Level, reason: str) -> str:
    """The reason, stripped; raises when it is too short or the level does not apply."""
    text = (reason or "").strip()
    if not is_written_reason(text):
        raise OverrideReasonRequired()
    if len(text) > MAX_REASON_CHARS:
        raise ReasonTooLong()
    if assessment.facts.get("category") == GENERAL and level not in (Level.I, Level.V):
        raise LevelNotAllowed()
    return text


async def override_level(
    session: AsyncSession, assessment: Assessment, level: Level, reason: str, actor: str,
    at: dt.datetime, actor_role: str = "",
) -> Assessment:
    """Store a cadre's level beside the computed one, with the written reason.

    The assessment's case (if any) gets a "level_overridden" event: the events keep every
    override, including those a later one replaced. The case is urgent (【急】) while its level
    is I: a cadre's level replaces the computed one there too.
    """
    text = check_override(assessment, level, reason)
    previous = assessment.effective_level
    assessment.override_level, assessment.override_reason = level, text
    assessment.override_by, assessment.override_at = actor, at
    if (case := await _case_of(session, assessment)) is not None:
        urgent = level is Level.I
        if case.urgent != urgent:
            case.urgent, case.updated_at = urgent, at
        record_event(session, case, actor, "level_overridden", at, reason=text,
                     actor_role=actor_role,
                     data={"assessment_id": assessment.id, "computed": assessment.level.value,
                           "from": previous.value, "to": level.value, "urgent": urgent})
    return assessment


async def current_assessment(session: AsyncSession, household_id: int) -> Assessment | None:
    return await latest_current_assessment(session, household_id)


async def current_level(session: AsyncSession, household_id: int) -> Level | None:
    """The effective level of the latest confirmed, non-provisional assessment (None: none)."""
    latest = await latest_current_assessment(session, household_id)
    return latest.effective_level if latest is not None else None


async def level_history(session: AsyncSession, household_id: int) -> Sequence[Assessment]:
    """Every assessment of the household, oldest first (provisional and unconfirmed too)."""
    return await assessments_of_household(session, household_id)


# ---------------------------------------------------------------- the farmer's self-report


def self_report_facts(
    answers: dict[str, Any], year: int, category: str | None, size: int | None
) -> dict[str, Any]:
    """Facts a self-report gives: total income (sources unknown), net rigid expense, size."""
    expense, reimbursed = answers.get("rigid_expense"), answers.get("reimbursed")
    net = None if expense is None or reimbursed is None else max(int(expense) - int(reimbursed), 0)
    size = size or answers.get("household_size")
    cause = answers.get("cause")
    return {
        "year": year, "category": category,
        "members": [{"labour": None}] * int(size) if size else None,
        "income_total": _amount(answers.get("income_expected")),
        "income_last_year": _amount(answers.get("income_last_year")),
        "rigid_expense": net, "causes": [cause] if cause in CAUSES else None,
    }


def _amount(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


async def assess_self_report(
    session: AsyncSession, case: Case, dialog_answers: dict[str, Any], params: ParameterSet,
    at: dt.datetime,
) -> Assessment:
    """A provisional assessment of a submitted self-report; level I for certain -> urgent."""
    category, size = None, None
    if case.household_id is not None:
        household = await session.get(Household, case.household_id)
        category = household.category if household and household.category in CATEGORIES else None
        size = await household_size(session, case.household_id) or None
    facts = self_report_facts(dialog_answers, params.year, category, size)
    assessment = await record_assessment(
        session, facts, params, source=AssessmentSource.self_report, assessor="self_report",
        at=at, case=case, actor_role="system",
    )
    if establishes_level_one(assessment):
        case.urgent, case.updated_at = True, at
    return assessment


async def assess_submitted_report(
    session: AsyncSession, case: Case, dialog_answers: dict[str, Any], at: dt.datetime
) -> Assessment | None:
    """Assess with the year's built-in parameters (Asia/Shanghai); a year without parameters
    (or an unreadable parameter file) stores nothing and never fails the submission."""
    year = at.astimezone(SHANGHAI).year
    try:
        pfile = await asyncio.to_thread(default_parameter_file)
        params = pfile.for_year(year)
    except (MissingParametersError, ParameterError) as exc:
        log.warning("self-report case %s not assessed: %s", case.number, exc)
        return None
    try:
        return await assess_self_report(session, case, dialog_answers, params, at)
    except FactError as exc:
        log.warning("self-report case %s not assessed: bad fact %s", case.number, exc.field)
        return None


@cache
def default_parameter_file() -> ParameterFile:
    return load_parameter_file()
