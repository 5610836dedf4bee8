"""Shared fixtures: the real app on a real SQLite file, and signed WeChat requests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import create_app
from bot.settings import Settings
from storage.engine import create_engine, create_sessionmaker
from tests.backends import BACKENDS, migrated_database
from tests.shared_data import SHARED_DATA

WECHAT_SAMPLES = SHARED_DATA / "wechat"
TOKEN = "fangpin-test-token"
APPID = "wxfangpintest00001"


class FakeClock:
    """A clock tests can move; the service reads time only through it."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'fangpin.db'}"


@pytest.fixture
def cli_db(monkeypatch: pytest.MonkeyPatch, database_url: str) -> str:
    """The commands' database, made as `make run` or `fangpin db upgrade` makes it (they refuse
    a SQLite file that is not there: a mistyped address)."""
    from storage.migrate import upgrade_database

    monkeypatch.setenv("FANGPIN_DATABASE_URL", database_url)
    upgrade_database(database_url)
    return database_url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, wechat_token=TOKEN, wechat_appid=APPID,
        wechat_secret="test-secret", wechat_api_base="http://127.0.0.1:9/cgi-bin/",
        reply_budget_s=3.0, outbox_poll_s=0.05,
    )


@pytest.fixture
def make_client(aiohttp_client, clock: FakeClock) -> Callable:
    async def make(settings: Settings, **kwargs):
        app = create_app(settings, clock=kwargs.pop("clock", clock), **kwargs)
        return await aiohttp_client(app)

    return make


@pytest.fixture(params=BACKENDS)
async def storage_url(request, database_url: str) -> str:
    """The same storage test on SQLite and (when configured) PostgreSQL."""
    return await migrated_database(request.param, database_url)


@pytest.fixture
async def sessionmaker(storage_url: str):
    engine = create_engine(storage_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


def pytest_terminal_summary(terminalreporter) -> None:
    """Say it loudly when the shared sample data is missing: whole modules were skipped."""
    if not (SHARED_DATA / "wechat").is_dir():
        terminalreporter.write_line(
            f"NOTE: the shared sample data was not found at {SHARED_DATA}; the modules that "
            "replay it (WeChat samples, crypto vectors, grading cases, department exports) were "
            "skipped. Put shared/ beside the checkout or set FANGPIN_SHARED_DATA.", yellow=True)
