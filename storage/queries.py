"""Query functions: take the session, never commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from policy.case_status import OPEN_STATUSES
from storage.models import (
    Area,
    Case,
    CaseEvent,
    DialogSession,
    HelperPairing,
    Household,
    Member,
    WechatUser,
)


async def member_by_id_number(session: AsyncSession, id_number: str) -> Member | None:
    return (await session.scalars(select(Member).where(Member.id_number == id_number))).first()


async def household_with_area(
    session: AsyncSession, household_id: int
) -> tuple[Household, list[Area]] | None:
    household = await session.get(Household, household_id)
    if household is None:
        return None
    return household, await area_path(session, household.area_id)


async def area_path(session: AsyncSession, area_id: int | None) -> list[Area]:
    """The area and its ancestors, top (county) first."""
    path: list[Area] = []
    while area_id is not None:
        area = await session.get(Area, area_id)
        if area is None:
            break
        path.append(area)
        area_id = area.parent_id
    return list(reversed(path))


async def household_size(session: AsyncSession, household_id: int) -> int:
    query = select(func.count()).select_from(Member).where(Member.household_id == household_id)
    return int(await session.scalar(query) or 0)


async def cases_reported_by(session: AsyncSession, openid: str, limit: int = 10) -> Sequence[Case]:
    query = (
        select(Case)
        .where(Case.reporter_openid == openid)
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def open_cases_of_applicant(session: AsyncSession, id_number: str) -> Sequence[Case]:
    if not id_number:
        return []
    query = select(Case).where(Case.applicant_id_number == id_number,
                               Case.status.in_([status.value for status in OPEN_STATUSES]))
    return (await session.scalars(query.order_by(Case.id))).all()


def _in_areas(area_ids: Sequence[int], statuses: Sequence[str], include_unplaced: bool):
    in_area = Case.area_id.in_(area_ids)
    return (or_(in_area, Case.area_id.is_(None)) if include_unplaced else in_area,
            Case.status.in_(statuses))


async def count_cases_in_areas(
    session: AsyncSession, area_ids: Sequence[int], statuses: Sequence[str],
    include_unplaced: bool = False,
) -> int:
    query = select(func.count()).select_from(Case).where(
        *_in_areas(area_ids, statuses, include_unplaced))
    return int(await session.scalar(query) or 0)


async def cases_in_areas(
    session: AsyncSession, area_ids: Sequence[int], statuses: Sequence[str], limit: int = 10,
    include_unplaced: bool = False,
) -> Sequence[Case]:
    query = (
        select(Case)
        .where(*_in_areas(area_ids, statuses, include_unplaced))
        .order_by(Case.urgent.desc(), Case.created_at)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def cases_of_paired_households(
    session: AsyncSession, helper_user_id: int, statuses: Sequence[str], limit: int = 10
) -> Sequence[Case]:
    paired = select(HelperPairing.household_id).where(
        HelperPairing.helper_user_id == helper_user_id
    )
    query = (
        select(Case)
        .where(Case.household_id.in_(paired), Case.status.in_(statuses))
        .order_by(Case.urgent.desc(), Case.created_at)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def descendant_area_ids(session: AsyncSession, area_id: int) -> list[int]:
    found, frontier = [area_id], [area_id]
    while frontier:
        rows = await session.scalars(select(Area.id).where(Area.parent_id.in_(frontier)))
        frontier = list(rows.all())
        found.extend(frontier)
    return found


async def case_events(session: AsyncSession, case_id: int) -> Sequence[CaseEvent]:
    query = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    return (await session.scalars(query)).all()


async def user_by_openid(session: AsyncSession, openid: str) -> WechatUser | None:
    return (await session.scalars(select(WechatUser).where(WechatUser.openid == openid))).first()


# Built once: composing the statement cost more than running it (profiled).
_USER_AND_ACTIVE_DIALOG = (
    select(WechatUser, DialogSession)
    .outerjoin(DialogSession, and_(DialogSession.openid == WechatUser.openid,
                                   DialogSession.status == "active"))
    .where(WechatUser.openid == bindparam("openid"))
)


async def user_and_active_dialog(
    session: AsyncSession, openid: str
) -> tuple[WechatUser | None, DialogSession | None]:
    """The sender and their active dialog, in one round trip (this runs for every message)."""
    row = (await session.execute(_USER_AND_ACTIVE_DIALOG, {"openid": openid})).first()
    return (None, None) if row is None else (row[0], row[1])


async def all_cases(session: AsyncSession) -> Sequence[Case]:
    return (await session.scalars(select(Case).order_by(Case.id))).all()
