"""The outbox against the WeChat stand-in: windows, busy retries, token refresh, quota."""

from __future__ import annotations

import asyncio

import pytest

from bot.app_keys import OUTBOX, SESSIONMAKER
from bot.outbox_writer import OutboxWriter
from bot.wechat_standin import WeChatStandin, create_standin_app
from storage.models import OutboundMessage
from tests.db_helpers import rows_of


@pytest.fixture
async def platform(aiohttp_server, settings):
    standin = WeChatStandin(settings.wechat_appid, settings.wechat_secret)
    server = await aiohttp_server(create_standin_app(standin))
    base = str(server.make_url("/cgi-bin/"))
    return standin, settings.with_overrides(wechat_api_base=base, outbox_poll_s=0.02)


async def _queue(client, openid: str, text: str, clock) -> int:
    async with client.app[SESSIONMAKER]() as session:
        row = OutboxWriter(session, clock()).text(openid, text, "test")
        await session.commit()
        client.app[OUTBOX].wake()
        return row.id


async def _settled(database_url: str, row_id: int, timeout: float = 5.0) -> OutboundMessage:
    for _ in range(int(timeout / 0.05)):
        [row] = await rows_of(database_url, OutboundMessage, OutboundMessage.id == row_id)
        if row.status not in ("pending", "sending"):
            return row
        await asyncio.sleep(0.05)
    return row


async def test_message_inside_the_window_is_delivered(make_client, platform, database_url,
                                                      clock):
    standin, settings = platform
    standin.record_user_message("o-1")
    client = await make_client(settings)
    row = await _settled(database_url, await _queue(client, "o-1", "您好", clock))
    assert (row.status, row.last_errcode, row.attempts) == ("sent", 0, 1)
    assert [d["content"] for d in standin.delivered("o-1")] == ["您好"]


async def test_outside_the_window_is_undeliverable_not_retried(make_client, platform,
                                                              database_url, clock):
    standin, settings = platform
    standin.record_subscribe("o-2", at=standin.clock() - 3 * 86400)
    client = await make_client(settings)
    row = await _settled(database_url, await _queue(client, "o-2", "迟到的消息", clock))
    assert (row.status, row.last_errcode, row.attempts) == ("undeliverable", 45015, 1)
    assert standin.delivered("o-2") == []


async def test_count_used_up_is_45047(make_client, platform, database_url, clock):
    standin, settings = platform
    standin.record_user_message("o-3")
    client = await make_client(settings)
    rows = [await _settled(database_url, await _queue(client, "o-3", f"第{n}条", clock))
            for n in range(6)]
    assert [row.status for row in rows] == ["sent"] * 5 + ["undeliverable"]
    assert rows[-1].last_errcode == 45047


async def test_system_busy_is_retried_with_backoff(make_client, platform, database_url, clock):
    standin, settings = platform
    standin.record_user_message("o-4")
    standin.inject_errors("message/custom/send", [-1, -1])
    client = await make_client(settings)
    row_id = await _queue(client, "o-4", "重试", clock)
    for _ in range(3):
        await asyncio.sleep(0.3)
        clock.advance(minutes=10)
        client.app[OUTBOX].wake()
    row = await _settled(database_url, row_id)
    assert (row.status, row.attempts) == ("sent", 3)
    assert [d["content"] for d in standin.delivered("o-4")] == ["重试"]


async def test_invalid_token_is_refreshed_once(make_client, platform, database_url, clock):
    standin, settings = platform
    standin.record_user_message("o-5")
    standin.inject_errors("message/custom/send", [40001])
    client = await make_client(settings)
    row = await _settled(database_url, await _queue(client, "o-5", "换令牌", clock))
    assert row.status == "sent" and row.attempts == 1
    assert sum(call.endpoint == "token" for call in standin.calls) == 2


async def test_repeated_token_errors_do_not_loop(make_client, platform, database_url, clock):
    standin, settings = platform
    standin.record_user_message("o-6")
    standin.inject_errors("message/custom/send", [40001, 40001, 40001])
    client = await make_client(settings)
    row = await _settled(database_url, await _queue(client, "o-6", "不死循环", clock))
    assert (row.status, row.last_errcode) == ("failed", 40001)
    assert sum(call.endpoint == "token" for call in standin.calls) == 2


async def test_quota_exhausted_stops_without_retry(make_client, platform, database_url, clock):
    standin, settings = platform
    standin.record_user_message("o-7")
    standin.inject_errors("message/custom/send", [45009])
    client = await make_client(settings)
    row = await _settled(database_url, await _queue(client, "o-7", "配额", clock))
    assert (row.status, row.last_errcode, row.attempts) == ("failed", 45009, 1)
