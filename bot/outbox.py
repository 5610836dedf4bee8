"""The outbox dispatcher: sends what is due through the WeChat API, records every answer."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc as db_errors
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from storage.models import OutboundMessage

log = logging.getLogger("fangpin.outbox")
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
UNDELIVERABLE = frozenset({45015, 45047, 43004})
BUSY = -1
QUOTA_EXHAUSTED = 45009
LEASE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class SendResult:
    errcode: int
    errmsg: str
    msgid: str = ""


class ConfigurableWeChatClient(WeChatClient):
    """wechatpy's client with the token URL under API_BASE_URL too (wechatpy hard-codes it)."""

    def fetch_access_token(self) -> dict:
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid,
                    "secret": self.secret},
        )


def make_wechat_client(appid: str, secret: str, api_base: str) -> WeChatClient:
    """wechatpy's blocking client pointed at `api_base`; token refresh is ours (once), since
    wechatpy's own auto-retry refreshes without limit."""
    client = ConfigurableWeChatClient(appid, secret, timeout=10, auto_retry=False)
    client.API_BASE_URL = api_base
    return client


def _call(client: WeChatClient, channel: str, openid: str, payload: dict[str, Any]) -> dict:
    if channel == "template":
        return client.message.send_template(
            openid, payload["template_id"], payload["data"], url=payload.get("url") or None
        )
    return client.message.send_text(openid, payload["content"])


def send_blocking(client: WeChatClient, channel: str, openid: str, payload: dict) -> SendResult:
    """One send, refreshing the access token once on 40001/40014/42001. Runs in a thread."""
    for attempt in range(2):
        try:
            result = _call(client, channel, openid, payload)
            return SendResult(0, "ok", str(result.get("msgid", "")))
        except WeChatClientException as exc:
            if exc.errcode in TOKEN_ERRORS and attempt == 0:
                client.fetch_access_token()
                continue
            return SendResult(int(exc.errcode), str(exc.errmsg)[:200])
        except Exception as exc:  # network errors: the platform did not answer
            return SendResult(BUSY, f"network: {type(exc).__name__}")
    return SendResult(BUSY, "token refresh did not help")


class OutboxDispatcher:
    def __init__(
        self, sessionmaker: async_sessionmaker, client: WeChatClient,
        clock: Callable[[], dt.datetime], max_attempts: int = 5, poll_s: float = 0.5,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._client = client
        self._clock = clock
        self._max_attempts = max_attempts
        self._poll_s = poll_s
        self._wakeup = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wakeup.set()

    def stop(self) -> None:
        """Finish the round in progress, then return from run_forever (never mid-statement)."""
        self._stopping = True
        self._wakeup.set()

    async def run_forever(self) -> None:
        while not self._stopping:
            try:
                sent = await self.dispatch_due()
            except (db_errors.OperationalError, db_errors.TimeoutError) as error:
                # another process holds the database (an import): the rows wait, nothing lost
                log.warning("outbox round skipped: database unavailable (%s)",
                            type(error).__name__)
                sent = 0
            except Exception:
                log.exception("outbox round failed")
                sent = 0
            if not sent and not self._stopping:
                self._wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self._poll_s)

    async def _claim(self, limit: int) -> list[OutboundMessage]:
        """Take due rows with one atomic UPDATE (SKIP LOCKED on PostgreSQL), leasing them."""
        now = self._clock()
        due = (
            select(OutboundMessage.id)
            .where(
                or_(OutboundMessage.status == "pending", OutboundMessage.status == "sending"),
                OutboundMessage.next_attempt_at <= now,
            )
            .order_by(OutboundMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(OutboundMessage)
            .where(OutboundMessage.id.in_(due.scalar_subquery()))
            .values(status="sending", attempts=OutboundMessage.attempts + 1,
                    next_attempt_at=now + LEASE)
            .returning(OutboundMessage)
        )
        async with self._sessionmaker() as session:
            rows = list((await session.scalars(
                claim, execution_options={"synchronize_session": False})).all())
            await session.commit()
            return sorted(rows, key=lambda row: row.id)

    async def dispatch_due(self, limit: int = 20) -> int:
        """Send what is due; returns how many rows were tried."""
        rows = await self._claim(limit)
        for row in rows:
            if self._stopping:  # the rest keep their lease and are sent after a restart
                break
            result = await asyncio.to_thread(
                send_blocking, self._client, row.channel, row.openid, row.payload
            )
            await self._record(row.id, result)
        return len(rows)

    def _backoff(self, attempts: int) -> dt.timedelta:
        base = min(2 ** attempts, 300)
        return dt.timedelta(seconds=base * (0.5 + random.random()))

    async def _record(self, row_id: int, result: SendResult) -> None:
        now = self._clock()
        async with self._sessionmaker() as session:
            row = await session.get(OutboundMessage, row_id)
            assert row is not None
            row.last_errcode, row.last_errmsg = result.errcode, result.errmsg
            if result.errcode == 0:
                row.status, row.sent_at, row.platform_msgid = "sent", now, result.msgid
            elif result.errcode in UNDELIVERABLE:
                row.status = "undeliverable"
            elif result.errcode == BUSY and row.attempts < self._max_attempts:
                row.status, row.next_attempt_at = "pending", now + self._backoff(row.attempts)
            else:
                row.status = "failed"
            if row.status != "sent":
                log.warning("outbox id=%s %s errcode=%s", row.id, row.status, result.errcode)
            await session.commit()
