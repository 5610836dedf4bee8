"""The in-place SQLite driver: a lock held by another process is waited for without blocking
the event loop, and given up on (with SQLite's own error) after the busy timeout."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import create_async_engine

from storage.engine import create_engine, create_sessionmaker
from storage.inline_sqlite import _retryable, inline_url


def _make_table(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")


async def _ticks_while(task: asyncio.Task) -> int:
    ticks = 0
    while not task.done():
        await asyncio.sleep(0.01)
        ticks += 1
    return ticks


async def test_a_write_waits_for_another_process_lock_without_blocking_the_loop(tmp_path):
    path = tmp_path / "locked.db"
    _make_table(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO notes (body) VALUES ('held')")
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    sessionmaker = create_sessionmaker(engine)

    async def write() -> None:
        async with sessionmaker() as session:
            await session.execute(text("INSERT INTO notes (body) VALUES ('ours')"))
            await session.commit()

    try:
        task = asyncio.create_task(write())
        await asyncio.sleep(0.3)
        assert not task.done()  # still waiting for the lock
        releaser = asyncio.get_running_loop().call_later(0.2, holder.execute, "COMMIT")
        ticks = await _ticks_while(task)
        await task
        releaser.cancel()
        # the loop kept turning while the write waited: ~20 ticks of 10 ms in 0.2 s
        assert ticks >= 5
        async with sessionmaker() as session:
            bodies = (await session.execute(text("SELECT body FROM notes ORDER BY id"))).all()
        assert [b for (b,) in bodies] == ["held", "ours"]
    finally:
        holder.close()
        await engine.dispose()


async def test_a_lock_held_past_the_busy_timeout_is_sqlites_own_error(tmp_path):
    path = tmp_path / "stuck.db"
    _make_table(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    engine = create_async_engine(inline_url(f"sqlite+aiosqlite:///{path}"),
                                 connect_args={"timeout": 0.2})
    try:
        async with engine.connect() as connection:
            started = asyncio.get_running_loop().time()
            with pytest.raises(OperationalError, match="database is locked"):
                await connection.execute(text("INSERT INTO notes (body) VALUES ('late')"))
            waited = asyncio.get_running_loop().time() - started
        assert 0.1 <= waited < 2.0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        await engine.dispose()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM notes").fetchone() == (0,)


def _error(code: int | None, message: str = "database is locked") -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    if code is not None:
        error.sqlite_errorcode = code
    return error


@pytest.mark.parametrize(("error", "retried"), [
    (_error(5), True),                      # SQLITE_BUSY
    (_error(5 | (1 << 8)), True),           # SQLITE_BUSY_RECOVERY (an extended code)
    (_error(517), False),                   # SQLITE_BUSY_SNAPSHOT: retrying cannot help
    (_error(1, "no such table: x"), False),
    (_error(None), True),                   # older sqlite3 without codes: by the message
    (_error(None, "disk I/O error"), False),
])
def test_which_errors_are_waited_out(error, retried):
    assert _retryable(error) is retried


async def test_statements_outside_a_session_run_through_the_inline_driver(tmp_path):
    """AsyncConnection.execute insists that a statement awaited something: it must not fail."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'plain.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
            await connection.execute(text("INSERT INTO t VALUES (1), (2)"))
            await connection.exec_driver_sql("INSERT INTO t VALUES (3)")
        async with engine.connect() as connection:
            total = (await connection.execute(text("SELECT sum(x) FROM t"))).scalar()
            assert total == 6
            mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
            assert mode == "wal"
    finally:
        await engine.dispose()
