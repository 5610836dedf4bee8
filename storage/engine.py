"""Engine and session factory; SQLite gets WAL, foreign keys and in-place calls (inline_sqlite)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from storage.inline_sqlite import inline_url

SQLITE_BUSY_TIMEOUT_S = 30.0


class DatabaseFolderError(OSError):
    """The folder of a SQLite file cannot be made (a mistyped or read-only path)."""


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        folder = Path(database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseFolderError(exc.errno, exc.strerror, str(folder)) from exc


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str) -> AsyncEngine:
    """Statement parameters are kept out of error messages: they hold ID numbers and phones,
    and errors end up in logs."""
    if is_sqlite(url):
        _prepare_sqlite_file(url)
        # One connection: SQLite has one writer anyway, and waiting for the pool is an asyncio
        # wait, where waiting on SQLite's busy handler sleeps and polls (measured: 20x slower).
        engine = create_async_engine(
            inline_url(url), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S},
            pool_size=1, max_overflow=0, pool_timeout=60, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True,
                               hide_parameters=True)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)
