"""One message's unit of work: sender, dialog, route, handler, rendered reply, all in one commit."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from jinja2 import Environment
from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.context import MessageContext
from bot.dialog_store import add_turn, write_turns
from bot.incoming import Incoming
from bot.outbox_writer import OutboxWriter
from bot.reply_split import split_for_wechat
from bot.router import first_match
from bot.routing_table import ROUTES
from bot.settings import Settings
from bot.texts import Answer, render_answer
from policy.roles import Role
from storage.models import DialogSession, InboundMessage, WechatUser
from storage.queries import user_and_active_dialog

log = logging.getLogger("fangpin.pipeline")
Clock = Callable[[], dt.datetime]
INTERACTION_RESOLUTION = dt.timedelta(seconds=30)
# Core statements for the two writes every message makes: the ORM's unit of work cost several
# times more for them (profiled), and nothing else in the message needs the row as an object.
_INSERT_INBOUND = insert(InboundMessage.__table__)
_FINISH_INBOUND = (
    update(InboundMessage.__table__)
    .where(InboundMessage.__table__.c.id == bindparam("inbound_id"))
    .values({name: bindparam(name) for name in (
        "status", "finished_at", "route", "reply_kind", "reply_text", "error")})
)


@dataclass(frozen=True)
class Processed:
    inbound_id: int
    reply: str


async def _sender(
    session: AsyncSession, incoming: Incoming, now: dt.datetime
) -> tuple[WechatUser, DialogSession | None]:
    user, dialog = await user_and_active_dialog(session, incoming.openid)
    if user is None:
        user = WechatUser(openid=incoming.openid, subscribed=True, role=Role.farmer,
                          display_name="", created_at=now)
        session.add(user)
    if incoming.event != "unsubscribe":
        kind = "event" if incoming.is_event else "message"
        previous = user.last_interaction_at
        # The platform's reply windows are hours or a minute long: a write per message would
        # cost more than it tells, so the time is refreshed when it is older than 30 s.
        if previous is None or kind != user.last_interaction_kind or (
            now - previous > INTERACTION_RESOLUTION
        ):
            user.last_interaction_at, user.last_interaction_kind = now, kind
    return user, dialog


class MessagePipeline:
    def __init__(
        self, sessionmaker: async_sessionmaker, settings: Settings, texts: Environment,
        clock: Clock,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._texts = texts
        self._clock = clock

    async def run(self, incoming: Incoming, deferred: Callable[[], bool]) -> Processed | None:
        """Store the inbound message, handle it and commit, all in one transaction.

        The INSERT of the dedupe key comes first and holds the key until the commit: a second
        delivery (another task, worker or process) blocks on it and then finds it taken, so a
        handler never runs twice, and a crash leaves nothing half-done. Returns None when the
        key was already stored. `deferred()` says the HTTP answer is gone: every piece then
        goes to the outbox."""
        now = self._clock()
        async with self._sessionmaker() as session:
            inbound_id = await self._claim(session, incoming, now)
            if inbound_id is None:
                return None
            try:
                pieces, route = await self._handle(session, incoming, now)
            except Exception:
                await session.rollback()
                log.exception("handler failed openid=%s type=%s", incoming.openid,
                              incoming.msg_type)
                inbound_id = await self._claim(session, incoming, now)
                if inbound_id is None:
                    return None
                pieces, route = self._render([Answer("errors/internal.j2")]), "error"
            reply = await self._finish(session, incoming, inbound_id, pieces, now, deferred, route)
            return Processed(inbound_id, reply)

    async def _claim(
        self, session: AsyncSession, incoming: Incoming, now: dt.datetime
    ) -> int | None:
        """The dedupe key's row, INSERTed first; None when another delivery holds the key."""
        try:
            result = await session.execute(_INSERT_INBOUND, {
                "dedupe_key": incoming.dedupe_key, "openid": incoming.openid,
                "msg_type": incoming.msg_type, "event": incoming.event, "msg_id": incoming.msg_id,
                "create_time": incoming.create_time, "content": incoming.spoken_or_typed_text,
                "fields": incoming.fields, "status": "processing", "received_at": now,
            })
        except IntegrityError:
            await session.rollback()
            return None
        return result.inserted_primary_key[0]

    async def _handle(
        self, session: AsyncSession, incoming: Incoming, now: dt.datetime
    ) -> tuple[list[str], str]:
        user, dialog = await _sender(session, incoming, now)
        ctx = MessageContext(
            incoming=incoming, session=session, user=user, settings=self._settings, now=now,
            outbox=OutboxWriter(session, now), dialog=dialog,
        )
        route = first_match(ROUTES, ctx)
        answers = await route.handler(ctx) if route else []
        pieces = self._render(answers)
        if ctx.dialog is not None:
            for piece in pieces:
                add_turn(ctx.turns, ctx.dialog, "out", piece, now)
        await write_turns(session, ctx.turns)
        return pieces, route.name if route else ""

    def _render(self, answers: list[Answer]) -> list[str]:
        if not answers:
            return []
        text = "\n\n".join(render_answer(self._texts, answer) for answer in answers)
        return split_for_wechat(text, self._settings.reply_max_bytes)

    async def _finish(
        self, session: AsyncSession, incoming: Incoming, inbound_id: int,
        pieces: list[str], now: dt.datetime, deferred: Callable[[], bool], route: str,
    ) -> str:
        outbox = OutboxWriter(session, now)
        first_queued = 0 if deferred() else 1
        passive = "" if first_queued == 0 or not pieces else pieces[0]
        for index, piece in enumerate(pieces[first_queued:], start=first_queued):
            outbox.text(incoming.openid, piece, "reply", unique_key=f"reply:{inbound_id}:{index}")
        failed = route == "error"
        await session.execute(_FINISH_INBOUND, {
            "inbound_id": inbound_id, "status": "failed" if failed else "done",
            "finished_at": self._clock(), "route": route,
            "reply_kind": "passive" if passive else ("outbox" if pieces else "none"),
            "reply_text": passive or None, "error": "handler_error" if failed else "",
        })
        await session.commit()
        return passive

    async def move_reply_to_outbox(self, inbound_id: int, openid: str, text: str) -> None:
        """The HTTP answer left while we committed: deliver the passive piece by outbox."""
        async with self._sessionmaker() as session:
            OutboxWriter(session, self._clock()).text(openid, text, "reply",
                                                      unique_key=f"reply:{inbound_id}:0")
            inbound = await session.get(InboundMessage, inbound_id)
            if inbound is not None:
                inbound.reply_kind, inbound.reply_text = "outbox", None
            await session.commit()
