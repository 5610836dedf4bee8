"""One message's unit of work: sender, dialog, route, handler, rendered reply, all in one commit."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from jinja2 import Environment
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.context import MessageContext
from bot.dialog_store import active_dialog, add_turn
from bot.incoming import Incoming
from bot.outbox_writer import OutboxWriter
from bot.reply_split import split_for_wechat
from bot.router import first_match
from bot.routing_table import ROUTES
from bot.settings import Settings
from bot.texts import Answer, render_answer
from storage.models import InboundMessage, WechatUser
from storage.queries import user_by_openid

log = logging.getLogger("fangpin.pipeline")
Clock = Callable[[], dt.datetime]


@dataclass
class Outcome:
    pieces: list[str]


async def _sender(session: AsyncSession, incoming: Incoming, now: dt.datetime) -> WechatUser:
    user = await user_by_openid(session, incoming.openid)
    if user is None:
        user = WechatUser(openid=incoming.openid, subscribed=True, created_at=now)
        session.add(user)
    if incoming.event != "unsubscribe":
        user.last_interaction_at = now
        user.last_interaction_kind = "event" if incoming.is_event else "message"
    return user


class MessagePipeline:
    def __init__(
        self, sessionmaker: async_sessionmaker, settings: Settings, texts: Environment,
        clock: Clock,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._texts = texts
        self._clock = clock

    async def run(self, incoming: Incoming, inbound_id: int, deferred: Callable[[], bool]) -> str:
        """Handle and commit; returns the passive reply ('' = success). `deferred()` says the
        HTTP answer is already gone, so every piece goes to the outbox."""
        now = self._clock()
        async with self._sessionmaker() as session:
            try:
                pieces, step = await self._handle(session, incoming, now)
            except Exception:
                await session.rollback()
                log.exception("handler failed openid=%s type=%s", incoming.openid,
                              incoming.msg_type)
                pieces, step = self._render([Answer("errors/internal.j2")]), "error"
            return await self._finish(session, incoming, inbound_id, pieces, now, deferred, step)

    async def _handle(
        self, session: AsyncSession, incoming: Incoming, now: dt.datetime
    ) -> tuple[list[str], str]:
        user = await _sender(session, incoming, now)
        ctx = MessageContext(
            incoming=incoming, session=session, user=user, settings=self._settings, now=now,
            outbox=OutboxWriter(session, now), dialog=await active_dialog(session, incoming.openid),
        )
        route = first_match(ROUTES, ctx)
        answers = await route.handler(ctx) if route else []
        pieces = self._render(answers)
        if ctx.dialog is not None:
            for piece in pieces:
                add_turn(session, ctx.dialog, "out", piece, now)
        return pieces, route.name if route else ""

    def _render(self, answers: list[Answer]) -> list[str]:
        if not answers:
            return []
        text = "\n\n".join(render_answer(self._texts, answer) for answer in answers)
        return split_for_wechat(text, self._settings.reply_max_bytes)

    async def _finish(
        self, session: AsyncSession, incoming: Incoming, inbound_id: int, pieces: list[str],
        now: dt.datetime, deferred: Callable[[], bool], route: str,
    ) -> str:
        outbox = OutboxWriter(session, now)
        is_deferred = deferred()
        passive = "" if is_deferred or not pieces else pieces[0]
        for index, piece in enumerate(pieces[0 if is_deferred else 1 :]):
            outbox.text(incoming.openid, piece, "reply",
                        unique_key=f"reply:{inbound_id}:{index + (0 if is_deferred else 1)}")
        failed = route == "error"
        await session.execute(
            update(InboundMessage).where(InboundMessage.id == inbound_id).values(
                status="failed" if failed else "done", finished_at=now,
                reply_kind="passive" if passive else ("outbox" if pieces else "none"),
                reply_text=passive or None, error="handler_error" if failed else "", route=route,
            )
        )
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
