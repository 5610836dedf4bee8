"""A message that meets another process's SQLite lock past the busy timeout is not lost:
it is kept in memory and run again, and a retry from WeChat after a final failure runs it."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

import bot.inbound
import storage.engine
from bot.app_keys import INBOUND, OUTBOX
from storage.models import InboundMessage, OutboundMessage
from tests.conftest import TOKEN
from tests.db_helpers import rows_of
from tests.wechat_requests import signed_query, text_xml


@pytest.fixture
def short_waits(monkeypatch):
    monkeypatch.setattr(storage.engine, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    monkeypatch.setattr(bot.inbound, "DB_RETRY_PAUSES_S", (0.2, 0.2, 0.2))


def _lock(database_url: str) -> sqlite3.Connection:
    holder = sqlite3.connect(database_url.split("///", 1)[1], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


async def _post(client, xml: str) -> str:
    response = await client.post("/wechat", params=signed_query(TOKEN), data=xml.encode())
    assert response.status == 200
    return await response.text()


async def test_a_message_refused_by_a_held_lock_is_run_again_and_answered_by_outbox(
    make_client, settings, database_url, short_waits
):
    client = await make_client(settings.with_overrides(reply_budget_s=0.3))
    holder = _lock(database_url)
    try:
        assert await _post(client, text_xml("o-locked", "我要申报")) == "success"
        await asyncio.sleep(0.6)  # the first tries meet the lock
        assert await rows_of(database_url, InboundMessage) == []
    finally:
        holder.execute("COMMIT")
        holder.close()
    await client.app[INBOUND].drain()
    stored = await rows_of(database_url, InboundMessage)
    assert [(row.openid, row.content, row.status) for row in stored] == [
        ("o-locked", "我要申报", "done")]
    replies = await rows_of(database_url, OutboundMessage, OutboundMessage.openid == "o-locked")
    assert [r.purpose for r in replies] == ["reply"] and "申报" in replies[0].payload["content"]


async def test_after_the_last_try_fails_wechats_retry_runs_the_message(
    make_client, settings, database_url, short_waits
):
    client = await make_client(settings.with_overrides(reply_budget_s=0.3))
    xml = text_xml("o-late", "我要申报")
    holder = _lock(database_url)
    try:
        assert await _post(client, xml) == "success"
        await client.app[INBOUND].drain()  # every try met the lock and gave up
        assert await rows_of(database_url, InboundMessage) == []
    finally:
        holder.execute("COMMIT")
        holder.close()
    await asyncio.sleep(0.05)  # the failed attempt is forgotten at once
    reply = await _post(client, xml)  # WeChat's retry of the same MsgId
    await client.app[INBOUND].drain()
    stored = await rows_of(database_url, InboundMessage)
    assert [(row.openid, row.status) for row in stored] == [("o-late", "done")]
    assert "申报" in reply or reply == "success"


async def test_the_outbox_waits_out_a_held_lock_with_a_warning_not_a_traceback(
    make_client, settings, database_url, short_waits, caplog
):
    client = await make_client(settings)
    holder = _lock(database_url)
    try:
        with caplog.at_level("WARNING", logger="fangpin.outbox"):
            client.app[OUTBOX].wake()
            await asyncio.sleep(0.6)  # a round meets the lock past the busy timeout
        outbox = [r for r in caplog.records if r.name == "fangpin.outbox"]
        assert any("database unavailable" in r.getMessage() for r in outbox)
        assert all(r.exc_info is None and r.levelname == "WARNING" for r in outbox)
    finally:
        holder.execute("COMMIT")
        holder.close()
    # the dispatcher still works once the lock is gone: a message's reply goes out
    assert "申报" in await _post(client, text_xml("o-after-lock", "我要申报"))
