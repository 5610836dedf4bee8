"""Queries over assessments: take the session, never commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.assessment_models import Assessment, AssessmentSource
from storage.models import Case, Household

_NEWEST_FIRST = (Assessment.assessed_at.desc(), Assessment.id.desc())


async def latest_current_assessment(
    session: AsyncSession, household_id: int
) -> Assessment | None:
    """The latest assessment of the household that is not provisional and is confirmed."""
    query = (
        select(Assessment)
        .where(
            Assessment.household_id == household_id,
            Assessment.provisional.is_(False),
            Assessment.confirmed_at.is_not(None),
        )
        .order_by(*_NEWEST_FIRST)
        .limit(1)
    )
    return (await session.scalars(query)).first()


async def assessments_of_household(
    session: AsyncSession, household_id: int
) -> Sequence[Assessment]:
    """Every assessment of the household, oldest first."""
    query = (
        select(Assessment)
        .where(Assessment.household_id == household_id)
        .order_by(Assessment.assessed_at, Assessment.id)
    )
    return (await session.scalars(query)).all()


async def latest_assessment_of_case(session: AsyncSession, case_id: int) -> Assessment | None:
    query = select(Assessment).where(Assessment.case_id == case_id).order_by(*_NEWEST_FIRST)
    return (await session.scalars(query.limit(1))).first()


async def latest_assessment_for_farmer(
    session: AsyncSession, openid: str, household_id: int | None
) -> Assessment | None:
    """The latest assessment of the farmer's own cases or own household; nobody else's.

    Of the household's, not those of other accounts' self-reports: whoever knows a member's
    name and ID number can report for the household, and what they typed is not the family's
    result (a cadre's verification, an import or a periodic check is)."""
    own_cases = select(Case.id).where(Case.reporter_openid == openid)
    mine = Assessment.case_id.in_(own_cases)
    if household_id is not None:
        mine = or_(mine, and_(Assessment.household_id == household_id,
                              Assessment.source != AssessmentSource.self_report))
    query = select(Assessment).where(mine).order_by(*_NEWEST_FIRST).limit(1)
    return (await session.scalars(query)).first()


async def case_by_number(session: AsyncSession, number: str) -> Case | None:
    return (await session.scalars(select(Case).where(Case.number == number))).first()


async def household_by_code(session: AsyncSession, code: str) -> Household | None:
    return (await session.scalars(select(Household).where(Household.code == code))).first()


async def case_numbers(session: AsyncSession, case_ids: Sequence[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    rows = await session.execute(select(Case.id, Case.number).where(Case.id.in_(case_ids)))
    return {case_id: number for case_id, number in rows.all()}
