"""A page whose database is unavailable answers 503 in plain words, never 500."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import exc as db_errors

from bot.database_busy import BUSY_TEXT, database_busy


def _app(error: Exception) -> web.Application:
    async def page(request: web.Request) -> web.Response:
        raise error

    async def fine(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application(middlewares=[database_busy])
    app.router.add_get("/page", page)
    app.router.add_get("/fine", fine)
    return app


async def test_a_pool_timeout_is_503_with_retry_after(aiohttp_client):
    client = await aiohttp_client(_app(db_errors.TimeoutError("QueuePool limit reached")))
    response = await client.get("/page")
    assert response.status == 503
    assert response.headers["Retry-After"] == "30"
    assert await response.text() == BUSY_TEXT
    assert (await client.get("/fine")).status == 200


async def test_a_locked_database_is_503_and_other_errors_stay_errors(aiohttp_client):
    locked = db_errors.OperationalError("INSERT ...", {}, Exception("database is locked"))
    client = await aiohttp_client(_app(locked))
    response = await client.get("/page")
    assert response.status == 503
    assert "QueuePool" not in await response.text()
    other = await aiohttp_client(_app(ValueError("a bug")))
    assert (await other.get("/page")).status == 500
