"""Schema migrations (Alembic) run from code: `fangpin db upgrade` and app start-up use this."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Bring the database to `revision`. Blocking: call it off the event loop."""
    command.upgrade(alembic_config(database_url), revision)


async def upgrade_database_async(database_url: str) -> None:
    await asyncio.to_thread(upgrade_database, database_url)
