"""`fangpin chat --as OPENID` against a live demo server (its blocking HTTP runs in a thread)."""

from __future__ import annotations

import argparse
import asyncio
import builtins
from collections.abc import Iterable

import pytest

from bot.app import create_app
from bot.chat_command import add_chat_parser, command_for, run_chat
from tests.test_simulator import ASK_NAME, free_port, start_demo


def chat_args(url: str, openid: str = "demo-farmer-01", wait: float = 0.0) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fangpin")
    add_chat_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["chat", "--as", openid, "--url", url, "--wait", str(wait)])


async def chat(monkeypatch, args: argparse.Namespace, lines: Iterable[str]) -> tuple[int, str]:
    """Run the REPL with these typed lines (then end of input); returns (code, printed)."""
    typed = iter(lines)
    printed: list[str] = []

    def fake_input(prompt: str = "") -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    def fake_print(*values: object, **kwargs: object) -> None:
        printed.append(" ".join(str(value) for value in values))

    monkeypatch.setattr(builtins, "input", fake_input)
    monkeypatch.setattr(builtins, "print", fake_print)
    code = await asyncio.to_thread(run_chat, args)
    monkeypatch.undo()
    return code, "\n".join(printed)


def url_of(server) -> str:
    return str(server.make_url("/")).rstrip("/")


async def test_a_conversation_in_the_terminal(monkeypatch, aiohttp_server, tmp_path):
    server, _ = await start_demo(aiohttp_server, tmp_path)
    code, out = await chat(monkeypatch, chat_args(url_of(server)), [
        "/policy", "", "申报", "王发红", "/photo", "/voice", "/bogus", "/mine", "/quit", "never",
    ])
    assert code == 0
    assert "以 王发红 的身份聊天（农户，红龙村7组）" in out
    assert "公众号：防返贫监测帮扶政策" in out
    assert ASK_NAME in out and "身份证号（18位" in out
    assert "照片收到了" in out and "没能听清" in out
    assert "不认识的命令 /bogus" in out
    # /mine during the dialog: the cases, then the report's question again
    assert "您的申报还没填完，我们接着填" in out and out.count("身份证号（18位") >= 2
    assert "never" not in out


async def test_outbox_deliveries_are_printed(monkeypatch, aiohttp_server, tmp_path):
    server, _ = await start_demo(aiohttp_server, tmp_path, reply_max_bytes=120)
    code, out = await chat(monkeypatch, chat_args(url_of(server), wait=1.5), ["/report"])
    assert code == 0
    first_reply = out.split("公众号：", 1)[1]
    assert "[客服消息]" in first_reply and ASK_NAME in first_reply.split("[客服消息]", 1)[1]


async def test_unknown_openid_chats_as_a_new_farmer(monkeypatch, aiohttp_server, tmp_path):
    server, _ = await start_demo(aiohttp_server, tmp_path)
    code, out = await chat(monkeypatch, chat_args(url_of(server), "o-newcomer"),
                           ["/subscribe"])
    assert code == 0 and "不是演示身份" in out and "欢迎关注" in out


async def test_server_not_running(monkeypatch):
    code, out = await chat(monkeypatch, chat_args(f"http://127.0.0.1:{free_port()}"), ["你好"])
    assert code == 1 and "连不上" in out and "make run" in out


async def test_server_not_in_demo_mode(monkeypatch, aiohttp_server, settings):
    server = await aiohttp_server(create_app(settings))
    code, out = await chat(monkeypatch, chat_args(url_of(server)), ["你好"])
    assert code == 1 and "不是演示模式" in out


async def test_bad_openid_is_refused_before_connecting(monkeypatch):
    code, out = await chat(monkeypatch, chat_args("http://127.0.0.1:9", "a b"), [])
    assert code == 2 and "格式不对" in out


@pytest.mark.parametrize("url", ["127.0.0.1:8080", "notaurl", "ftp://127.0.0.1/", "http://"])
async def test_an_address_without_http_is_refused_before_connecting(monkeypatch, url):
    code, out = await chat(monkeypatch, chat_args(url, "demo-farmer-01"), [])
    assert code == 2 and "以 http:// 开头" in out and "连不上" not in out


@pytest.mark.parametrize("line, expected", [
    ("你好", ("text", "你好", "")),
    ("/report", ("click", "", "REPORT")),
    ("/mine", ("click", "", "MY_CASES")),
    ("/policy", ("click", "", "POLICY")),
    ("/subscribe", ("subscribe", "", "")),
    ("/voice 我要 申报 ", ("voice", "我要 申报", "")),
    ("/photo", ("image", "", "")),
    ("/quit", None),
])
def test_command_lines(line, expected):
    assert command_for(line) == expected


def test_unknown_command_line():
    with pytest.raises(ValueError):
        command_for("/nope")
