"""The WeChat API stand-in, over HTTP and through a real wechatpy WeChatClient."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient
from wechatpy import WeChatClient
from wechatpy.exceptions import APILimitedException, WeChatClientException

from bot.wechat_standin import WeChatStandin, create_standin_app
from bot.wechat_standin_rules import keyword_type, legacy_display

APPID = "wxstandin0000test"
SECRET = "standin-secret-0123456789abcdef"
ALICE = "oAlice000000000000000000000A"
BOB = "oBob00000000000000000000000B"
LEGACY_TPL = "tpl-legacy"
ALERT_TPL = "tpl-alert"
START = 1_717_200_000.0  # 2024-06-01 08:00 Beijing

Serve = Callable[[WeChatStandin], Awaitable[TestClient]]


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class StandinClient(WeChatClient):
    """wechatpy 1.8 hard-codes https://api.weixin.qq.com/cgi-bin/token in
    fetch_access_token; the service's client must fetch from API_BASE_URL too."""

    def fetch_access_token(self) -> dict[str, Any]:
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid,
                    "secret": self.secret},
        )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def standin(clock: FakeClock) -> WeChatStandin:
    standin = WeChatStandin(APPID, SECRET, clock=clock)
    standin.register_template(LEGACY_TPL, "监测提醒", ["first", "keyword1", "keyword2", "remark"])
    standin.register_template(ALERT_TPL, "风险预警", ["thing1", "time2", "character_string3"])
    return standin


@pytest.fixture
def serve(aiohttp_client: AiohttpClient) -> Serve:
    async def _serve(standin: WeChatStandin) -> TestClient:
        root = web.Application()
        root.add_subapp("/wechat-api/", create_standin_app(standin))
        return await aiohttp_client(root)

    return _serve


@pytest.fixture
async def api(serve: Serve, standin: WeChatStandin) -> TestClient:
    return await serve(standin)


def make_client(api: TestClient, secret: str = SECRET, **kwargs: Any) -> StandinClient:
    client = StandinClient(APPID, secret, **kwargs)
    client.API_BASE_URL = str(api.make_url("/wechat-api/cgi-bin/"))
    client._http.trust_env = False  # never through a proxy
    return client


@pytest.fixture
def wechat(api: TestClient) -> Iterator[StandinClient]:
    client = make_client(api)
    yield client
    client._http.close()


async def get_token(api: TestClient, **overrides: str) -> dict[str, Any]:
    params = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET, **overrides}
    resp = await api.get("/wechat-api/cgi-bin/token", params=params)
    assert resp.status == 200
    return await resp.json()


async def call(api: TestClient, endpoint: str, token: str | None, body: Any = None,
               **params: str) -> dict[str, Any]:
    if token is not None:
        params["access_token"] = token
    url = f"/wechat-api/cgi-bin/{endpoint}"
    if body is None:
        resp = await api.get(url, params=params)
    else:
        data = body if isinstance(body, bytes) else None
        resp = await api.post(url, params=params, data=data,
                              json=None if data is not None else body)
    assert resp.status == 200
    return await resp.json()


def text(openid: str, content: str = "您好") -> dict[str, Any]:
    return {"touser": openid, "msgtype": "text", "text": {"content": content}}


async def send_text(wechat: StandinClient, openid: str, content: str = "您好") -> dict[str, Any]:
    return await asyncio.to_thread(wechat.message.send_text, openid, content)


async def send_template(wechat: StandinClient, openid: str, template_id: str,
                        data: dict[str, str]) -> dict[str, Any]:
    payload = {key: {"value": value} for key, value in data.items()}
    return await asyncio.to_thread(wechat.message.send_template, openid, template_id, payload)


async def expect_errcode(errcode: int, pending: Awaitable[object]) -> WeChatClientException:
    with pytest.raises(WeChatClientException) as caught:
        await pending
    assert caught.value.errcode == errcode
    return caught.value


# Tokens ----------------------------------------------------------------------------------


async def test_token_fetch_answers_like_wechat(api: TestClient) -> None:
    data = await get_token(api)
    assert set(data) == {"access_token", "expires_in"}  # no errcode on success
    assert data["expires_in"] == 7200
    assert len(data["access_token"]) >= 100


@pytest.mark.parametrize(
    ("overrides", "errcode"),
    [({"secret": "wrong"}, 40125), ({"appid": "wxother"}, 40013),
     ({"grant_type": "password"}, 40002), ({"secret": ""}, 41004), ({"appid": ""}, 41002)],
)
async def test_token_credentials_are_checked(
    api: TestClient, overrides: dict[str, str], errcode: int
) -> None:
    data = await get_token(api, **overrides)
    assert data["errcode"] == errcode
    assert "rid: " in data["errmsg"]


async def test_wechatpy_raises_on_wrong_secret(api: TestClient) -> None:
    client = make_client(api, secret="wrong")
    try:
        error = await expect_errcode(40125, asyncio.to_thread(client.fetch_access_token))
        assert "invalid appsecret" in error.errmsg
    finally:
        client._http.close()


async def test_token_daily_limit_then_next_beijing_day(
    serve: Serve, clock: FakeClock
) -> None:
    api = await serve(WeChatStandin(APPID, SECRET, clock=clock, token_daily_limit=2))
    assert "access_token" in await get_token(api)
    assert "access_token" in await get_token(api)
    assert (await get_token(api))["errcode"] == 45009
    clock.advance(16 * 3600)  # 00:00 Beijing the next day
    assert "access_token" in await get_token(api)


async def test_api_calls_need_a_valid_token(api: TestClient, standin: WeChatStandin) -> None:
    standin.record_user_message(ALICE)
    assert (await call(api, "user/info", None, openid=ALICE))["errcode"] == 41001
    assert (await call(api, "user/info", "forged", openid=ALICE))["errcode"] == 40001
    token = (await get_token(api))["access_token"]
    assert (await call(api, "user/info", token, openid=ALICE))["subscribe"] == 1


async def test_token_expires_after_7200s(
    api: TestClient, standin: WeChatStandin, clock: FakeClock
) -> None:
    standin.record_user_message(ALICE)
    token = (await get_token(api))["access_token"]
    clock.advance(7199)
    assert (await call(api, "user/info", token, openid=ALICE))["subscribe"] == 1
    clock.advance(1)
    assert (await call(api, "user/info", token, openid=ALICE))["errcode"] == 42001


async def test_old_token_lives_five_minutes_after_a_new_one(
    api: TestClient, standin: WeChatStandin, clock: FakeClock
) -> None:
    standin.record_user_message(ALICE)
    old = (await get_token(api))["access_token"]
    clock.advance(600)
    new = (await get_token(api))["access_token"]
    assert new != old
    clock.advance(299)
    assert (await call(api, "user/info", old, openid=ALICE))["subscribe"] == 1
    clock.advance(1)
    assert (await call(api, "user/info", old, openid=ALICE))["errcode"] == 40001
    assert (await call(api, "user/info", new, openid=ALICE))["subscribe"] == 1


async def test_wechatpy_refreshes_once_on_expiry_and_succeeds(
    wechat: StandinClient, standin: WeChatStandin, clock: FakeClock
) -> None:
    standin.record_user_message(ALICE)
    await send_text(wechat, ALICE, "第一条")
    clock.advance(7300)  # wechatpy still believes its token is fresh (it uses real time)
    standin.record_user_message(ALICE)
    assert (await send_text(wechat, ALICE, "第二条"))["errcode"] == 0
    outcomes = [(c.endpoint, c.errcode) for c in standin.calls]
    assert outcomes == [
        ("token", 0), ("message/custom/send", 0),
        ("message/custom/send", 42001), ("token", 0), ("message/custom/send", 0),
    ]
    assert [d["content"] for d in standin.delivered(ALICE)] == ["第一条", "第二条"]


async def test_wechatpy_retries_invalid_token_without_a_cap(
    api: TestClient, wechat: StandinClient, standin: WeChatStandin
) -> None:
    """wechatpy re-fetches and retries on every 40001/40014/42001, with no limit: a service
    that must refresh only once has to run with auto_retry=False and retry itself."""
    standin.record_user_message(ALICE)
    standin.inject_errors("message/custom/send", [40001, 40001, 40001])
    await send_text(wechat, ALICE)
    assert sum(c.endpoint == "token" for c in standin.calls) == 4
    strict = make_client(api, auto_retry=False)
    try:
        standin.inject_errors("/cgi-bin/message/custom/send", [40001])
        await expect_errcode(40001, send_text(strict, ALICE))
    finally:
        strict._http.close()


async def test_stable_token_same_until_forced(serve: Serve, clock: FakeClock) -> None:
    api = await serve(WeChatStandin(APPID, SECRET, clock=clock, stable_force_daily_limit=2))
    body = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    first = await call(api, "stable_token", None, body)
    clock.advance(100)
    again = await call(api, "stable_token", None, body)
    assert again == {"access_token": first["access_token"], "expires_in": 7100}
    forced = await call(api, "stable_token", None, {**body, "force_refresh": True})
    assert forced["access_token"] != first["access_token"]
    clock.advance(10)  # a second force within 30 s does not refresh
    assert (await call(api, "stable_token", None, {**body, "force_refresh": True})) == {
        "access_token": forced["access_token"], "expires_in": 7190}
    clock.advance(30)
    assert "access_token" in await call(api, "stable_token", None, {**body, "force_refresh": True})
    clock.advance(30)
    assert (await call(api, "stable_token", None, {**body, "force_refresh": True}))[
        "errcode"] == 45009


async def test_stable_token_renews_in_its_last_five_minutes(
    api: TestClient, clock: FakeClock
) -> None:
    body = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    first = (await call(api, "stable_token", None, body))["access_token"]
    clock.advance(7200 - 300)
    second = await call(api, "stable_token", None, body)
    assert second["access_token"] != first and second["expires_in"] == 7200
    clock.advance(299)  # the old one still works until its own expiry
    assert (await call(api, "menu/get", first))["errcode"] == 46003


async def test_stable_token_is_isolated_from_token(api: TestClient, clock: FakeClock) -> None:
    body = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    stable = (await call(api, "stable_token", None, body))["access_token"]
    await get_token(api)
    clock.advance(600)
    assert (await call(api, "menu/get", stable))["errcode"] == 46003  # valid, just no menu
    assert (await call(api, "stable_token", None, {**body, "secret": "x"}))["errcode"] == 40125


# Customer-service messages -----------------------------------------------------------------


async def test_custom_send_after_user_message(
    wechat: StandinClient, standin: WeChatStandin, clock: FakeClock
) -> None:
    standin.record_user_message(ALICE)
    assert await send_text(wechat, ALICE, "收到，谢谢 🙏") == {"errcode": 0, "errmsg": "ok"}
    assert standin.delivered(ALICE) == [
        {"kind": "custom", "msgtype": "text", "content": "收到，谢谢 🙏", "at": clock.now}]


async def test_sixth_message_within_48h_is_refused(
    wechat: StandinClient, standin: WeChatStandin, clock: FakeClock
) -> None:
    standin.record_user_message(ALICE)
    for _ in range(5):
        clock.advance(3600)
        await send_text(wechat, ALICE)
    error = await expect_errcode(45047, send_text(wechat, ALICE))
    assert "out of response count limit" in error.errmsg
    assert len(standin.delivered(ALICE)) == 5


async def test_after_48h_the_window_is_closed(
    wechat: StandinClient, standin: WeChatStandin, clock: FakeClock
) -> None:
    standin.record_user_message(ALICE)
    clock.advance(48 * 3600 - 1)
    await send_text(wechat, ALICE)
    clock.advance(1)
    error = await expect_errcode(45015, send_text(wechat, ALICE))
    assert "response out of time limit" in error.errmsg


async def test_menu_click_allows_three_within_a_minute(
    wechat: StandinClient, standin: WeChatStandin, clock: FakeClock
) -> None:
    standin.record_user_event(ALICE)
    for _ in range(3):
        await send_text(wechat, ALICE)
    await expect_errcode(45047, send_text(wechat, ALICE))
    clock.advance(30)
    standin.record_user_event(ALICE)  # a new click opens a new window
    for _ in range(3):
        await send_text(wechat, ALICE)
    clock.advance(30)
    await expect_errcode(45047, send_text(wechat, ALICE))
    clock.advance(30)
    await expect_errcode(45015, send_text(wechat, ALICE))


async def test_subscribe_opens_the_short_window(
    wechat: StandinClient, standin: WeChatStandin, clock: FakeClock
) -> None:
    standin.record_subscribe(ALICE)
    await send_text(wechat, ALICE)
    clock.advance(60)
    await expect_errcode(45015, send_text(wechat, ALICE))


async def test_windows_do_not_add_up(wechat: StandinClient, standin: WeChatStandin) -> None:
    standin.record_user_message(ALICE)
    standin.record_user_event(ALICE)
    for _ in range(5):
        await send_text(wechat, ALICE)
    await expect_errcode(45047, send_text(wechat, ALICE))


async def test_unfollowed_user_gets_nothing(
    wechat: StandinClient, standin: WeChatStandin
) -> None:
    standin.record_subscribe(ALICE)
    standin.record_user_message(ALICE)
    standin.record_unsubscribe(ALICE)
    await expect_errcode(45015, send_text(wechat, ALICE))
    error = await expect_errcode(43004, send_template(wechat, ALICE, LEGACY_TPL, {}))
    assert "require subscribe" in error.errmsg
    assert standin.delivered(ALICE) == []
    assert (await asyncio.to_thread(wechat.user.get, ALICE)) == {"subscribe": 0, "openid": ALICE}


async def test_unknown_openid_is_invalid(wechat: StandinClient) -> None:
    await expect_errcode(40003, send_text(wechat, BOB))
    await expect_errcode(40003, send_template(wechat, BOB, LEGACY_TPL, {}))


async def test_malformed_requests(api: TestClient, standin: WeChatStandin) -> None:
    standin.record_user_message(ALICE)
    token = (await get_token(api))["access_token"]
    send = "message/custom/send"
    assert (await call(api, send, token, b"{not json"))["errcode"] == 47001
    assert (await call(api, send, token, b""))["errcode"] == 44002
    assert (await call(api, send, token))["errcode"] == 43002  # GET
    assert (await call(api, send, token, {**text(ALICE), "msgtype": "sms"}))["errcode"] == 40008
    assert (await call(api, send, token, text(ALICE, "")))["errcode"] == 44004
    assert (await call(api, "menu/get", token, {}))["errcode"] == 43001  # POST
    resp = await api.get("/wechat-api/cgi-bin/no/such/api")
    assert resp.status == 404
    assert [c.errcode for c in standin.calls][-6:] == [47001, 44002, 43002, 40008, 44004, 43001]


# Fault injection ----------------------------------------------------------------------------


async def test_injected_system_busy_then_ok(
    wechat: StandinClient, standin: WeChatStandin
) -> None:
    standin.record_user_message(ALICE)
    standin.inject_errors("message/custom/send", [-1])
    error = await expect_errcode(-1, send_text(wechat, ALICE))
    assert error.errmsg.startswith("system error")
    await send_text(wechat, ALICE)
    assert [c.errcode for c in standin.calls if c.endpoint == "message/custom/send"] == [-1, 0]
    assert len(standin.delivered(ALICE)) == 1


def test_injecting_into_an_unknown_endpoint_is_a_test_bug(standin: WeChatStandin) -> None:
    with pytest.raises(ValueError, match="message/custom/sned"):
        standin.inject_errors("message/custom/sned", [-1])


async def test_injected_quota_error_is_api_limited(
    wechat: StandinClient, standin: WeChatStandin
) -> None:
    standin.record_user_message(ALICE)
    standin.inject_errors("message/template/send", [45009])
    with pytest.raises(APILimitedException) as caught:
        await send_template(wechat, ALICE, LEGACY_TPL, {"keyword1": "张三"})
    assert caught.value.errcode == 45009


# Template messages ---------------------------------------------------------------------------


async def test_template_send_returns_msgid_and_shows_keywords(
    wechat: StandinClient, standin: WeChatStandin
) -> None:
    standin.record_subscribe(ALICE)
    data = {"first": "您好", "keyword1": "张三", "keyword2": "请于6月5日前完成走访\n谢谢",
            "remark": "点击查看详情"}
    result = await send_template(wechat, ALICE, LEGACY_TPL, data)
    assert result["errcode"] == 0 and isinstance(result["msgid"], int)
    [sent] = standin.delivered(ALICE)
    assert sent["kind"] == "template" and sent["msgid"] == result["msgid"]
    assert sent["data"] == {"keyword1": "张三", "keyword2": "请于6月5日前完成走访谢谢"}


async def test_legacy_template_values_are_shortened_not_refused(
    wechat: StandinClient, standin: WeChatStandin
) -> None:
    standin.record_subscribe(ALICE)
    long_value = "家庭收入明显下降，存在返贫风险，请尽快核实情况并上报"
    await send_template(wechat, ALICE, LEGACY_TPL, {"keyword1": long_value})
    assert standin.delivered(ALICE)[0]["data"]["keyword1"] == long_value[:20] + "…"


@pytest.mark.parametrize(
    ("data", "errmsg"),
    [
        ({"thing1": "家庭收入明显下降，存在返贫风险，请尽快核实情况"}, "data.thing1.value invalid"),
        ({"thing1": "收入下降\n请核实"}, "data.thing1.value invalid"),
        ({"thing1": ""}, "data.thing1.value is empty"),
        ({"thing1": "收入下降", "time2": "1min"}, "data.time2.value invalid"),
        ({"thing1": "收入下降", "time2": "2024-06-01 08:00", "character_string3": "编号一"},
         "data.character_string3.value invalid"),
    ],
)
async def test_category_template_values_are_checked(
    wechat: StandinClient, standin: WeChatStandin, data: dict[str, str], errmsg: str
) -> None:
    standin.record_subscribe(ALICE)
    error = await expect_errcode(47003, send_template(wechat, ALICE, ALERT_TPL, data))
    assert errmsg in error.errmsg
    assert standin.delivered(ALICE) == []


async def test_category_template_accepts_valid_values(
    wechat: StandinClient, standin: WeChatStandin
) -> None:
    standin.record_subscribe(ALICE)
    data = {"thing1": "家庭收入明显下降，请核实", "time2": "2024年6月1日 08:00",
            "character_string3": "FP-2024-0001"}
    assert (await send_template(wechat, ALICE, ALERT_TPL, data))["errcode"] == 0
    assert standin.delivered(ALICE)[0]["data"] == data


async def test_unknown_template_id(wechat: StandinClient, standin: WeChatStandin) -> None:
    standin.record_subscribe(ALICE)
    await expect_errcode(40037, send_template(wechat, ALICE, "tpl-missing", {}))


@pytest.mark.parametrize(
    ("name", "kind"),
    [("thing1", "thing"), ("character_string12", "character_string"), ("time2", "time"),
     ("phrase5", "phrase"), ("keyword1", None), ("first", None)],
)
def test_keyword_types(name: str, kind: str | None) -> None:
    assert keyword_type(name) == kind


def test_legacy_display_drops_emoji_and_line_breaks() -> None:
    assert legacy_display("已完成🎉\r\n走访") == "已完成走访"


# Menu and users ---------------------------------------------------------------------------

MENU = {"button": [
    {"type": "click", "name": "我要申报", "key": "REPORT"},
    {"name": "服务", "sub_button": [{"type": "view", "name": "政策查询",
                                     "url": "https://example.org/policy"}]},
]}


async def test_menu_create_and_get(wechat: StandinClient, api: TestClient) -> None:
    assert await asyncio.to_thread(wechat.menu.get) is None  # 46003 "menu no exist"
    assert (await asyncio.to_thread(wechat.menu.create, MENU))["errcode"] == 0
    menu = await asyncio.to_thread(wechat.menu.get)
    assert menu["menu"]["button"][0] == {**MENU["button"][0], "sub_button": []}
    token = await asyncio.to_thread(lambda: wechat.access_token)
    raw = await api.get("/wechat-api/cgi-bin/menu/get", params={"access_token": token})
    assert "我要申报".encode() in await raw.read()  # UTF-8, not \\u escapes
    assert raw.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("menu", "errcode"),
    [({"button": []}, 40016),
     ({"button": [{"type": "click", "name": "按钮", "key": "K"}] * 4}, 40016),
     ({"button": [{"type": "click", "name": "一个太长的菜单名字", "key": "K"}]}, 40018),
     ({"button": [{"type": "tap", "name": "按钮", "key": "K"}]}, 40017),
     ({"button": [{"type": "click", "name": "按钮"}]}, 40019),
     ({"button": [{"name": "更多", "sub_button": [{"type": "view", "name": "x",
                                                  "url": "https://a.example"}] * 6}]}, 40023)],
)
async def test_menu_create_rejects_bad_menus(
    wechat: StandinClient, menu: dict[str, Any], errcode: int
) -> None:
    await expect_errcode(errcode, asyncio.to_thread(wechat.menu.create, menu))


async def test_user_info(wechat: StandinClient, standin: WeChatStandin) -> None:
    standin.record_subscribe(ALICE, at=START - 86400)
    info = await asyncio.to_thread(wechat.user.get, ALICE)
    assert info["subscribe"] == 1 and info["subscribe_time"] == int(START - 86400)
    assert "nickname" not in info  # WeChat stopped returning it in 2021
    assert standin.is_following(ALICE) and not standin.is_following(BOB)
