"""What the WeChat platform would POST for a simulated user action, signed (and encrypted).

Pure helpers for the simulator: build the message XML, sign it with the account's token,
wrap it in a safe-mode envelope when an EncodingAESKey is set, and read the passive reply.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

import xmltodict
from wechatpy.crypto import WeChatCrypto

from bot.settings import Settings
from bot.wechat_crypto import SafeModeEnvelope, sha1_signature
from bot.wechat_reply import cdata
from bot.wechat_xml import parse_xml_document

ACCOUNT = "gh_fangpin_demo"  # the Official Account's original ID, as ToUserName
KINDS = frozenset({"text", "voice", "image", "click", "subscribe"})
OPENID_PATTERN = re.compile(r"[A-Za-z0-9_-]{3,64}")
EVENT_KEY_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{0,128}")
MAX_CONTENT_CHARS = 2000


class BadAction(ValueError):
    """The simulator was asked for something the platform would never send; text is Chinese."""


@dataclass(frozen=True)
class UserAction:
    openid: str
    kind: str
    content: str = ""
    key: str = ""


@dataclass(frozen=True)
class SignedPost:
    query: dict[str, str]
    body: str
    encrypted: bool


def _string(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadAction(f"“{name}”必须是文字")
    return value


def action_from_json(data: object) -> UserAction:
    """Validate the page's JSON; raises BadAction with a message for the user."""
    if not isinstance(data, dict):
        raise BadAction("请求内容必须是 JSON 对象")
    openid, kind = _string(data, "openid").strip(), _string(data, "kind").strip()
    content, key = _string(data, "content"), _string(data, "key").strip()
    if not openid:
        raise BadAction("缺少 openid：请先选择一个身份")
    if not OPENID_PATTERN.fullmatch(openid):
        raise BadAction("openid 格式不对：只能是 3 到 64 位字母、数字、“-”或“_”")
    if kind not in KINDS:
        raise BadAction("kind 必须是 text、voice、image、click 或 subscribe 之一")
    if len(content) > MAX_CONTENT_CHARS:
        raise BadAction(f"内容太长了，最多 {MAX_CONTENT_CHARS} 个字")
    if kind == "text" and not content.strip():
        raise BadAction("请先输入要发送的文字")
    if kind == "click" and not key:
        raise BadAction("菜单点击缺少 key（例如 REPORT）")
    if not EVENT_KEY_PATTERN.fullmatch(key):
        raise BadAction("key 格式不对：只能是字母、数字和“_-.:”")
    return UserAction(openid=openid, kind=kind, content=content, key=key)


def fresh_msg_id() -> str:
    """A 64-bit MsgId like the platform's (never reused in practice)."""
    return str(secrets.randbelow(9 * 10**18) + 10**18)


def message_xml(action: UserAction, create_time: int | None = None,
                msg_id: str | None = None) -> str:
    """The plaintext XML the platform sends for this action."""
    when = int(time.time()) if create_time is None else create_time
    head = (f"<ToUserName>{cdata(ACCOUNT)}</ToUserName>"
            f"<FromUserName>{cdata(action.openid)}</FromUserName>"
            f"<CreateTime>{when}</CreateTime>")
    msg_id = msg_id or fresh_msg_id()
    if action.kind == "text":
        body = (f"<MsgType><![CDATA[text]]></MsgType><Content>{cdata(action.content)}</Content>"
                f"<MsgId>{msg_id}</MsgId>")
    elif action.kind == "voice":
        media = "voice-" + secrets.token_hex(12)
        body = (f"<MsgType><![CDATA[voice]]></MsgType><MediaId>{cdata(media)}</MediaId>"
                "<Format><![CDATA[amr]]></Format>"
                f"<Recognition>{cdata(action.content)}</Recognition><MsgId>{msg_id}</MsgId>")
    elif action.kind == "image":
        media = "image-" + secrets.token_hex(12)
        url = f"http://mmbiz.qpic.cn/simulator/{media}/0"
        body = (f"<MsgType><![CDATA[image]]></MsgType><PicUrl>{cdata(url)}</PicUrl>"
                f"<MediaId>{cdata(media)}</MediaId><MsgId>{msg_id}</MsgId>")
    elif action.kind == "click":
        body = ("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event>"
                f"<EventKey>{cdata(action.key)}</EventKey>")
    else:
        key = f"qrscene_{action.key}" if action.key else ""
        body = ("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>"
                f"<EventKey>{cdata(key)}</EventKey>")
    return f"<xml>{head}{body}</xml>"


def signed_post(settings: Settings, xml: str) -> SignedPost:
    """Query and body of the POST to /wechat; safe mode when an AES key is set."""
    timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**9))
    query = {"signature": sha1_signature(settings.wechat_token, timestamp, nonce),
             "timestamp": timestamp, "nonce": nonce}
    if not settings.wechat_aes_key:
        return SignedPost(query, xml, encrypted=False)
    crypto = WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid)
    envelope = xmltodict.parse(crypto.encrypt_message(xml, nonce, timestamp))["xml"]
    body = (f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName>"
            f"<Encrypt>{cdata(envelope['Encrypt'])}</Encrypt></xml>")
    query.update(encrypt_type="aes", msg_signature=envelope["MsgSignature"])
    return SignedPost(query, body, encrypted=True)


def reply_text(settings: Settings, body: bytes, encrypted: bool) -> str | None:
    """The passive reply's text, or None for `success` / an empty answer."""
    if body.strip() in (b"", b"success"):
        return None
    document = parse_xml_document(body)
    if encrypted:
        envelope = SafeModeEnvelope(settings.wechat_token, settings.wechat_aes_key,
                                    settings.wechat_appid)
        document = parse_xml_document(envelope.decrypt(
            str(document.get("Encrypt", "")), str(document.get("MsgSignature", "")),
            str(document.get("TimeStamp", "")), str(document.get("Nonce", ""))))
    content = document.get("Content")
    return content if isinstance(content, str) and content else None


def describe_delivery(record: dict[str, Any]) -> dict[str, Any]:
    """One stand-in delivery as the page shows it: a label and the text the user would read."""
    if record.get("kind") == "template":
        lines = [str(record.get("title") or "模板消息")]
        data = record.get("data") or {}
        lines += [f"{name}：{value}" for name, value in data.items()]
        if record.get("url"):
            lines.append(f"详情：{record['url']}")
        return {"label": "模板消息", "kind": "template", "text": "\n".join(lines),
                "at": record.get("at")}
    content = record.get("content")
    msgtype = record.get("msgtype", "text")
    text = content if isinstance(content, str) else f"[{msgtype}消息]"
    return {"label": "客服消息", "kind": "custom", "text": text, "at": record.get("at")}
