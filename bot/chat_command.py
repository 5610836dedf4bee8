"""`fangpin chat --as OPENID`: the simulator in a terminal, against a running demo server."""

from __future__ import annotations

import argparse
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from bot.simulator_messages import OPENID_PATTERN

DEFAULT_URL = "http://127.0.0.1:8080"
POLL_EVERY_S = 0.25
HELP = (
    "直接输入文字发送；命令：/report 申报困难  /mine 我的申报  /result 评估结果  /policy 政策咨询  "
    "/subscribe 关注  /voice 文字（当作语音）  /photo 发照片  /quit 退出"
)
MENU_COMMANDS = {"/report": "REPORT", "/mine": "MY_CASES", "/result": "RESULT",
                 "/policy": "POLICY"}

Write = Callable[[str], None]


class ChatError(Exception):
    """The server cannot be used for chatting; the message says what to do."""


class SimulatorClient:
    """Blocking calls to a running server's /simulator/api (the CLI has no event loop)."""

    def __init__(self, base_url: str, openid: str, timeout: float = 20.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.openid = openid
        self.timeout = timeout
        self.delivered_next = 0

    def _call(self, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(self.base_url + path, data=data, headers={
            "Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise ChatError(
                    f"{self.base_url} 没有模拟器接口：服务不是演示模式。"
                    "请在项目目录运行 make run 启动（或 FANGPIN_DEMO=1 fangpin serve）。") from None
            raise ChatError(_error_text(exc)) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ChatError(
                f"连不上 {self.base_url}（{reason}）。请先在另一个终端的项目目录运行："
                "make run") from None
        except ValueError:
            raise ChatError(f"{self.base_url} 的回答不是 JSON：它是 fangpin 服务吗？") from None

    def personas(self) -> list[dict[str, Any]]:
        return list(self._call("/simulator/api/personas").get("personas", []))

    def send(self, kind: str, content: str = "", key: str = "") -> str | None:
        payload = {"openid": self.openid, "kind": kind, "content": content, "key": key}
        return self._call("/simulator/api/send", payload).get("reply")

    def new_deliveries(self) -> list[dict[str, Any]]:
        query = urllib.parse.urlencode({"openid": self.openid, "after": self.delivered_next})
        data = self._call(f"/simulator/api/delivered?{query}")
        self.delivered_next = int(data.get("next", self.delivered_next))
        return list(data.get("messages", []))


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read().decode("utf-8"))["error"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return f"服务出错了（HTTP {exc.code}）"


def command_for(line: str) -> tuple[str, str, str] | None:
    """(kind, content, key) for one typed line; None for /quit. Raises ValueError if unknown."""
    text = line.strip()
    if not text.startswith("/"):
        return "text", line, ""
    name, _, rest = text.partition(" ")
    if name in {"/quit", "/exit", "/q"}:
        return None
    if name in MENU_COMMANDS:
        return "click", "", MENU_COMMANDS[name]
    if name == "/subscribe":
        return "subscribe", "", ""
    if name == "/voice":
        return "voice", rest.strip(), ""
    if name == "/photo":
        return "image", "", ""
    raise ValueError(name)


def _indented(text: str, indent: str = "        ") -> str:
    """Continuation lines under the text after a label like "公众号：" (8 columns wide)."""
    first, *rest = text.split("\n")
    return "\n".join([first, *((indent + line) if line.strip() else "" for line in rest)])


def _show_reply(write: Write, reply: str | None) -> None:
    write("公众号：" + _indented(reply) if reply else "（公众号没有直接回复）")


def _show_deliveries(client: SimulatorClient, write: Write, wait_s: float) -> None:
    """Print outbox deliveries; keep polling for up to `wait_s` (they arrive shortly after)."""
    deadline = time.monotonic() + wait_s
    while True:
        for message in client.new_deliveries():
            label = message.get("label", "消息")
            write(f"[{label}] " + _indented(str(message.get("text", ""))))
        if time.monotonic() >= deadline:
            return
        time.sleep(POLL_EVERY_S)


def _greet(client: SimulatorClient, write: Write) -> None:
    known = {persona["openid"]: persona for persona in client.personas()}
    persona = known.get(client.openid)
    if persona:
        area = f"，{persona['area']}" if persona.get("area") else ""
        write(f"以 {persona['display_name']} 的身份聊天（{persona['role']}{area}）。")
    else:
        write(f"以 {client.openid} 的身份聊天（不是演示身份：公众号会把它当作新农户）。")
    write(HELP)


def chat_loop(client: SimulatorClient, read: Callable[[str], str], write: Write,
              wait_s: float) -> int:
    _greet(client, write)
    client.new_deliveries()  # what was delivered before this session is history
    while True:
        try:
            line = read("我：")
        except EOFError:
            return 0
        if not line.strip():
            continue
        try:
            command = command_for(line)
        except ValueError as exc:
            write(f"不认识的命令 {exc}。{HELP}")
            continue
        if command is None:
            return 0
        kind, content, key = command
        try:
            _show_reply(write, client.send(kind, content, key))
            _show_deliveries(client, write, wait_s)
        except ChatError as exc:
            write(f"没发出去：{exc}")


def run_chat(args: argparse.Namespace) -> int:
    if not OPENID_PATTERN.fullmatch(args.openid):
        print(f"fangpin chat: openid {args.openid!r} 格式不对："
              "只能是 3 到 64 位字母、数字、“-”或“_”")
        return 2
    parts = urllib.parse.urlsplit(args.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        print(f"fangpin chat: --url {args.url!r} 应是完整的网址，以 http:// 开头，"
              f"如 {DEFAULT_URL}")
        return 2
    client = SimulatorClient(args.url, args.openid)
    try:
        return chat_loop(client, input, print, args.wait)
    except ChatError as exc:
        print(f"fangpin chat: {exc}")
        return 1
    except KeyboardInterrupt:
        print()
        return 0


def add_chat_parser(subparsers: argparse._SubParsersAction) -> None:
    chat = subparsers.add_parser(
        "chat", help="chat with the demo Official Account in the terminal (demo mode)")
    chat.add_argument("--as", dest="openid", required=True, metavar="OPENID",
                      help="whose WeChat to use, e.g. demo-farmer-01")
    chat.add_argument("--url", default=DEFAULT_URL,
                      help=f"the running demo server (default {DEFAULT_URL})")
    chat.add_argument("--wait", type=float, default=1.0, metavar="SECONDS",
                      help="how long to watch for outbox deliveries after each message")
    chat.set_defaults(run=run_chat)
