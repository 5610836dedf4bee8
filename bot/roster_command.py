"""`fangpin roster`: export the reverse-warning roster (反向预警名册) of an area.

    fangpin roster --area AREA [--criteria KEY,...] --out FILE.xlsx|FILE.csv
                   [--operator OPENID [--full-ids]] [--year YEAR] [--as-of YYYY-MM-DD]

AREA is an area code or name ("红龙村", "翠华镇红龙村"). ID numbers and phones are masked;
`--full-ids` needs `--operator` whose role is county_officer, data_operator or admin, and is
logged. An operator other than an admin must have an area set and export within it.
Exit 0 when written, 2 when the export is not allowed or the input is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from bot.roster_service import RosterError, RosterRequest, RosterResult, export_roster
from bot.settings import database_url
from bot.startup_errors import require_database_file
from policy.local_time import local_date
from policy.parameters import MissingParametersError, ParameterError
from policy.reverse_warning import CRITERIA
from policy.screening_rules import ScreeningRulesError
from storage.engine import create_engine, create_sessionmaker

EXIT_OK, EXIT_REFUSED = 0, 2


async def _run(request: RosterRequest) -> RosterResult:
    engine = create_engine(database_url())
    try:
        return await export_roster(create_sessionmaker(engine), request)
    finally:
        await engine.dispose()


def _as_of(text: str, today: dt.date | None = None) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise RosterError(f"--as-of “{text}”不是有效日期，请写成 年-月-日，如 2026-12-01") from None
    today = today or local_date(dt.datetime.now(dt.UTC))
    if day > today:  # "newly ill in the last months" counted from a future day finds nobody
        raise RosterError(f"--as-of {day:%Y-%m-%d} 晚于今天（{today:%Y-%m-%d}）：名册只能按"
                          "今天或以前的日期核查，不写就是今天")
    return day


def _request(args: argparse.Namespace) -> RosterRequest:
    return RosterRequest(
        area=args.area, out=Path(args.out), criteria=tuple(args.criteria or ()),
        operator=args.operator, full_ids=args.full_ids, year=args.year,
        as_of=_as_of(args.as_of) if args.as_of else None,
        params_path=Path(args.params) if args.params else None,
        rules_path=Path(args.rules) if args.rules else None,
    )  # fmt: skip


def run_roster(args: argparse.Namespace) -> int:
    from storage.migrate import upgrade_database

    try:
        request = _request(args)
        require_database_file()
        upgrade_database(database_url())
        result = asyncio.run(_run(request))
    except (RosterError, ValueError, MissingParametersError, ParameterError,
            ScreeningRulesError) as exc:  # fmt: skip
        print(f"fangpin roster: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    ids = "完整身份证号（已记录）" if result.full_ids else "身份证号已遮挡"
    print(f"已导出 {result.area_name} 反向预警名册 {result.rows} 户到 {result.file}（{ids}）")
    for criterion in CRITERIA:
        if criterion.key in result.by_criterion:
            print(f"  {criterion.title}：{result.by_criterion[criterion.key]}户")
    return EXIT_OK


def add_roster_parser(subparsers: Any) -> argparse.ArgumentParser:
    keys = "; ".join(f"{c.key} = {c.title}" for c in CRITERIA)
    parser = subparsers.add_parser(
        "roster", help="导出反向预警名册（入户核实清单）",
        description="Export the reverse-warning roster of an area, merged with open cases. "
        f"Criteria: {keys}.")
    parser.add_argument("--area", required=True, help="area code or name, e.g. 翠华镇红龙村")
    parser.add_argument("--criteria", nargs="+", metavar="KEY",
                        help="criteria keys or Chinese names, space or comma separated "
                        "(default: all eleven)")
    parser.add_argument("--out", required=True, help="FILE.xlsx or FILE.csv (UTF-8 with BOM)")
    parser.add_argument("--operator", metavar="OPENID", help="who exports (recorded)")
    parser.add_argument("--full-ids", action="store_true",
                        help="full ID numbers and phones (operator must be county_officer, "
                        "data_operator or admin; logged)")
    parser.add_argument("--year", type=int, help="parameter year (default: this year)")
    parser.add_argument("--as-of", help="reference day YYYY-MM-DD for ages and 'new' (today)")
    parser.add_argument("--params", help="yearly parameter file (default: the built-in one)")
    parser.add_argument("--rules", help="screening rules file (default: policy/screening.toml)")
    parser.set_defaults(run=run_roster)
    return parser
