"""The database backends storage tests run on: a SQLite file, and PostgreSQL when
FANGPIN_TEST_POSTGRES_URL is set (CI sets it and FANGPIN_REQUIRE_POSTGRES=1)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from storage.engine import create_engine
from storage.migrate import upgrade_database_async

BACKENDS = ["sqlite", "postgres"]


def postgres_url() -> str | None:
    return os.environ.get("FANGPIN_TEST_POSTGRES_URL") or None


async def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def migrated_database(backend: str, sqlite_url: str) -> str:
    """A freshly migrated database on `backend`; PostgreSQL's schema is emptied first."""
    url = sqlite_url
    if backend == "postgres":
        found = postgres_url()
        if found is None:
            if os.environ.get("FANGPIN_REQUIRE_POSTGRES") == "1":
                pytest.fail("FANGPIN_REQUIRE_POSTGRES=1 but FANGPIN_TEST_POSTGRES_URL is not set")
            pytest.skip("PostgreSQL tests: set FANGPIN_TEST_POSTGRES_URL="
                        "postgresql+asyncpg://postgres@127.0.0.1:5432/test to run them")
        url = found
        await _reset_postgres(url)
    await upgrade_database_async(url)
    return url
