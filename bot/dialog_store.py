"""Dialog sessions and their transcripts in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DialogSession, DialogTurn, Evidence

_INSERT_TURN = insert(DialogTurn.__table__)


async def active_dialog(session: AsyncSession, openid: str) -> DialogSession | None:
    query = select(DialogSession).where(
        DialogSession.openid == openid, DialogSession.status == "active"
    )
    return (await session.scalars(query)).first()


@dataclass(frozen=True)
class PendingTurn:
    dialog: DialogSession
    direction: str
    step: str
    text: str
    media_id: str
    at: dt.datetime


def add_turn(
    turns: list[PendingTurn], dialog: DialogSession, direction: str, text: str,
    at: dt.datetime, media_id: str = "",
) -> None:
    """One transcript line of this message; `write_turns` stores them before the commit."""
    turns.append(PendingTurn(dialog, direction, dialog.step, text, media_id, at))


async def write_turns(session: AsyncSession, turns: list[PendingTurn]) -> None:
    """The message's transcript lines in one Core INSERT (the ORM's unit of work cost several
    times more for these append-only rows; profiled)."""
    if not turns:
        return
    if any(turn.dialog.id is None for turn in turns):
        await session.flush()
    await session.execute(_INSERT_TURN, [
        {"session_id": turn.dialog.id, "direction": turn.direction, "step": turn.step,
         "text": turn.text, "media_id": turn.media_id, "at": turn.at}
        for turn in turns
    ])
    turns.clear()


async def transcript(session: AsyncSession, dialog_id: int) -> list[DialogTurn]:
    query = select(DialogTurn).where(DialogTurn.session_id == dialog_id).order_by(DialogTurn.id)
    return list((await session.scalars(query)).all())


async def evidence_of_dialog(session: AsyncSession, dialog_id: int) -> list[Evidence]:
    query = select(Evidence).where(Evidence.session_id == dialog_id).order_by(Evidence.id)
    return list((await session.scalars(query)).all())
