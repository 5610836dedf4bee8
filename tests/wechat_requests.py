"""Building requests as the WeChat platform sends them (signed, optionally AES-encrypted)."""

from __future__ import annotations

import itertools
import time

from wechatpy.crypto import WeChatCrypto

from bot.wechat_crypto import sha1_signature
from bot.wechat_reply import cdata

_msg_ids = itertools.count(int(time.time() * 1000))
# Events have no MsgId: WeChat dedupes them by sender and CreateTime (seconds), so each test
# event gets its own second.
_event_times = itertools.count(int(time.time()))


def signed_query(token: str, timestamp: str | None = None, nonce: str = "12345") -> dict[str, str]:
    timestamp = timestamp or str(int(time.time()))
    return {"signature": sha1_signature(token, timestamp, nonce), "timestamp": timestamp,
            "nonce": nonce}


def text_xml(openid: str, content: str, msg_id: int | None = None,
             create_time: int | None = None) -> str:
    return (
        f"<xml><ToUserName>{cdata('gh_fangpin')}</ToUserName>"
        f"<FromUserName>{cdata(openid)}</FromUserName>"
        f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content>{cdata(content)}</Content>"
        f"<MsgId>{msg_id or next(_msg_ids)}</MsgId></xml>"
    )


def event_xml(openid: str, event: str, key: str = "", create_time: int | None = None) -> str:
    return (
        f"<xml><ToUserName>{cdata('gh_fangpin')}</ToUserName>"
        f"<FromUserName>{cdata(openid)}</FromUserName>"
        f"<CreateTime>{create_time or next(_event_times)}</CreateTime>"
        f"<MsgType><![CDATA[event]]></MsgType><Event>{cdata(event)}</Event>"
        f"<EventKey>{cdata(key)}</EventKey></xml>"
    )


def media_xml(openid: str, msg_type: str, media_id: str, recognition: str | None = None) -> str:
    extra = "" if recognition is None else f"<Recognition>{cdata(recognition)}</Recognition>"
    pic = "<PicUrl><![CDATA[http://mmbiz.example/pic.jpg]]></PicUrl>" if msg_type == "image" else ""
    return (
        f"<xml><ToUserName>{cdata('gh_fangpin')}</ToUserName>"
        f"<FromUserName>{cdata(openid)}</FromUserName><CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType>{cdata(msg_type)}</MsgType><MediaId>{cdata(media_id)}</MediaId>{pic}"
        f"<Format><![CDATA[amr]]></Format>{extra}<MsgId>{next(_msg_ids)}</MsgId></xml>"
    )


def encrypt_for_wechat(
    token: str, aes_key: str, appid: str, xml: str, timestamp: str | None = None,
    nonce: str = "67890",
) -> tuple[dict[str, str], str]:
    """(query, body) of a safe-mode POST, as the platform builds it."""
    timestamp = timestamp or str(int(time.time()))
    crypto = WeChatCrypto(token, aes_key, appid)
    envelope = crypto.encrypt_message(xml, nonce, timestamp)
    import xmltodict

    fields = xmltodict.parse(envelope)["xml"]
    body = (f"<xml><ToUserName>{cdata('gh_fangpin')}</ToUserName>"
            f"<Encrypt>{cdata(fields['Encrypt'])}</Encrypt></xml>")
    query = signed_query(token, timestamp, nonce)
    query.update(encrypt_type="aes", msg_signature=fields["MsgSignature"])
    return query, body


async def say(client, token: str, xml: str, query: dict[str, str] | None = None) -> str:
    """POST one message; returns the reply's Content ('' for success)."""
    import xmltodict

    response = await client.post("/wechat", params=query or signed_query(token),
                                 data=xml.encode("utf-8"))
    assert response.status == 200, await response.text()
    body = await response.text()
    if body in ("success", ""):
        return ""
    return xmltodict.parse(body)["xml"]["Content"]
