"""Dialog sessions and their transcripts in the database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DialogSession, DialogTurn, Evidence

_INSERT_TURN = insert(DialogTurn.__table__)


async def active_dialog(session: AsyncSession, openid: str) -> DialogSession | None:
    query = select(DialogSession).where(
        DialogSession.openid == openid, DialogSession.status == "active"
    )
    return (await session.scalars(query)).first()


async def add_turn(
    session: AsyncSession, dialog: DialogSession, direction: str, text: str, at: dt.datetime,
    media_id: str = "",
) -> None:
    """One transcript line, written at once with a Core INSERT (the ORM's unit of work cost
    several times more for these append-only rows; profiled)."""
    if dialog.id is None:
        await session.flush()
    await session.execute(_INSERT_TURN, {
        "session_id": dialog.id, "direction": direction, "step": dialog.step, "text": text,
        "media_id": media_id, "at": at,
    })


async def transcript(session: AsyncSession, dialog_id: int) -> list[DialogTurn]:
    query = select(DialogTurn).where(DialogTurn.session_id == dialog_id).order_by(DialogTurn.id)
    return list((await session.scalars(query)).all())


async def evidence_of_dialog(session: AsyncSession, dialog_id: int) -> list[Evidence]:
    query = select(Evidence).where(Evidence.session_id == dialog_id).order_by(Evidence.id)
    return list((await session.scalars(query)).all())
