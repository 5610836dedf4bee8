"""The demo-mode WeChat simulator: a phone-like page and its small JSON API.

Every message the page sends goes through the real ``POST /wechat`` as the platform would send
it (signed, and encrypted in safe mode); the page also shows what the outbox delivered to the
persona through the WeChat API stand-in.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientError, ClientTimeout, web
from sqlalchemy import select
from sqlalchemy.orm import aliased

from bot.app_keys import HTTP, SESSIONMAKER, SETTINGS, STANDIN
from bot.simulator_messages import (
    OPENID_PATTERN,
    BadAction,
    UserAction,
    action_from_json,
    describe_delivery,
    message_xml,
    reply_text,
    signed_post,
)
from bot.texts import TEMPLATES_DIR
from bot.wechat_crypto import BadCiphertext, BadSignature
from bot.wechat_xml import MalformedMessage
from policy.roles import ROLE_NAMES_ZH, AreaLevel, Role
from storage.models import Area, WechatUser

log = logging.getLogger("fangpin.simulator")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PAGE_DIR = TEMPLATES_DIR / "simulator"
PERSONA_PREFIX = "demo-"
ROLE_ORDER = {role: index for index, role in enumerate(Role)}  # farmers first
SELF_POST_TIMEOUT = ClientTimeout(total=15)
WECHAT_PATH = "/wechat"


def _bad_request(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


def _static(name: str, content_type: str) -> Handler:
    """A handler serving one page file, read once when the routes are added."""
    body = (PAGE_DIR / name).read_text(encoding="utf-8")

    async def serve(request: web.Request) -> web.Response:
        return web.Response(text=body, content_type=content_type, charset="utf-8",
                            headers={"Cache-Control": "no-store"})

    return serve


def _area_label(area: Area | None, parent_name: str | None) -> str:
    """The area's name; a group (组) is named with its village, e.g. 红龙村2组."""
    if area is None:
        return ""
    if area.level == AreaLevel.group and parent_name:
        return parent_name + area.name
    return area.name


async def personas(request: web.Request) -> web.Response:
    """The demo county's people to chat as: WeChat users whose openid starts with ``demo-``."""
    parent = aliased(Area)
    query = (
        select(WechatUser, Area, parent.name)
        .outerjoin(Area, Area.id == WechatUser.area_id)
        .outerjoin(parent, parent.id == Area.parent_id)
        .where(WechatUser.openid.startswith(PERSONA_PREFIX))
    )
    async with request.app[SESSIONMAKER]() as session:
        rows = (await session.execute(query)).all()
    rows.sort(key=lambda row: (ROLE_ORDER.get(row[0].role, len(ROLE_ORDER)), row[0].openid))
    return web.json_response({"personas": [
        {"openid": user.openid, "display_name": user.display_name or user.openid,
         "role": ROLE_NAMES_ZH.get(user.role, str(user.role)), "role_key": str(user.role),
         "area": _area_label(area, parent_name)}
        for user, area, parent_name in rows
    ]})


def _tell_standin(request: web.Request, action: UserAction) -> None:
    """What the platform itself learns from the user's action (follow, message windows)."""
    standin = request.app[STANDIN]
    if action.kind == "subscribe":
        standin.record_subscribe(action.openid)
    elif action.kind == "click":
        standin.record_user_event(action.openid)
    else:
        standin.record_user_message(action.openid)


async def send(request: web.Request) -> web.Response:
    """Act as the platform: POST the user's message to our own /wechat, return the reply."""
    try:
        action = action_from_json(await request.json())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _bad_request("请求内容不是有效的 JSON")
    except BadAction as exc:
        return _bad_request(str(exc))
    settings = request.app[SETTINGS]
    post = signed_post(settings, message_xml(action))
    _tell_standin(request, action)
    url = request.url.origin().with_path(WECHAT_PATH)
    try:
        async with request.app[HTTP].post(
            url, params=post.query, data=post.body.encode("utf-8"),
            headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=SELF_POST_TIMEOUT,
        ) as response:
            status, body = response.status, await response.read()
    except (ClientError, TimeoutError) as exc:
        log.warning("simulator could not reach /wechat at %s: %s", url, exc)
        return web.json_response({"error": "连不上本服务的 /wechat 接口"}, status=502)
    if status != 200:
        log.warning("simulator post refused by /wechat: HTTP %s", status)
        return web.json_response({"error": f"/wechat 拒绝了这条消息（HTTP {status}）"},
                                 status=502)
    try:
        reply = reply_text(settings, body, post.encrypted)
    except (BadSignature, BadCiphertext, MalformedMessage):
        log.warning("simulator could not read the reply of /wechat (%d bytes)", len(body))
        return web.json_response({"error": "公众号的回复无法解析"}, status=502)
    return web.json_response({"reply": reply})


async def delivered(request: web.Request) -> web.Response:
    """What the WeChat API stand-in delivered to this user, from index ``after`` on."""
    openid = request.query.get("openid", "").strip()
    if not OPENID_PATTERN.fullmatch(openid):
        return _bad_request("openid 缺失或格式不对")
    raw_after = request.query.get("after", "0").strip() or "0"
    if not (raw_after.isascii() and raw_after.isdigit()):
        return _bad_request("after 必须是不小于 0 的整数")
    after = int(raw_after)
    records = request.app[STANDIN].delivered(openid)
    messages: list[dict[str, Any]] = [describe_delivery(record) for record in records[after:]]
    return web.json_response({"messages": messages, "next": max(after, len(records))})


def add_simulator_routes(app: web.Application) -> None:
    """Register the page, its script and the API (demo mode only)."""
    app.router.add_get("/simulator", _static("page.html", "text/html"))
    app.router.add_get("/simulator/static/simulator.js",
                       _static("simulator.js", "application/javascript"))
    app.router.add_get("/simulator/api/personas", personas)
    app.router.add_post("/simulator/api/send", send)
    app.router.add_get("/simulator/api/delivered", delivered)
