"""`fangpin demo-data`: load the demo county (禄劝彝族苗族自治县) into the database.

    fangpin demo-data [--seed N] [--households N] [--if-empty]

Migrates the database at FANGPIN_DATABASE_URL (default: the embedded SQLite file) to the latest
schema, then loads townships, villages, groups, households, members and the demo-* personas in
one transaction, and prints where to start in the simulator. A database that already has areas
is left alone: exit 1, or exit 0 with --if-empty (what `make run` uses).
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.settings import database_url
from storage.demo_county import FARMER_01
from storage.demo_data import (
    MAX_HOUSEHOLDS,
    MIN_HOUSEHOLDS,
    LoadReport,
    database_is_empty,
    generate_demo_county,
    load_demo_county,
)
from storage.demo_households import HEAD
from storage.engine import create_engine, create_sessionmaker
from storage.models import Member, WechatUser

EXIT_OK, EXIT_REFUSED = 0, 1


def add_demo_data_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `demo-data` subcommand to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "demo-data",
        help="载入演示县（乡镇、村、组、农户、成员和演示账号）",
        description="Load the demo county into FANGPIN_DATABASE_URL; the same seed always "
        "gives the same county.",
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument(
        "--households",
        type=_household_count,
        default=300,
        help=f"number of households, {MIN_HOUSEHOLDS}..{MAX_HOUSEHOLDS} (default 300)",
    )
    parser.add_argument(
        "--if-empty",
        action="store_true",
        help="load only when the database has no areas yet; otherwise say so and exit 0",
    )
    parser.set_defaults(run=run_demo_data)
    return parser


def _household_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if not MIN_HOUSEHOLDS <= value <= MAX_HOUSEHOLDS:
        raise argparse.ArgumentTypeError(f"must be {MIN_HOUSEHOLDS}..{MAX_HOUSEHOLDS}")
    return value


def run_demo_data(args: argparse.Namespace) -> int:
    """Migrate, then load the demo county unless the database already has areas."""
    from storage.migrate import upgrade_database  # alembic: imported only when it runs

    url = database_url()
    upgrade_database(url)
    report, existing_farmer = asyncio.run(_load(url, args.seed, args.households))
    if report is not None:
        print("\n".join(report.summary_lines()))
        return EXIT_OK
    if args.if_empty:
        print("数据库里已有区划数据，未载入演示县（--if-empty）。")
        if existing_farmer:
            print(f"模拟器里用 {FARMER_01} 试申报：{existing_farmer}")
        return EXIT_OK
    print(
        "数据库里已经有县（区划）数据，不再重复载入演示县。\n"
        "想保留现有数据就加 --if-empty；想重新开始，请把 FANGPIN_DATABASE_URL 指向一个新的数据库。"
    )
    return EXIT_REFUSED


async def _load(url: str, seed: int, households: int) -> tuple[LoadReport | None, str]:
    """(the report, "") when loaded; (None, demo-farmer-01's name and ID if present) if not."""
    engine = create_engine(url)
    try:
        sessionmaker = create_sessionmaker(engine)
        try:
            async with sessionmaker() as session, session.begin():
                if await database_is_empty(session):
                    county = generate_demo_county(seed, households)
                    return await load_demo_county(session, county), ""
        except IntegrityError:
            pass  # another process loaded a county between our check and our insert
        async with sessionmaker() as session:
            return None, await _existing_farmer(session)
    finally:
        await engine.dispose()


async def _existing_farmer(session: Any) -> str:
    """ "姓名，身份证号 …" of demo-farmer-01's household head, or "" when there is none."""
    query = (
        select(Member.name, Member.id_number)
        .join(WechatUser, WechatUser.household_id == Member.household_id)
        .where(WechatUser.openid == FARMER_01, Member.relation == HEAD)
        .limit(1)
    )
    row = (await session.execute(query)).first()
    return f"{row.name}，身份证号 {row.id_number}" if row else ""
