"""SQLite for the asyncio engine, called in place instead of on a worker thread.

SQLAlchemy's aiosqlite dialect sends every call (cursor, execute, fetch, close, commit) to
aiosqlite's worker thread and awaits the answer. Each hand-off wakes the other thread and then
waits for the GIL, and each await is a pair of greenlet switches: under load the service spent
most of a message's time there (profiled), while SQLite answers these calls in microseconds
(WAL, synchronous=NORMAL, one connection per process). This dialect keeps SQLAlchemy's
aiosqlite dialect (its SQL, types and pool) and swaps the driver for `InlineConnection`, which
calls sqlite3 on the event loop thread and hands back finished results, so nothing switches.

The one call that may wait is a write meeting another process's lock (a CLI import while the
service runs). SQLite's own busy handler would sleep on the event loop, so it is off
(timeout 0); a statement refused with SQLITE_BUSY is retried after an asyncio sleep (a real
await, through the greenlet) until the busy deadline. A statement refused with SQLITE_BUSY had
no effect, so running it again is what SQLite's busy handler does too; a stale snapshot
(BUSY_SNAPSHOT) is not retried, as SQLite does not retry it either.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Generator
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.util import await_only

DRIVER_NAME = "sqlite+fangpin_inline"
SQLITE_BUSY = 5
SQLITE_BUSY_SNAPSHOT = 517
FIRST_PAUSE_S = 0.001
LONGEST_PAUSE_S = 0.05
DEFAULT_BUSY_TIMEOUT_S = 30.0


class Done:
    """A result that is already there; awaitable, so aiosqlite's callers may await it too."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __await__(self) -> Generator[Any, None, Any]:
        return self.value
        yield  # pragma: no cover - makes this a generator


def await_inline(awaitable: Any) -> Any:
    """SQLAlchemy's await_only, without the greenlet switch when the result is already there."""
    if type(awaitable) is Done:
        return awaitable.value
    return await_only(awaitable)


def _retryable(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return "database is locked" in str(error)
    return code & 0xFF == SQLITE_BUSY and code != SQLITE_BUSY_SNAPSHOT


async def _retry_while_busy(busy_timeout_s: float, function: Callable[..., Any], *args: Any) -> Any:
    deadline, pause = time.monotonic() + busy_timeout_s, FIRST_PAUSE_S
    while True:
        await asyncio.sleep(pause)
        try:
            return function(*args)
        except sqlite3.OperationalError as error:
            if not _retryable(error) or time.monotonic() + pause > deadline:
                raise
        pause = min(pause * 2, LONGEST_PAUSE_S)


def _call(busy_timeout_s: float, function: Callable[..., Any], *args: Any) -> Any:
    """Done(result) at once, or a coroutine that retries while another process holds the lock."""
    try:
        return Done(function(*args))
    except sqlite3.OperationalError as error:
        if not _retryable(error):
            raise
    return _retry_while_busy(busy_timeout_s, function, *args)


class InlineCursor:
    """aiosqlite's Cursor methods that SQLAlchemy's dialect awaits, answered in place."""

    __slots__ = ("_cursor", "_busy_timeout_s")

    def __init__(self, cursor: sqlite3.Cursor, busy_timeout_s: float) -> None:
        self._cursor = cursor
        self._busy_timeout_s = busy_timeout_s

    # Statements are coroutines, the one real await of each: SQLAlchemy's AsyncConnection
    # checks that a statement awaited something (AwaitRequired) and it costs one switch.
    async def execute(self, sql: str, parameters: Any = ()) -> Any:
        return await _call(self._busy_timeout_s, self._cursor.execute, sql, parameters)

    async def executemany(self, sql: str, seq_of_parameters: Any) -> Any:
        # a generator of parameters is consumed by the first try: keep them for a retry
        rows = list(seq_of_parameters)
        return await _call(self._busy_timeout_s, self._cursor.executemany, sql, rows)

    def fetchone(self) -> Done:
        return Done(self._cursor.fetchone())

    def fetchmany(self, size: int | None = None) -> Done:
        return Done(self._cursor.fetchmany(size if size is not None else self._cursor.arraysize))

    def fetchall(self) -> Done:
        return Done(self._cursor.fetchall())

    def close(self) -> Done:
        self._cursor.close()
        return Done(None)

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


class _RunNow:
    """Stands in for aiosqlite's job queue, which the dialect uses to set isolation_level."""

    def put_nowait(self, job: tuple[asyncio.Future | None, Callable[[], Any]]) -> None:
        future, function = job
        try:
            result = function()
        except Exception as error:  # handed to whoever awaits the future, as aiosqlite does
            if future is not None:
                future.set_exception(error)
            return
        if future is not None:
            future.set_result(result)


class InlineConnection:
    """The part of aiosqlite's Connection that SQLAlchemy's aiosqlite dialect uses."""

    def __init__(self, connection: sqlite3.Connection, busy_timeout_s: float) -> None:
        self._conn = connection
        self._busy_timeout_s = busy_timeout_s
        self._tx = _RunNow()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> Done:
        return Done(InlineCursor(self._conn.cursor(), self._busy_timeout_s))

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        cursor = InlineCursor(self._conn.cursor(), self._busy_timeout_s)
        await cursor.execute(sql, parameters)
        return cursor

    async def execute_fetchall(self, sql: str, parameters: Any = ()) -> list[Any]:
        cursor = await self.execute(sql, parameters)
        try:
            return await cursor.fetchall()
        finally:
            await cursor.close()

    def create_function(self, *args: Any, **kwargs: Any) -> Done:
        self._conn.create_function(*args, **kwargs)
        return Done(None)

    def commit(self) -> Any:
        return _call(self._busy_timeout_s, self._conn.commit)

    def rollback(self) -> Done:
        self._conn.rollback()
        return Done(None)

    def close(self) -> Done:
        self._conn.close()
        return Done(None)

    def stop(self) -> None:
        self._conn.close()


class _InlineAdaptedConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    await_ = staticmethod(await_inline)


class _InlineDBAPI(AsyncAdapt_aiosqlite_dbapi):
    busy_timeout_s = DEFAULT_BUSY_TIMEOUT_S

    def connect(self, *args: Any, **kwargs: Any) -> _InlineAdaptedConnection:
        kwargs.pop("async_fallback", None)
        busy_timeout_s = float(kwargs.pop("timeout", self.busy_timeout_s))
        kwargs.update(timeout=0, check_same_thread=False)
        connection = InlineConnection(sqlite3.connect(*args, **kwargs), busy_timeout_s)
        return _InlineAdaptedConnection(self, connection)


class InlineSQLiteDialect(SQLiteDialect_aiosqlite):
    """SQLAlchemy's aiosqlite dialect on `InlineConnection`s."""

    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> _InlineDBAPI:
        import aiosqlite

        return _InlineDBAPI(aiosqlite, sqlite3)


registry.register(DRIVER_NAME.replace("+", "."), __name__, "InlineSQLiteDialect")


def inline_url(url: str | URL) -> URL:
    """The same SQLite database, opened through this dialect."""
    return make_url(url).set(drivername=DRIVER_NAME)
