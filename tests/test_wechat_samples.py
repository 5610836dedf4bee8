"""Every real message sample from the platform's documentation through the real endpoint."""

from __future__ import annotations

import pytest
import xmltodict
from sqlalchemy import select

from storage.engine import create_engine, create_sessionmaker
from storage.models import InboundMessage
from tests.conftest import TOKEN, WECHAT_SAMPLES
from tests.shared_data import require_shared_data
from tests.wechat_requests import signed_query

require_shared_data()

SAMPLES = sorted(WECHAT_SAMPLES.glob("S*.xml"))
REPLY_SAMPLES = {"S20-reply-text"}


async def _inbound(database_url: str) -> list[InboundMessage]:
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        rows = list((await session.scalars(select(InboundMessage))).all())
    await engine.dispose()
    return rows


def test_there_are_samples():
    assert len(SAMPLES) >= 20


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem)
async def test_sample_is_answered_validly_and_stored(make_client, settings, database_url, sample):
    client = await make_client(settings.with_overrides(timestamp_window_s=0))
    body = sample.read_bytes()
    response = await client.post("/wechat", params=signed_query(TOKEN, "1348831860"), data=body)
    assert response.status == 200
    text = await response.text()
    rows = await _inbound(database_url)
    if sample.stem in REPLY_SAMPLES:  # a reply is not something WeChat posts to us
        assert text == "success" and rows == []
        return
    fields = xmltodict.parse(body)["xml"]
    assert [(row.openid, row.msg_type) for row in rows] == [
        (fields["FromUserName"], fields["MsgType"])
    ]
    if text != "success":
        reply = xmltodict.parse(text)["xml"]
        assert reply["ToUserName"] == fields["FromUserName"]
        assert reply["FromUserName"] == fields["ToUserName"]
        assert reply["Content"].strip()


def _content(text: str) -> str:
    return text if text == "success" else xmltodict.parse(text)["xml"]["Content"]


@pytest.mark.parametrize(
    "sample", [s for s in SAMPLES if s.stem not in REPLY_SAMPLES], ids=lambda path: path.stem
)
async def test_sample_delivered_twice_is_processed_once(make_client, settings, database_url,
                                                        sample):
    client = await make_client(settings.with_overrides(timestamp_window_s=0))
    query = signed_query(TOKEN, "1348831860")
    first = await client.post("/wechat", params=query, data=sample.read_bytes())
    again = await client.post("/wechat", params=query, data=sample.read_bytes())
    assert _content(await first.text()) == _content(await again.text())
    assert len(await _inbound(database_url)) == 1


async def test_a_voice_without_recognition_outside_a_report_asks_to_say_it_again(
        make_client, settings):
    client = await make_client(settings.with_overrides(timestamp_window_s=0))
    body = (WECHAT_SAMPLES / "S04-voice.xml").read_bytes()
    response = await client.post("/wechat", params=signed_query(TOKEN, "1348831860"), data=body)
    assert "没能听清" in _content(await response.text())
