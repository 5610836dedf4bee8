"""The application factory: every long-lived object is made in a cleanup context."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import ClientSession, web

from bot.app_keys import ENGINE, HTTP, INBOUND, OUTBOX, SESSIONMAKER, SETTINGS, STANDIN, TEXTS
from bot.database_busy import database_busy
from bot.inbound import InboundProcessor
from bot.message_pipeline import MessagePipeline
from bot.outbox import OutboxDispatcher, make_wechat_client
from bot.settings import Settings
from bot.texts import create_text_environment
from bot.wechat_view import receive_message, verify_url
from storage.engine import create_engine, create_sessionmaker
from storage.migrate import upgrade_database_async

log = logging.getLogger("fangpin.app")
Clock = Callable[[], dt.datetime]


def utc_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _database(migrate: bool) -> Callable[[web.Application], AsyncIterator[None]]:
    async def database(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        if migrate:
            await upgrade_database_async(settings.database_url)
        engine = create_engine(settings.database_url)
        app[ENGINE] = engine
        app[SESSIONMAKER] = create_sessionmaker(engine)
        yield
        await engine.dispose()

    return database


def _services(clock: Clock) -> Callable[[web.Application], AsyncIterator[None]]:
    async def services(app: web.Application) -> AsyncIterator[None]:
        settings, sessionmaker = app[SETTINGS], app[SESSIONMAKER]
        app[HTTP] = ClientSession()
        pipeline = MessagePipeline(sessionmaker, settings, app[TEXTS], clock)
        app[INBOUND] = InboundProcessor(sessionmaker, pipeline, settings.reply_budget_s, clock)
        client = make_wechat_client(settings.wechat_appid, settings.wechat_secret,
                                    settings.api_base)
        app[OUTBOX] = OutboxDispatcher(sessionmaker, client, clock,
                                       settings.outbox_max_attempts, settings.outbox_poll_s)
        sender = asyncio.create_task(app[OUTBOX].run_forever(), name="outbox")
        yield
        await app[INBOUND].drain()
        app[OUTBOX].stop()
        try:
            await asyncio.wait_for(sender, timeout=30)
        except TimeoutError:  # a send hanging on the network: give up on it
            log.warning("outbox did not stop in time; cancelled")
        client._http.close()
        await app[HTTP].close()

    return services


def create_app(
    settings: Settings, clock: Clock = utc_clock, migrate: bool = True
) -> web.Application:
    app = web.Application(client_max_size=settings.max_body_bytes + 1024,
                          middlewares=[database_busy])
    app[SETTINGS] = settings
    app[TEXTS] = create_text_environment()
    app.cleanup_ctx.append(_database(migrate))
    app.cleanup_ctx.append(_services(clock))
    app.router.add_get("/wechat", verify_url)
    app.router.add_post("/wechat", receive_message)
    app.router.add_get("/healthz", health)
    if settings.demo:
        _add_demo(app)
    return app


def _add_demo(app: web.Application) -> None:
    from bot.simulator import add_simulator_routes
    from bot.wechat_standin import WeChatStandin, create_standin_app

    settings = app[SETTINGS]
    standin = WeChatStandin(appid=settings.wechat_appid, secret=settings.wechat_secret)
    app[STANDIN] = standin
    app.add_subapp("/wechat-api/", create_standin_app(standin))
    add_simulator_routes(app)


async def health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})
