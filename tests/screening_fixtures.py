"""Shared helpers of the registry-import, screening and roster tests.

The tests run on SQLite and, when FANGPIN_TEST_POSTGRES_URL is set, PostgreSQL through the
`storage_url` fixture of conftest.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.import_service import ImportOptions, import_department_file, import_registry_file
from policy.idnumber import check_digit
from policy.roles import Role
from storage.engine import create_engine, create_sessionmaker
from storage.import_report import ImportReport
from storage.models import Area, WechatUser
from tests.shared_data import require_shared_data

DATA = require_shared_data()
REGISTRY_XLSX = DATA / "registry" / "registry-luquan-sample.xlsx"
REGISTRY_CSV = DATA / "registry" / "registry-luquan-sample-gbk.csv"
DEPARTMENTS = DATA / "departments"
SAMPLES = {
    "health": DEPARTMENTS / "health-serious-illness-2026-11.xlsx",
    "disability": DEPARTMENTS / "disability-new-certificates-gbk.csv",
    "disaster": DEPARTMENTS / "disaster-house-damage.csv",
    "education": DEPARTMENTS / "education-key-grades.xlsx",
    "civil": DEPARTMENTS / "civil-affairs-dibao-tekun.csv",
    "police": DEPARTMENTS / "police-deaths.csv",
}
IMPORTED_AT = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 12, 1)


def clock() -> dt.datetime:
    return IMPORTED_AT


def valid_id(body17: str) -> str:
    return body17 + check_digit(body17)


@asynccontextmanager
async def sessions(url: str) -> AsyncIterator[async_sessionmaker]:
    engine = create_engine(url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


async def import_registry(sessionmaker, path: Path = REGISTRY_XLSX,
                          **options: Any) -> ImportReport:  # fmt: skip
    return await import_registry_file(sessionmaker, path, ImportOptions(**options), clock=clock)


async def import_department(sessionmaker, kind: str, path: Path | None = None,
                            **options: Any) -> ImportReport:  # fmt: skip
    options.setdefault("accept_good_rows", True)
    return await import_department_file(sessionmaker, path or SAMPLES[kind], kind,
                                        ImportOptions(**options), clock=clock)


async def count(sessionmaker, model: Any, *where: Any) -> int:
    async with sessionmaker() as session:
        query = select(func.count()).select_from(model).where(*where)
        return int(await session.scalar(query) or 0)


async def rows(sessionmaker, model: Any, *where: Any) -> list[Any]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(model).where(*where).order_by(model.id)))


async def area_named(sessionmaker, name: str) -> Area:
    async with sessionmaker() as session:
        return (await session.scalars(select(Area).where(Area.name == name))).one()


async def add_staff(sessionmaker, openid: str, role: Role, area_name: str | None,
                    subscribed: bool = True) -> None:  # fmt: skip
    area_id = (await area_named(sessionmaker, area_name)).id if area_name else None
    async with sessionmaker() as session:
        session.add(WechatUser(openid=openid, role=role, area_id=area_id, subscribed=subscribed,
                               display_name=openid))
        await session.commit()


def write_csv(path: Path, table: Sequence[Sequence[Any]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(table)
    return path


def write_xlsx(path: Path, table: Sequence[Sequence[Any]]) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    for line in table:
        workbook.active.append(list(line))
    workbook.save(path)
    return path


def registry_table(path: Path = REGISTRY_CSV) -> list[list[str]]:
    """The sample registry CSV as rows of text (header first)."""
    with path.open(encoding="gbk", newline="") as handle:
        return [list(line) for line in csv.reader(handle)]
