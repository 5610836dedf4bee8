"""Retries never run a handler twice; one user's messages go in order; the 5-second rule."""

from __future__ import annotations

import asyncio

import pytest
import xmltodict

from bot.message_pipeline import MessagePipeline
from storage.models import InboundMessage, OutboundMessage
from tests.conftest import TOKEN, FakeClock
from tests.db_helpers import rows_of
from tests.wechat_requests import say, signed_query, text_xml


@pytest.fixture
def slow_handler(monkeypatch):
    """Make every message take `delay` seconds of (non-database) work before its unit of work,
    and record the texts in the order they are processed."""
    handled: list[str] = []
    state = {"delay": 0.5}
    original = MessagePipeline.run

    async def slow(self, incoming, deferred):
        handled.append(incoming.text)
        await asyncio.sleep(state["delay"])
        return await original(self, incoming, deferred)

    monkeypatch.setattr(MessagePipeline, "run", slow)
    return handled, state


def _content(body: str) -> str:
    """The reply's text (the envelope's CreateTime may differ by a second)."""
    return body if body == "success" else xmltodict.parse(body)["xml"]["Content"]


async def _post_raw(client, xml: str, query: dict[str, str]) -> str:
    response = await client.post("/wechat", params=query, data=xml.encode())
    assert response.status == 200
    return await response.text()


async def test_retry_arriving_during_first_attempt_runs_handler_once(
    make_client, settings, database_url, slow_handler
):
    handled, _ = slow_handler
    client = await make_client(settings)
    xml, query = text_xml("o-retry", "你好"), signed_query(TOKEN)
    first = asyncio.create_task(_post_raw(client, xml, query))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(_post_raw(client, xml, query))
    replies = await asyncio.gather(first, second)
    assert handled == ["你好"]
    assert _content(replies[0]) == _content(replies[1]) and "申报" in _content(replies[0])
    assert len(await rows_of(database_url, InboundMessage)) == 1


async def test_retry_after_a_restart_gets_the_stored_reply(make_client, settings, database_url):
    xml, query = text_xml("o-later", "政策"), signed_query(TOKEN)
    first_client = await make_client(settings)
    first = await _post_raw(first_client, xml, query)
    await first_client.close()
    second_client = await make_client(settings)
    again = await _post_raw(second_client, xml, query)
    assert _content(first) == _content(again) and "帮扶" in _content(first)
    assert len(await rows_of(database_url, InboundMessage)) == 1


async def test_slow_handler_answers_success_and_delivers_through_outbox(
    make_client, settings, database_url, slow_handler
):
    handled, state = slow_handler
    state["delay"] = 0.6
    client = await make_client(settings.with_overrides(reply_budget_s=0.2))
    xml, query = text_xml("o-slow", "政策"), signed_query(TOKEN)
    assert await _post_raw(client, xml, query) == "success"
    await asyncio.sleep(0.8)
    rows = await rows_of(database_url, OutboundMessage)
    assert [(row.openid, row.purpose) for row in rows] == [("o-slow", "reply")]
    assert "帮扶" in rows[0].payload["content"]
    assert await _post_raw(client, xml, query) == "success"  # WeChat's retry: nothing twice
    assert handled == ["政策"]
    [inbound] = await rows_of(database_url, InboundMessage)
    assert (inbound.status, inbound.reply_kind) == ("done", "outbox")


async def test_one_users_messages_are_processed_in_arrival_order(
    make_client, settings, slow_handler
):
    handled, state = slow_handler
    state["delay"] = 0.2
    client = await make_client(settings)
    texts = ["申报", "王发红", "返回", "李云"]
    tasks = []
    for text in texts:
        tasks.append(asyncio.create_task(say(client, TOKEN, text_xml("o-order", text))))
        await asyncio.sleep(0.01)
    replies = await asyncio.gather(*tasks)
    assert handled == texts
    assert "名字" in replies[0] and "身份证" in replies[1]
    assert "回到上一项" in replies[2] and "身份证" in replies[3]


async def test_different_users_are_not_serialized(make_client, settings, slow_handler):
    handled, state = slow_handler
    state["delay"] = 0.4
    client = await make_client(settings)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.gather(*(say(client, TOKEN, text_xml(f"o-user-{n}", "你好")) for n in range(5)))
    assert loop.time() - started < 1.5
    assert len(handled) == 5


async def test_an_inbound_row_records_when_its_handling_finished(
    make_client, settings, database_url
):
    class TickingClock(FakeClock):
        def __call__(self):  # every reading is a second later
            self.advance(seconds=1)
            return self.now

    client = await make_client(settings, clock=TickingClock())
    await say(client, TOKEN, text_xml("o-timed", "政策"))
    [row] = await rows_of(database_url, InboundMessage, InboundMessage.openid == "o-timed")
    assert row.status == "done" and row.finished_at > row.received_at
