"""Dedupe before anything, one message at a time per user, and the 5-second rule."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import exc as db_errors
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.incoming import Incoming
from bot.message_pipeline import MessagePipeline, Processed
from storage.models import InboundMessage

log = logging.getLogger("fangpin.inbound")
DB_POLL_S = 0.05
ATTEMPT_MEMORY_S = 60.0
# A message is one transaction: when the database refuses it (another process holding SQLite's
# lock past the busy timeout, no pooled connection free), nothing of it was stored and it is run
# again after these pauses, kept in memory meanwhile; the reply then goes by the outbox.
DB_RETRY_PAUSES_S = (1.0, 5.0, 15.0, 30.0, 60.0)
_DB_UNAVAILABLE = (db_errors.OperationalError, db_errors.TimeoutError)


@dataclass
class Attempt:
    """One message's processing, shared by the first delivery and WeChat's retries."""

    future: asyncio.Future[str] = field(default_factory=lambda: asyncio.get_running_loop()
                                        .create_future())
    abandoned: bool = False

    def resolve(self, reply: str) -> None:
        if not self.future.done():
            self.future.set_result(reply)


class UserLocks:
    """A FIFO lock per openid, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def hold(self, openid: str) -> _Held:
        return _Held(self, openid)

    def _take(self, openid: str) -> asyncio.Lock:
        lock, users = self._locks.get(openid, (asyncio.Lock(), 0))
        self._locks[openid] = (lock, users + 1)
        return lock

    def _release(self, openid: str) -> None:
        lock, users = self._locks[openid]
        if users <= 1:
            del self._locks[openid]
        else:
            self._locks[openid] = (lock, users - 1)


class _Held:
    def __init__(self, locks: UserLocks, openid: str) -> None:
        self._locks, self._openid = locks, openid
        self._lock = locks._take(openid)

    async def __aenter__(self) -> None:
        await self._lock.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self._lock.release()
        self._locks._release(self._openid)


class InboundProcessor:
    def __init__(
        self, sessionmaker: async_sessionmaker, pipeline: MessagePipeline, budget_s: float,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self._sessionmaker = sessionmaker
        self._pipeline = pipeline
        self._budget_s = budget_s
        self._clock = clock
        self._locks = UserLocks()
        self._attempts: dict[str, Attempt] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def reply_for(self, incoming: Incoming) -> str:
        """The passive reply for this delivery, or '' (answer `success`)."""
        key = incoming.dedupe_key
        attempt = self._attempts.get(key)
        if attempt is None:
            attempt = self._attempts[key] = Attempt()
            # Created synchronously on arrival, so the per-user lock is queued in arrival order.
            self._keep(asyncio.create_task(self._run(incoming, attempt)))
        if attempt.abandoned:
            return ""
        try:
            return await asyncio.wait_for(asyncio.shield(attempt.future), self._budget_s)
        except TimeoutError:
            if attempt.future.done():
                return attempt.future.result()
            attempt.abandoned = True
            log.info("reply deferred to outbox openid=%s", incoming.openid)
            return ""

    def _keep(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, incoming: Incoming, attempt: Attempt) -> None:
        remember_s = ATTEMPT_MEMORY_S
        try:
            async with self._locks.hold(incoming.openid):
                processed = await self._run_until_stored(incoming, attempt)
                if processed is None:  # delivered before: another worker, or before a restart
                    attempt.resolve(await self._earlier_reply(incoming.dedupe_key))
                    return
                if processed.reply and attempt.abandoned:
                    await self._pipeline.move_reply_to_outbox(
                        processed.inbound_id, incoming.openid, processed.reply
                    )
                attempt.resolve(processed.reply)
        except Exception:
            log.exception("inbound processing failed openid=%s", incoming.openid)
            attempt.resolve("")
            remember_s = 0.0  # WeChat's next retry of this message runs it again
        finally:
            loop = asyncio.get_running_loop()
            loop.call_later(remember_s, self._forget, incoming.dedupe_key, attempt)

    def _forget(self, key: str, attempt: Attempt) -> None:
        if self._attempts.get(key) is attempt:
            del self._attempts[key]

    async def _run_until_stored(self, incoming: Incoming, attempt: Attempt) -> Processed | None:
        for pause in (*DB_RETRY_PAUSES_S, None):
            try:
                return await self._pipeline.run(incoming, lambda: attempt.abandoned)
            except _DB_UNAVAILABLE as error:
                if pause is None:
                    raise
                log.warning("database unavailable (%s); message kept, retried in %.1f s "
                            "openid=%s", type(error).__name__, pause, incoming.openid)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")

    async def _earlier_reply(self, key: str) -> str:
        """A delivery we saw before (another worker, or before a restart): same reply or ''."""
        waited = 0.0
        while waited <= self._budget_s:
            async with self._sessionmaker() as session:
                query = select(InboundMessage).where(InboundMessage.dedupe_key == key)
                row = (await session.scalars(query)).one()
            if row.status != "processing":
                return row.reply_text or "" if row.reply_kind == "passive" else ""
            await asyncio.sleep(DB_POLL_S)
            waited += DB_POLL_S
        return ""

    async def drain(self) -> None:
        """Wait for messages still being processed (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
