"""The demo simulator's API through the real app on a real port: its messages take the real
/wechat path (signed; encrypted in safe mode) and the outbox delivers through the stand-in."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot import simulator
from bot.app import create_app
from bot.app_keys import SESSIONMAKER
from bot.settings import Settings, load_settings
from bot.simulator_messages import SignedPost, UserAction, message_xml, signed_post
from bot.wechat_xml import incoming_from_xml, parse_xml_document
from policy.roles import AreaLevel, Role
from storage.models import Area, WechatUser

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ASK_NAME = "请问申请人叫什么名字？"
PERSONAS = (
    ("demo-cadre-01", Role.village_cadre, "李书记"),
    ("demo-helper-01", Role.helper, "张帮扶"),
    ("demo-farmer-01", Role.farmer, "王发红"),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def demo_settings(database_url: str, port: int, **overrides: object) -> Settings:
    """What `FANGPIN_DEMO=1 fangpin serve --port PORT` would use, plus test overrides."""
    env = {"FANGPIN_DEMO": "1", "FANGPIN_DATABASE_URL": database_url}
    return load_settings(env).with_overrides(port=port, outbox_poll_s=0.05, **overrides)


async def add_personas(app: web.Application) -> None:
    """The demo county's people (until storage/demo_data.py provides them)."""
    async with app[SESSIONMAKER]() as session:
        county = Area(code="999001", name="演示县", level=AreaLevel.county)
        session.add(county)
        await session.flush()
        village = Area(code="999001001", name="红龙村", level=AreaLevel.village,
                       parent_id=county.id)
        session.add(village)
        await session.flush()
        group = Area(code="999001001007", name="7组", level=AreaLevel.group,
                     parent_id=village.id)
        session.add(group)
        await session.flush()
        for openid, role, name in PERSONAS:
            area = group if role == Role.farmer else village
            session.add(WechatUser(openid=openid, role=role, display_name=name,
                                   area_id=area.id, subscribed=True))
        session.add(WechatUser(openid="o-real-user", role=Role.farmer, display_name="真用户"))
        await session.commit()


async def start_demo(
    aiohttp_server: Callable[..., Awaitable], tmp_path: Path, spy: list | None = None,
    **overrides: object,
) -> tuple[TestServer, web.Application]:
    """The real demo app listening on the port its settings name (so the outbox reaches the
    stand-in at settings.api_base), with the demo personas; `spy` collects /wechat requests."""
    port = free_port()
    settings = demo_settings(f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}", port, **overrides)
    app = create_app(settings)
    if spy is not None:
        app.middlewares.append(wechat_spy(spy))
    server = await aiohttp_server(app, port=port)
    await add_personas(app)
    return server, app


def wechat_spy(seen: list[dict[str, str]]):
    """A middleware recording the query of every POST reaching /wechat."""

    @web.middleware
    async def spy(request: web.Request, handler):
        if request.path == "/wechat" and request.method == "POST":
            seen.append(dict(request.query))
        return await handler(request)

    return spy


@pytest.fixture
def posted(monkeypatch) -> list[SignedPost]:
    """What the simulator built for /wechat (query and body)."""
    built: list[SignedPost] = []

    def recording(settings: Settings, xml: str) -> SignedPost:
        built.append(signed_post(settings, xml))
        return built[-1]

    monkeypatch.setattr(simulator, "signed_post", recording)
    return built


@pytest.fixture
async def demo(aiohttp_server, aiohttp_client, tmp_path):
    server, app = await start_demo(aiohttp_server, tmp_path)
    return await aiohttp_client(server)


async def send(client, **payload: str) -> dict:
    response = await client.post("/simulator/api/send", json=payload)
    assert response.status == 200, await response.text()
    return await response.json()


async def wait_for_deliveries(client, openid: str, count: int, after: int = 0) -> dict:
    for _ in range(200):
        response = await client.get("/simulator/api/delivered",
                                    params={"openid": openid, "after": str(after)})
        assert response.status == 200
        data = await response.json()
        if len(data["messages"]) >= count:
            return data
        await asyncio.sleep(0.05)
    raise AssertionError(f"only {data['messages']!r} delivered to {openid}")


async def test_personas_are_the_demo_users_farmers_first(demo):
    response = await demo.get("/simulator/api/personas")
    assert response.status == 200
    personas = (await response.json())["personas"]
    assert [p["openid"] for p in personas] == ["demo-farmer-01", "demo-helper-01",
                                               "demo-cadre-01"]
    assert personas[0] == {"openid": "demo-farmer-01", "display_name": "王发红", "role": "农户",
                           "role_key": "farmer", "area": "红龙村7组"}
    assert [(p["role"], p["area"]) for p in personas[1:]] == [("帮扶责任人", "红龙村"),
                                                             ("村干部", "红龙村")]


async def test_page_and_script_are_served(demo):
    page = await (await demo.get("/simulator")).text()
    for marker in ('id="persona"', 'id="input"', 'id="send"', 'id="messages"', "menu-REPORT",
                   "申报困难", "我的申报", "政策咨询", "关注", "/simulator/static/simulator.js"):
        assert marker in page
    assert "http://" not in page and "https://" not in page  # no CDN: works offline
    script = await demo.get("/simulator/static/simulator.js")
    assert script.status == 200 and "javascript" in script.content_type
    assert "/simulator/api/delivered" in await script.text()


async def test_text_goes_through_signed_wechat_path(aiohttp_server, aiohttp_client, tmp_path,
                                                    posted):
    seen: list = []
    server, _ = await start_demo(aiohttp_server, tmp_path, spy=seen)
    client = await aiohttp_client(server)
    reply = (await send(client, openid="demo-farmer-01", kind="text", content="申报"))["reply"]
    assert ASK_NAME in reply and "申报家里遇到的困难" in reply
    assert seen == [posted[-1].query]
    assert {"signature", "timestamp", "nonce"} <= set(seen[-1]) and "encrypt_type" not in seen[-1]
    assert "申报" in posted[-1].body and "<MsgId>" in posted[-1].body


async def test_safe_mode_encrypts_both_ways(aiohttp_server, aiohttp_client, tmp_path, posted):
    seen: list = []
    server, _ = await start_demo(aiohttp_server, tmp_path, spy=seen, wechat_aes_key=AES_KEY)
    client = await aiohttp_client(server)
    reply = (await send(client, openid="demo-farmer-01", kind="click", key="REPORT"))["reply"]
    assert ASK_NAME in reply
    reply = (await send(client, openid="demo-farmer-01", kind="text", content="王发红"))["reply"]
    assert "身份证号" in reply
    assert seen == [post.query for post in posted]
    assert seen[-1]["encrypt_type"] == "aes" and seen[-1]["msg_signature"]
    assert "<Encrypt>" in posted[-1].body and "王发红" not in posted[-1].body


async def test_voice_photo_menu_and_subscribe(demo):
    farmer = "demo-farmer-01"
    assert "政策" in (await send(demo, openid=farmer, kind="click", key="POLICY"))["reply"]
    reply = (await send(demo, openid=farmer, kind="voice", content="我要申报"))["reply"]
    assert ASK_NAME in reply
    reply = (await send(demo, openid=farmer, kind="image"))["reply"]
    assert "照片收到了" in reply and ASK_NAME in reply
    assert "没能听清" in (await send(demo, openid=farmer, kind="voice", content=""))["reply"]
    reply = (await send(demo, openid="demo-helper-01", kind="subscribe"))["reply"]
    assert "张帮扶" in reply
    reply = (await send(demo, openid="demo-farmer-01", kind="click", key="MY_CASES"))["reply"]
    assert "还没有提交过申报" in reply


@pytest.mark.parametrize("payload, words", [
    ("not json", "JSON"),
    ([1, 2], "JSON"),
    ({"kind": "text", "content": "你好"}, "openid"),
    ({"openid": "demo farmer", "kind": "text", "content": "你好"}, "格式"),
    ({"openid": "<x>", "kind": "text", "content": "你好"}, "格式"),
    ({"openid": "demo-farmer-01", "kind": "video"}, "kind"),
    ({"openid": "demo-farmer-01"}, "kind"),
    ({"openid": "demo-farmer-01", "kind": "text"}, "文字"),
    ({"openid": "demo-farmer-01", "kind": "text", "content": 5}, "文字"),
    ({"openid": "demo-farmer-01", "kind": "click"}, "key"),
    ({"openid": "demo-farmer-01", "kind": "click", "key": "A B"}, "key"),
    ({"openid": "demo-farmer-01", "kind": "text", "content": "长" * 2001}, "太长"),
])
async def test_bad_send_is_400_with_chinese_message(demo, payload, words):
    if isinstance(payload, str):
        response = await demo.post("/simulator/api/send", data=payload,
                                   headers={"Content-Type": "application/json"})
    else:
        response = await demo.post("/simulator/api/send", json=payload)
    assert response.status == 400
    message = (await response.json())["error"]
    assert words in message and any("\u4e00" <= char <= "\u9fff" for char in message)


@pytest.mark.parametrize("params", [{}, {"openid": "x y"}, {"openid": "demo-farmer-01",
                                                            "after": "-1"},
                                    {"openid": "demo-farmer-01", "after": "²"}])
async def test_bad_delivered_query_is_400(demo, params):
    response = await demo.get("/simulator/api/delivered", params=params)
    assert response.status == 400
    assert "error" in await response.json()


async def test_long_reply_pieces_arrive_as_outbox_deliveries(aiohttp_server, aiohttp_client,
                                                             tmp_path):
    server, _ = await start_demo(aiohttp_server, tmp_path, reply_max_bytes=120)
    client = await aiohttp_client(server)
    farmer = "demo-farmer-01"
    first = (await send(client, openid=farmer, kind="click", key="REPORT"))["reply"]
    assert first and len(first.encode()) <= 120 and ASK_NAME not in first
    data = await wait_for_deliveries(client, farmer, 1)
    await asyncio.sleep(0.3)  # every piece, not just the first
    data = await wait_for_deliveries(client, farmer, len(data["messages"]))
    assert {m["label"] for m in data["messages"]} == {"客服消息"}
    assert ASK_NAME in data["messages"][-1]["text"]
    later = await client.get("/simulator/api/delivered",
                             params={"openid": farmer, "after": str(data["next"])})
    assert (await later.json())["messages"] == []


async def test_template_deliveries_are_labelled(demo):
    from bot.app_keys import STANDIN

    standin = demo.server.app[STANDIN]
    standin.register_template("tpl-visit", "上门核实提醒", ["keyword1", "keyword2"])
    standin.record_subscribe("demo-helper-01")
    token = standin.handle("token", "GET", {"grant_type": "client_credential",
                                            "appid": standin.appid, "secret": standin.secret},
                           b"")["access_token"]
    body = ('{"touser": "demo-helper-01", "template_id": "tpl-visit", "data": '
            '{"keyword1": {"value": "HL-0001"}, "keyword2": {"value": "三天内"}}}')
    assert standin.handle("message/template/send", "POST", {"access_token": token},
                          body.encode())["errcode"] == 0
    data = await wait_for_deliveries(demo, "demo-helper-01", 1)
    assert data["messages"][0]["label"] == "模板消息"
    assert data["messages"][0]["text"].splitlines()[0] == "上门核实提醒"
    assert "HL-0001" in data["messages"][0]["text"]


@pytest.mark.parametrize("kind", ["text", "voice", "image", "click", "subscribe"])
def test_built_xml_parses_like_the_platforms(kind):
    action = UserAction("demo-farmer-01", kind, content="申报]]><x>", key="REPORT")
    incoming = incoming_from_xml(parse_xml_document(message_xml(action).encode()))
    assert incoming.openid == "demo-farmer-01"
    expected = {"text": ("text", ""), "voice": ("voice", ""), "image": ("image", ""),
                "click": ("event", "click"), "subscribe": ("event", "subscribe")}[kind]
    assert (incoming.msg_type, incoming.event) == expected
    if kind in {"text", "voice", "image"}:
        assert incoming.msg_id
    if kind == "voice":
        assert incoming.recognition == "申报]]><x>"
    if kind == "text":
        assert incoming.text == "申报]]><x>"
    if kind == "image":
        assert incoming.pic_url and incoming.media_id
    if kind == "click":
        assert incoming.event_key == "REPORT"
