"""Pages that read the database answer 503 with a plain message while it is unavailable
(another process holding SQLite's lock past the busy timeout, no pooled connection free),
instead of a 500."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import exc as db_errors

log = logging.getLogger("fangpin.web")
BUSY_TEXT = "系统繁忙，数据库暂时不可用，请稍后再试。"
RETRY_AFTER_S = "30"


@web.middleware
async def database_busy(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except (db_errors.OperationalError, db_errors.TimeoutError) as error:
        log.warning("database unavailable for %s %s (%s)", request.method, request.path,
                    type(error).__name__)
        return web.Response(status=503, text=BUSY_TEXT, headers={"Retry-After": RETRY_AFTER_S})
