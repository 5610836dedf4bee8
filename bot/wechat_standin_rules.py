"""State and rules behind the WeChat API stand-in: tokens, quotas, service windows, templates.

Pure data and checks, no aiohttp. Facts follow WeChat's public documentation (see
/work/shared/spec/wechat.md); rules WeChat has changed before are settings, not literals.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))  # daily quotas reset at midnight, Beijing time

ERRMSG: Mapping[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40008: "invalid message type",
    40013: "invalid appid",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40023: "invalid sub button size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    42001: "access_token expired",
    43001: "require GET method",
    43002: "require POST method",
    43004: "require subscribe",
    44002: "empty post data",
    44004: "empty content",
    45009: "reach max api daily quota limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    46003: "menu no exist",
    47001: "data format error",
    47003: "argument invalid!",
}


class WeChatError(Exception):
    """An API answer with a non-zero errcode; `detail` is appended to the errmsg."""

    def __init__(self, errcode: int, detail: str = "") -> None:
        super().__init__(errcode, detail)
        self.errcode = errcode
        self.detail = detail

    def errmsg(self) -> str:
        return f"{ERRMSG.get(self.errcode, 'error')} {self.detail}".strip()


def check_app(appid: str, secret: str, grant_type: object, got_appid: object,
              got_secret: object) -> None:
    """Credential checks of ``token`` and ``stable_token``."""
    if grant_type != "client_credential":
        raise WeChatError(40002)
    if not got_appid:
        raise WeChatError(41002)
    if got_appid != appid:
        raise WeChatError(40013)
    if not got_secret:
        raise WeChatError(41004)
    if got_secret != secret:
        raise WeChatError(40125)


def beijing_day(ts: float) -> str:
    return datetime.fromtimestamp(ts, BEIJING).date().isoformat()


@dataclass
class DailyQuota:
    """Counts uses per Beijing calendar day; `take` refuses past `limit`."""

    limit: int
    day: str = ""
    used: int = 0

    def take(self, now: float) -> bool:
        today = beijing_day(now)
        if today != self.day:
            self.day, self.used = today, 0
        if self.used >= self.limit:
            return False
        self.used += 1
        return True


@dataclass
class Token:
    value: str
    issued_at: float
    expires_at: float
    revoked_at: float | None = None  # set when superseded: invalid from then on

    def remaining(self, now: float) -> int:
        return max(0, int(self.expires_at - now))


class TokenBook:
    """Every access_token issued, per lineage ("token" and "stable_token" are isolated)."""

    def __init__(self, ttl: float, grace: float) -> None:
        self._ttl = ttl
        self._grace = grace
        self._all: dict[str, Token] = {}
        self._current: dict[str, Token] = {}
        self._seq = 0

    def current(self, lineage: str) -> Token | None:
        return self._current.get(lineage)

    def issue(self, lineage: str, now: float, *, revoke_previous: bool = True) -> Token:
        previous = self._current.get(lineage)
        if previous is not None and revoke_previous:
            previous.revoked_at = min(previous.expires_at, now + self._grace)
        self._seq += 1
        token = Token(f"{self._seq}_{secrets.token_urlsafe(96)}", now, now + self._ttl)
        self._all[token.value] = token
        self._current[lineage] = token
        return token

    def check(self, value: str | None, now: float) -> int:
        """0 if `value` may call the API now, else 41001 / 40001 / 42001."""
        if not value:
            return 41001
        token = self._all.get(value)
        if token is None:
            return 40001
        revoked = token.revoked_at
        if revoked is not None and now >= revoked and revoked < token.expires_at:
            return 40001
        return 42001 if now >= token.expires_at else 0


@dataclass(frozen=True)
class WindowRule:
    """A user action allows `count` customer-service messages within `seconds` (volatile)."""

    count: int
    seconds: float


MESSAGE_WINDOW = WindowRule(count=5, seconds=48 * 3600)
EVENT_WINDOW = WindowRule(count=3, seconds=60)


@dataclass
class Window:
    until: float
    left: int


@dataclass
class Follower:
    """What the platform knows of one user of the account."""

    following: bool = True
    subscribe_time: float = 0.0
    windows: dict[str, Window] = field(default_factory=dict)

    def open_window(self, kind: str, rule: WindowRule, at: float) -> None:
        """A new action of this kind replaces its window and resets its count."""
        self.windows[kind] = Window(until=at + rule.seconds, left=rule.count)

    def take_custom_slot(self, now: float) -> int:
        """0 and one slot used, or 45015 (no open window / unfollowed) or 45047 (used up).

        Open windows do not add up: a send uses a slot of every open window, so the
        allowance is the largest one, as WeChat documents ("条数不累加").
        """
        if not self.following:
            return 45015
        live = [w for w in self.windows.values() if now < w.until]
        if not live:
            return 45015
        if all(w.left <= 0 for w in live):
            return 45047
        for window in live:
            window.left = max(0, window.left - 1)
        return 0


@dataclass(frozen=True)
class Template:
    template_id: str
    title: str
    keywords: tuple[str, ...]


_HAN = "\u4e00-\u9fff"
_TIME = re.compile(r"(?=.*\d)[0-9年月日时分秒:：\-/. ~～]{1,40}")
# Keyword types of category templates (类目模板), with WeChat's documented value rules.
KEYWORD_RULES: Mapping[str, re.Pattern[str]] = {
    "thing": re.compile(r"[^\r\n]{1,20}"),
    "number": re.compile(r"(?=.{1,32}$)\d+(\.\d+)?"),
    "letter": re.compile(r"[A-Za-z]{1,32}"),
    "symbol": re.compile(r"[^\w\s]{1,5}"),
    "character_string": re.compile(r"[\x21-\x7e]{1,32}"),
    "time": _TIME,
    "date": _TIME,
    "amount": re.compile(r"[¥$€£]?\d{1,10}(\.\d{1,2})?元?"),
    "phone_number": re.compile(r"[0-9+\-() ]{1,17}"),
    "car_number": re.compile(rf"(?=.{{1,8}}$)[{_HAN}A-Za-z0-9][A-Za-z0-9]*[{_HAN}A-Za-z0-9]?"),
    "name": re.compile(rf"[{_HAN}·]{{1,10}}|[A-Za-z .·\-]{{1,20}}"),
    "phrase": re.compile(rf"[{_HAN}]{{1,5}}"),
    "const": re.compile(r"[^\r\n]{1,20}"),
}
_KEYWORD_NAME = re.compile(r"([a-z_]+?)(\d+)")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")
LEGACY_HIDDEN = frozenset({"first", "remark"})  # no longer shown since 2023-05-04


def keyword_type(name: str) -> str | None:
    """"thing3" -> "thing"; None for legacy keywords such as "keyword1"."""
    match = _KEYWORD_NAME.fullmatch(name)
    return match.group(1) if match and match.group(1) in KEYWORD_RULES else None


def legacy_display(value: str, limit: int = 20) -> str:
    """Legacy templates are not refused: WeChat drops emoji and line breaks and shortens."""
    text = _EMOJI.sub("", value.replace("\r", "").replace("\n", ""))
    return text if len(text) <= limit else text[:limit] + "…"


def _value_of(entry: object) -> str:
    if not isinstance(entry, dict):
        return ""
    value = entry.get("value")
    if isinstance(value, bool) or value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def render_template(template: Template, data: object) -> dict[str, str]:
    """What the user would see, or WeChatError(47003) naming the refused field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise WeChatError(47001)
    shown: dict[str, str] = {}
    for name in template.keywords:
        value = _value_of(data.get(name))
        kind = keyword_type(name)
        if kind is None:
            if name not in LEGACY_HIDDEN:
                shown[name] = legacy_display(value)
        elif not value:
            raise WeChatError(47003, f"data.{name}.value is empty")
        elif not KEYWORD_RULES[kind].fullmatch(value):
            raise WeChatError(47003, f"data.{name}.value invalid")
        else:
            shown[name] = value
    return shown


MENU_TYPES = frozenset({
    "click", "view", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album",
    "pic_weixin", "location_select", "media_id", "view_limited", "article_id",
    "article_view_limited", "miniprogram",
})
KEYED_TYPES = frozenset({
    "click", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album",
    "pic_weixin", "location_select",
})


def _check_button(button: object, name_bytes: int, codes: Sequence[int], leaf: bool) -> None:
    type_code, name_code, key_code = codes
    if not isinstance(button, dict):
        raise WeChatError(type_code)
    name = button.get("name")
    if not isinstance(name, str) or not name or len(name.encode()) > name_bytes:
        raise WeChatError(name_code)
    if not leaf:
        return
    kind = button.get("type")
    if kind not in MENU_TYPES:
        raise WeChatError(type_code)
    key = button.get("key")
    if kind in KEYED_TYPES and (not isinstance(key, str) or not key or len(key.encode()) > 128):
        raise WeChatError(key_code)


def check_menu(menu: Mapping[str, object]) -> None:
    """1-3 buttons (name <= 16 bytes), each with <= 5 sub-buttons (name <= 60 bytes)."""
    buttons = menu.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise WeChatError(40016)
    for button in buttons:
        subs = button.get("sub_button") if isinstance(button, dict) else None
        _check_button(button, 16, (40017, 40018, 40019), leaf=not subs)
        if not subs:
            continue
        if not isinstance(subs, list) or len(subs) > 5:
            raise WeChatError(40023)
        for sub in subs:
            _check_button(sub, 60, (40024, 40025, 40026), leaf=True)
