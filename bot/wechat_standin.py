"""A local stand-in of the WeChat Official Account HTTP API (``/cgi-bin/...``).

Mounted with ``app.add_subapp("/wechat-api/", create_standin_app(standin))``. The simulator
tells it what WeChat would know (``record_*``); tests read ``delivered()`` and ``calls``.
Errors are HTTP 200 with ``{"errcode", "errmsg"}``; as on WeChat, ``token``, ``stable_token``,
``menu/get`` and ``user/info`` answer their data without ``errcode`` on success.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.wechat_standin_rules import (
    EVENT_WINDOW,
    MESSAGE_WINDOW,
    DailyQuota,
    Follower,
    Template,
    TokenBook,
    WeChatError,
    WindowRule,
    check_app,
    check_menu,
    render_template,
)

Clock = Callable[[], float]
JSON_CONTENT_TYPE = "application/json; encoding=utf-8"  # the header WeChat itself sends
CUSTOM_MSGTYPES = frozenset({
    "text", "image", "voice", "video", "music", "news", "mpnews", "mpnewsarticle", "msgmenu",
    "wxcard", "miniprogrampage",
})
STABLE_RENEW_BEFORE = 300.0  # normal-mode stable_token renews in the token's last 5 minutes


@dataclass(frozen=True)
class CallRecord:
    """One API call and its outcome (errcode 0 = accepted)."""

    endpoint: str
    method: str
    at: float
    errcode: int
    openid: str | None = None
    access_token: str | None = None


@dataclass
class _Call:
    method: str
    query: Mapping[str, str]
    body: bytes
    now: float
    openid: str | None = None

    def json(self) -> dict[str, Any]:
        if not self.body.strip():
            raise WeChatError(44002)
        try:
            data = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise WeChatError(47001) from None
        if not isinstance(data, dict):
            raise WeChatError(47001)
        return data


def _ok(**extra: Any) -> dict[str, Any]:
    return {"errcode": 0, "errmsg": "ok", **extra}


class WeChatStandin:
    """All state of one fake Official Account: tokens, followers, windows, deliveries."""

    def __init__(
        self,
        appid: str,
        secret: str,
        *,
        clock: Clock = time.time,
        token_daily_limit: int = 2000,
        token_ttl: float = 7200.0,
        token_grace: float = 300.0,
        stable_force_daily_limit: int = 20,
        stable_force_interval: float = 30.0,
        message_window: WindowRule = MESSAGE_WINDOW,
        event_window: WindowRule = EVENT_WINDOW,
    ) -> None:
        self.appid = appid
        self.secret = secret
        self.clock = clock
        self.message_window = message_window
        self.event_window = event_window
        self.calls: list[CallRecord] = []
        self.menu: dict[str, Any] | None = None
        self._tokens = TokenBook(token_ttl, token_grace)
        self._token_quota = DailyQuota(token_daily_limit)
        self._force_quota = DailyQuota(stable_force_daily_limit)
        self._force_interval = stable_force_interval
        self._last_force: float | None = None
        self._users: dict[str, Follower] = {}
        self._templates: dict[str, Template] = {}
        self._injected: dict[str, deque[int]] = {}
        self._deliveries: dict[str, list[dict[str, Any]]] = {}
        self._msgids = itertools.count(2_000_000_001)

    # What the platform learns from users (called by the simulator) -------------------------

    def record_subscribe(self, openid: str, at: float | None = None) -> None:
        """A follow (also via a QR code) opens the short window, like a menu click."""
        when = self._at(at)
        self._follower(openid, when).open_window("event", self.event_window, when)

    def record_unsubscribe(self, openid: str) -> None:
        user = self._users.setdefault(openid, Follower())
        user.following = False
        user.windows.clear()

    def record_user_message(self, openid: str, at: float | None = None) -> None:
        """A user message opens the long window (default 5 messages within 48 h)."""
        when = self._at(at)
        self._follower(openid, when).open_window("message", self.message_window, when)

    def record_user_event(self, openid: str, at: float | None = None) -> None:
        """A menu click (click / scancode types only) or a scan: default 3 within 1 minute."""
        when = self._at(at)
        self._follower(openid, when).open_window("event", self.event_window, when)

    def register_template(self, template_id: str, title: str, keywords: Iterable[str]) -> None:
        """Keywords named by type ("thing1", "time2") are validated like category templates;
        others ("keyword1") behave like legacy templates: shortened, never refused."""
        self._templates[template_id] = Template(template_id, title, tuple(keywords))

    def inject_errors(self, path_suffix: str, errcodes: Iterable[int]) -> None:
        """The next calls to that endpoint answer these errcodes, in order."""
        endpoint = path_suffix.rsplit("cgi-bin/", 1)[-1].strip("/")
        if endpoint not in ENDPOINTS:
            raise ValueError(f"the stand-in has no endpoint {endpoint!r}")
        self._injected.setdefault(endpoint, deque()).extend(errcodes)

    def delivered(self, openid: str) -> list[dict[str, Any]]:
        return list(self._deliveries.get(openid, []))

    def is_following(self, openid: str) -> bool:
        user = self._users.get(openid)
        return user is not None and user.following

    # The HTTP API ----------------------------------------------------------------------------

    def handle(
        self, endpoint: str, method: str, query: Mapping[str, str], body: bytes
    ) -> dict[str, Any]:
        """Answer one call to ``/cgi-bin/<endpoint>`` and record it in ``calls``."""
        call = _Call(method.upper(), query, body, self.clock())
        try:
            result, errcode = self._dispatch(endpoint, call), 0
        except WeChatError as exc:
            errcode = exc.errcode
            rid = f"{int(call.now):08x}-{secrets.token_hex(4)}-{secrets.token_hex(4)}"
            result = {"errcode": errcode, "errmsg": f"{exc.errmsg()} rid: {rid}"}
        token = query.get("access_token")
        self.calls.append(CallRecord(endpoint, call.method, call.now, errcode, call.openid, token))
        return result

    def _dispatch(self, endpoint: str, call: _Call) -> dict[str, Any]:
        spec = ENDPOINTS[endpoint]
        injected = self._injected.get(endpoint)
        if injected:
            raise WeChatError(injected.popleft())
        if call.method != spec.method:
            raise WeChatError(43001 if spec.method == "GET" else 43002)
        if spec.needs_token:
            code = self._tokens.check(call.query.get("access_token"), call.now)
            if code:
                raise WeChatError(code)
        return spec.run(self, call)

    def _token(self, call: _Call) -> dict[str, Any]:
        query = call.query
        check_app(self.appid, self.secret, query.get("grant_type"), query.get("appid"),
                  query.get("secret"))
        if not self._token_quota.take(call.now):
            raise WeChatError(45009)
        token = self._tokens.issue("token", call.now)
        return {"access_token": token.value, "expires_in": token.remaining(call.now)}

    def _stable_token(self, call: _Call) -> dict[str, Any]:
        body = call.json()
        check_app(self.appid, self.secret, body.get("grant_type"), body.get("appid"),
                  body.get("secret"))
        current, now = self._tokens.current("stable_token"), call.now
        usable = current is not None and self._tokens.check(current.value, now) == 0
        if body.get("force_refresh") is True:
            recent = self._last_force is not None and now - self._last_force < self._force_interval
            if current is None or not usable or not recent:  # within 30 s: no refresh
                if not self._force_quota.take(now):
                    raise WeChatError(45009)
                current, self._last_force = self._tokens.issue("stable_token", now), now
        elif current is None or not usable or current.remaining(now) <= STABLE_RENEW_BEFORE:
            current = self._tokens.issue("stable_token", now, revoke_previous=False)
        return {"access_token": current.value, "expires_in": current.remaining(now)}

    def _custom_send(self, call: _Call) -> dict[str, Any]:
        body = call.json()
        user = self._known_user(call, body.get("touser"))
        msgtype = body.get("msgtype")
        if msgtype not in CUSTOM_MSGTYPES:
            raise WeChatError(40008)
        content = body.get(msgtype)
        if not isinstance(content, dict):
            raise WeChatError(47001)
        if msgtype == "text":
            content = content.get("content")
            if not isinstance(content, str) or not content:
                raise WeChatError(44004)
        code = user.take_custom_slot(call.now)
        if code:
            raise WeChatError(code)
        self._deliver(call, {"kind": "custom", "msgtype": msgtype, "content": content})
        return _ok()

    def _template_send(self, call: _Call) -> dict[str, Any]:
        body = call.json()
        user = self._known_user(call, body.get("touser"))
        template = self._templates.get(str(body.get("template_id")))
        if template is None:
            raise WeChatError(40037)
        if not user.following:
            raise WeChatError(43004)
        shown = render_template(template, body.get("data"))
        msgid = next(self._msgids)
        self._deliver(call, {
            "kind": "template", "msgtype": "template", "template_id": template.template_id,
            "title": template.title, "data": shown, "url": body.get("url"), "msgid": msgid,
        })
        return _ok(msgid=msgid)

    def _menu_create(self, call: _Call) -> dict[str, Any]:
        body = call.json()
        check_menu(body)
        self.menu = {"button": body["button"]}
        return _ok()

    def _menu_get(self, call: _Call) -> dict[str, Any]:
        if self.menu is None:
            raise WeChatError(46003)
        buttons = [{**b, "sub_button": b.get("sub_button") or []} for b in self.menu["button"]]
        return {"menu": {"button": buttons}}

    def _user_info(self, call: _Call) -> dict[str, Any]:
        openid = call.query.get("openid")
        user = self._known_user(call, openid)
        if not user.following:
            return {"subscribe": 0, "openid": openid}
        return {
            "subscribe": 1, "openid": openid, "language": "zh_CN",
            "subscribe_time": int(user.subscribe_time), "remark": "", "groupid": 0,
            "tagid_list": [], "subscribe_scene": "ADD_SCENE_OTHERS", "qr_scene": 0,
            "qr_scene_str": "",
        }

    # Helpers -----------------------------------------------------------------------------

    def _at(self, at: float | None) -> float:
        return self.clock() if at is None else at

    def _follower(self, openid: str, when: float) -> Follower:
        """Users can only write or click while following."""
        user = self._users.setdefault(openid, Follower(subscribe_time=when))
        if not user.following:
            user.following, user.subscribe_time = True, when
        return user

    def _known_user(self, call: _Call, openid: object) -> Follower:
        call.openid = openid if isinstance(openid, str) else None
        user = self._users.get(call.openid) if call.openid else None
        if user is None:
            raise WeChatError(40003)
        return user

    def _deliver(self, call: _Call, record: dict[str, Any]) -> None:
        openid = call.openid or ""
        self._deliveries.setdefault(openid, []).append({**record, "at": call.now})


@dataclass(frozen=True)
class _Endpoint:
    method: str
    needs_token: bool
    run: Callable[[WeChatStandin, _Call], dict[str, Any]]


ENDPOINTS: Mapping[str, _Endpoint] = {
    "token": _Endpoint("GET", False, WeChatStandin._token),
    "stable_token": _Endpoint("POST", False, WeChatStandin._stable_token),
    "message/custom/send": _Endpoint("POST", True, WeChatStandin._custom_send),
    "message/template/send": _Endpoint("POST", True, WeChatStandin._template_send),
    "menu/create": _Endpoint("POST", True, WeChatStandin._menu_create),
    "menu/get": _Endpoint("GET", True, WeChatStandin._menu_get),
    "user/info": _Endpoint("GET", True, WeChatStandin._user_info),
}

STANDIN_KEY = web.AppKey("wechat_standin", WeChatStandin)


async def _serve(request: web.Request) -> web.Response:
    endpoint = request.match_info["endpoint"]
    if endpoint not in ENDPOINTS:
        raise web.HTTPNotFound()
    body = await request.read()
    result = request.app[STANDIN_KEY].handle(endpoint, request.method, request.query, body)
    payload = json.dumps(result, ensure_ascii=False).encode("utf-8")
    return web.Response(body=payload, headers={"Content-Type": JSON_CONTENT_TYPE})


def create_standin_app(standin: WeChatStandin) -> web.Application:
    """The stand-in as a sub-application serving ``/cgi-bin/<endpoint>``."""
    app = web.Application()
    app[STANDIN_KEY] = standin
    app.router.add_route("*", "/cgi-bin/{endpoint:.+}", _serve)
    return app
