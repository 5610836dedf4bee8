"""Typed keys for the long-lived objects stored on the application."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import ClientSession, web
from jinja2 import Environment
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.inbound import InboundProcessor
    from bot.outbox import OutboxDispatcher
    from bot.wechat_standin import WeChatStandin

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONMAKER = web.AppKey("sessionmaker", async_sessionmaker)
TEXTS = web.AppKey("texts", Environment)
INBOUND: web.AppKey[InboundProcessor] = web.AppKey("inbound")
OUTBOX: web.AppKey[OutboxDispatcher] = web.AppKey("outbox")
STANDIN: web.AppKey[WeChatStandin] = web.AppKey("standin")
HTTP: web.AppKey[ClientSession] = web.AppKey("http", ClientSession)
