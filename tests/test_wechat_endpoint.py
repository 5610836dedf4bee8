"""The /wechat edge: verification, refusals, malformed bodies, safe mode, long replies."""

from __future__ import annotations

import time

import xmltodict

from storage.models import InboundMessage, OutboundMessage
from tests.conftest import TOKEN
from tests.db_helpers import rows_of
from tests.wechat_requests import encrypt_for_wechat, event_xml, say, signed_query, text_xml

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


async def test_get_verification_echoes_echostr_exactly(make_client, settings):
    client = await make_client(settings)
    echostr = "5927782489442352469+/= 中文"
    response = await client.get("/wechat", params={**signed_query(TOKEN), "echostr": echostr})
    assert response.status == 200
    assert await response.read() == echostr.encode()


async def test_get_with_bad_signature_is_403_without_detail(make_client, settings):
    client = await make_client(settings)
    query = {**signed_query("another-token"), "echostr": "abc"}
    response = await client.get("/wechat", params=query)
    assert response.status == 403
    assert await response.text() == ""


async def test_stale_timestamp_is_refused_unless_window_is_off(make_client, settings):
    old = str(int(time.time()) - 3600)
    client = await make_client(settings)
    response = await client.get("/wechat", params={**signed_query(TOKEN, old), "echostr": "x"})
    assert response.status == 403
    client = await make_client(settings.with_overrides(timestamp_window_s=0))
    response = await client.get("/wechat", params={**signed_query(TOKEN, old), "echostr": "x"})
    assert (response.status, await response.text()) == (200, "x")


async def _post(client, body: bytes):
    response = await client.post("/wechat", params=signed_query(TOKEN), data=body)
    return response.status, await response.text()


async def test_malformed_bodies_get_valid_answers_and_store_nothing(
    make_client, settings, database_url, caplog
):
    client = await make_client(settings)
    doctype = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>'
               b"<xml><FromUserName>a</FromUserName><MsgType>text</MsgType>"
               b"<Content>&e;</Content><MsgId>1</MsgId></xml>")
    cases = {
        "bad xml": b"<xml><FromUserName>a</FromUser",
        "empty": b"",
        "json": b'{"msg": "hi"}',
        "doctype": doctype,
        "unknown type": b"<xml><FromUserName>a</FromUserName><MsgType>hologram</MsgType>"
                        b"<MsgId>2</MsgId><CreateTime>1</CreateTime></xml>",
        "no sender": b"<xml><MsgType>text</MsgType><Content>x</Content><MsgId>3</MsgId></xml>",
        "not utf-8": "<xml><Content>中文</Content></xml>".encode("gbk"),
        "bad time": b"<xml><FromUserName>a</FromUserName><MsgType>text</MsgType>"
                    b"<CreateTime>soon</CreateTime><MsgId>4</MsgId></xml>",
    }
    for name, body in cases.items():
        assert await _post(client, body) == (200, "success"), name
    assert "boom" not in caplog.text
    assert await rows_of(database_url, InboundMessage) == []


async def test_huge_body_is_413(make_client, settings):
    client = await make_client(settings)
    body = text_xml("o-big", "大" * (settings.max_body_bytes // 3 + 10)).encode()
    status, _ = await _post(client, body)
    assert status == 413


async def test_control_characters_and_cdata_end_in_text_are_handled(make_client, settings,
                                                                    database_url):
    client = await make_client(settings)
    xml = text_xml("o-ctrl", "申报\x01\x08") .replace("申报", "申]]]]><![CDATA[>报")
    assert "]]>" in xml
    reply = await say(client, TOKEN, xml)
    assert reply  # parsed and answered
    rows = await rows_of(database_url, InboundMessage)
    assert rows[0].content == "申]]>报"


async def test_a_control_character_in_the_sender_is_refused_not_stripped(make_client, settings,
                                                                          database_url, caplog):
    client = await make_client(settings)
    await say(client, TOKEN, text_xml("o-test", "你好"))
    reply = await say(client, TOKEN, text_xml("o-\x01test", "申报"))
    assert reply == ""  # `success`: never handled as o-test
    assert [row.openid for row in await rows_of(database_url, InboundMessage)] == ["o-test"]
    assert "control_character_in_sender" in caplog.text


async def test_emoji_and_xml_looking_text_round_trip_in_reply(make_client, settings):
    client = await make_client(settings)
    reply = await say(client, TOKEN, text_xml("o-emoji", "😀<b>&amp;</b>"))
    assert "申报" in reply


async def test_safe_mode_round_trip_and_plaintext_refused(make_client, settings, database_url):
    app_settings = settings.with_overrides(wechat_aes_key=AES_KEY)
    client = await make_client(app_settings)
    query, body = encrypt_for_wechat(TOKEN, AES_KEY, settings.wechat_appid,
                                     text_xml("o-safe", "申报"))
    response = await client.post("/wechat", params=query, data=body.encode())
    assert response.status == 200
    envelope = xmltodict.parse(await response.text())["xml"]
    assert set(envelope) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    from wechatpy.crypto import WeChatCrypto

    plain = WeChatCrypto(TOKEN, AES_KEY, settings.wechat_appid).decrypt_message(
        await response.text(), envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
    )
    assert "名字" in xmltodict.parse(plain)["xml"]["Content"]
    status, _ = await _post(client, text_xml("o-safe", "申报").encode())
    assert status == 403
    assert len(await rows_of(database_url, InboundMessage)) == 1


async def test_long_reply_is_split_not_dropped(make_client, settings, database_url):
    client = await make_client(settings.with_overrides(reply_max_bytes=60))
    reply = await say(client, TOKEN, text_xml("o-long", "你好"))
    assert 0 < len(reply.encode()) <= 60
    rest = await rows_of(database_url, OutboundMessage)
    assert rest and all(len(row.payload["content"].encode()) <= 60 for row in rest)
    whole = reply + "".join(row.payload["content"] for row in rest)
    for word in ("申报", "进度", "政策"):
        assert word in whole


async def test_values_no_platform_sends_are_refused_without_losing_the_service(
    make_client, settings, database_url
):
    client = await make_client(settings)
    for xml in (
        text_xml("o-" + "x" * 80, "申报"),
        text_xml("o-time", "申报", create_time=10**29),
        text_xml("o-msgid", "申报").replace("<MsgId>", "<MsgId>9" * 1 + "9" * 40),
    ):
        assert await _post(client, xml.encode()) == (200, "success")
    assert await rows_of(database_url, InboundMessage) == []
    assert "名字" in await say(client, TOKEN, text_xml("o-fine", "申报"))


async def test_platform_notices_and_unknown_events_get_success_not_the_help_text(
    make_client, settings, database_url
):
    client = await make_client(settings)
    notices = [
        ("MASSSENDJOBFINISH", ""), ("NO_SUCH_EVENT", ""), ("", ""),
        ("CLICK", "NO_SUCH_KEY"), ("CLICK", ""),
    ]
    for event, key in notices:
        assert await say(client, TOKEN, event_xml("o-notices", event, key)) == "", (event, key)
    rows = await rows_of(database_url, InboundMessage)
    assert len(rows) == len(notices)
    assert {(r.route, r.status, r.reply_kind) for r in rows} == {("other_events", "done", "none")}
    # a message that is not an event still gets the help text
    assert "申报" in await say(client, TOKEN, text_xml("o-notices", "你好呀"))
