"""The thin WeChat edge: verify, decrypt, parse, hand over, render and encrypt the reply."""

from __future__ import annotations

import logging
import time

from aiohttp import web

from bot.app_keys import INBOUND, SETTINGS
from bot.settings import Settings
from bot.wechat_crypto import (
    BadCiphertext,
    BadSignature,
    SafeModeEnvelope,
    check_url_signature,
    timestamp_is_fresh,
)
from bot.wechat_reply import text_reply_xml
from bot.wechat_xml import MalformedMessage, incoming_from_xml, parse_xml_document

log = logging.getLogger("fangpin.wechat")
def _success() -> web.Response:
    return web.Response(text="success", content_type="text/plain")


def _query(request: web.Request, name: str) -> str:
    return request.query.get(name, "")


def _verified(request: web.Request, settings: Settings) -> bool:
    try:
        check_url_signature(settings.wechat_token, _query(request, "signature"),
                            _query(request, "timestamp"), _query(request, "nonce"))
    except BadSignature:
        return False
    return timestamp_is_fresh(_query(request, "timestamp"), settings.timestamp_window_s)


async def verify_url(request: web.Request) -> web.Response:
    """GET: echo `echostr` exactly when signed with our token; 403 with no detail otherwise."""
    settings = request.app[SETTINGS]
    if not _verified(request, settings):
        log.warning("url verification refused from %s", request.remote)
        raise web.HTTPForbidden(text="")
    return web.Response(body=_query(request, "echostr").encode("utf-8"),
                        content_type="text/plain")


def _too_large(request: web.Request, size: int, limit: int) -> web.HTTPRequestEntityTooLarge:
    log.warning("message refused: body of %d bytes over the %d-byte cap from %s", size, limit,
                request.remote)
    return web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=size, text="")


async def _read_body(request: web.Request, settings: Settings) -> bytes:
    limit = settings.max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(request, request.content_length, limit)
    body = await request.content.read(limit + 1)
    if len(body) > limit:
        raise _too_large(request, len(body), limit)
    return body


def _plain_document(request: web.Request, settings: Settings, body: bytes) -> tuple[dict, bool]:
    """The message fields, decrypting in safe/compat mode; True when the reply must be encrypted."""
    document = parse_xml_document(body)
    if _query(request, "encrypt_type").lower() != "aes":
        if settings.wechat_aes_key:  # safe mode: only encrypted bodies are authenticated
            raise BadSignature()
        return document, False
    encrypted = document.get("Encrypt")
    if not settings.wechat_aes_key or not isinstance(encrypted, str):
        raise MalformedMessage("no_encrypt_field" if settings.wechat_aes_key else "aes_not_set")
    envelope = SafeModeEnvelope(settings.wechat_token, settings.wechat_aes_key,
                                settings.wechat_appid)
    plain = envelope.decrypt(encrypted, _query(request, "msg_signature"),
                             _query(request, "timestamp"), _query(request, "nonce"))
    return parse_xml_document(plain), True


async def receive_message(request: web.Request) -> web.Response:
    """POST: one message or event; always a valid answer, never a traceback."""
    settings = request.app[SETTINGS]
    if not _verified(request, settings):
        log.warning("message refused: bad signature or stale timestamp from %s", request.remote)
        raise web.HTTPForbidden(text="")
    body = await _read_body(request, settings)
    try:
        document, encrypted = _plain_document(request, settings, body)
        incoming = incoming_from_xml(document)
    except BadSignature:
        log.warning("message refused: bad msg_signature from %s", request.remote)
        raise web.HTTPForbidden(text="") from None
    except (MalformedMessage, BadCiphertext) as exc:
        log.warning("malformed message answered with success: %s (%d bytes)",
                    getattr(exc, "reason", str(exc)), len(body))
        return _success()
    reply = await request.app[INBOUND].reply_for(incoming)
    if not reply:
        return _success()
    xml = text_reply_xml(incoming.account, incoming.openid, reply, int(time.time()))
    if encrypted:
        envelope = SafeModeEnvelope(settings.wechat_token, settings.wechat_aes_key,
                                    settings.wechat_appid)
        xml = envelope.encrypt(xml)
    return web.Response(text=xml, content_type="application/xml")
