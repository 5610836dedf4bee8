"""Turning the XML WeChat posts into an `Incoming`, refusing what must not be parsed."""

from __future__ import annotations

import re
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict

from bot.incoming import Incoming

_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# XML 1.0 forbids C0 controls other than tab, LF, CR; users can still type them.
_ILLEGAL_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# ...but in who sent it, stripping one would make another user's id of it: refused instead.
_CONTROL_IN_IDENTITY = re.compile(
    "<(FromUserName|ToUserName|MsgId)>(?:(?!</\\1>).)*?[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]",
    re.DOTALL)
KNOWN_MSG_TYPES = frozenset(
    {"text", "image", "voice", "video", "shortvideo", "location", "link", "event", "file"}
)


class MalformedMessage(ValueError):
    """The body is not a WeChat message we can read; `reason` is safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_xml_document(body: bytes) -> dict[str, Any]:
    """The `<xml>` element's children as a dict of strings; refuses DTDs and entities."""
    if _DECLARATIONS.search(body):
        raise MalformedMessage("doctype_or_entity")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedMessage("not_utf8") from exc
    cleaned = _ILLEGAL_CONTROLS.sub("", text)
    if cleaned != text and _CONTROL_IN_IDENTITY.search(text):
        raise MalformedMessage("control_character_in_sender")
    text = cleaned
    try:
        document = xmltodict.parse(text, disable_entities=True)
    except (ExpatError, ValueError) as exc:
        raise MalformedMessage("bad_xml") from exc
    root = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise MalformedMessage("no_xml_root")
    return root


def _text(root: dict[str, Any], name: str) -> str:
    value = root.get(name)
    if value is None:
        return ""
    if isinstance(value, dict):
        value = value.get("#text", "")
    return str(value) if not isinstance(value, list) else ""


def _flat_fields(root: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in root.items() if isinstance(value, str | type(None))}


# What the platform sends fits these (openids are 28 characters, MsgIds 64-bit numbers);
# longer values are not WeChat's and would not fit the tables.
FIELD_LIMITS = {"MsgId": 32, "MediaId": 200, "PicUrl": 500, "Event": 64, "Format": 16,
                "ToUserName": 64}


def _check_lengths(root: dict[str, Any], openid: str, msg_id: str | None) -> None:
    if len(openid) > 64 or (msg_id is not None and not msg_id.isdigit()):
        raise MalformedMessage("bad_sender_or_msg_id")
    for name, limit in FIELD_LIMITS.items():
        if len(_text(root, name)) > limit:
            raise MalformedMessage(f"{name}_too_long")


def incoming_from_xml(root: dict[str, Any]) -> Incoming:
    """Map the parsed document to an `Incoming`; missing required fields are malformed."""
    openid = _text(root, "FromUserName").strip()
    msg_type = _text(root, "MsgType").strip().lower()
    if not openid or not msg_type:
        raise MalformedMessage("missing_fields")
    if msg_type not in KNOWN_MSG_TYPES:
        raise MalformedMessage("unknown_msg_type")
    raw_time = _text(root, "CreateTime").strip() or "0"
    if not (raw_time.isascii() and raw_time.isdigit() and len(raw_time) <= 12):
        raise MalformedMessage("bad_create_time")
    create_time = int(raw_time)
    msg_id = _text(root, "MsgId").strip() or None
    if msg_type != "event" and msg_id is None:
        raise MalformedMessage("missing_msg_id")
    _check_lengths(root, openid, msg_id)
    recognition = root.get("Recognition")
    return Incoming(
        openid=openid,
        account=_text(root, "ToUserName"),
        msg_type=msg_type,
        create_time=create_time,
        msg_id=msg_id,
        text=_text(root, "Content"),
        event=_text(root, "Event").strip().lower(),
        event_key=_text(root, "EventKey").strip(),
        media_id=_text(root, "MediaId"),
        media_format=_text(root, "Format"),
        recognition=None if recognition is None else _text(root, "Recognition"),
        pic_url=_text(root, "PicUrl"),
        fields=_flat_fields(root),
    )
